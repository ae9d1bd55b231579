"""Filters, sorts and limits of ``ctx.data_stores`` against a simple model, for any records (hypothesis).

The model below is written apart from ``scenarist.datastores.query``, from the
rules in its docstring; the laws (a negation is the complement, OR is the
union, a limit is a prefix, a count is a search's length) need no model.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarist.datastores import service
from scenarist.datastores.service import AccountDataStores
from scenarist.sdk import DataError
from scenarist.store.memory import MemoryStore
from scenarist.store.ports import DataStoreRecord, Store
from scenarist.store.sql import SqlStore
from scenarist.types import ManualClock

ACCOUNT = "account-q"
STRUCTURE = [{"name": "n", "type": "number"}, {"name": "t", "type": "text"}, {"name": "b", "type": "boolean"},
             {"name": "tags", "type": "array"}, {"name": "c", "type": "collection"}]
T0 = datetime(2026, 3, 1, tzinfo=UTC)
MISSING = object()
TEXT_OPERATORS = ("contains", "not_contains", "starts_with", "ends_with")

NUMBERS = st.one_of(st.integers(-3, 3), st.sampled_from([0.5, -1.5, 2.0]))
TEXTS = st.text(alphabet="aAbé", max_size=3)
RECORD = st.fixed_dictionaries({}, optional={
    "n": NUMBERS, "t": TEXTS, "b": st.booleans(), "tags": st.lists(TEXTS, max_size=3),
    "c": st.fixed_dictionaries({}, optional={"x": st.one_of(NUMBERS, TEXTS)}),
})
RECORDS = st.dictionaries(st.text(alphabet="kKé1", min_size=1, max_size=3), RECORD, max_size=12)
VALUES = {"key": TEXTS, "n": NUMBERS, "t": TEXTS, "b": st.booleans(), "tags": TEXTS, "c.x": st.one_of(NUMBERS, TEXTS)}
OPERATORS = ["equal", "not_equal", "greater", "greater_or_equal", "less", "less_or_equal", "contains",
             "not_contains", "starts_with", "ends_with", "exists", "not_exists"]


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    field = draw(st.sampled_from(sorted(VALUES)))
    operator = draw(st.sampled_from(OPERATORS))
    whole_array = field == "tags" and operator not in TEXT_OPERATORS
    value = draw(st.lists(TEXTS, max_size=2) if whole_array else VALUES[field])
    return {"field": field, "operator": operator, "value": value, "ignore_case": draw(st.booleans())}


FILTERS = st.lists(st.lists(conditions(), min_size=1, max_size=3), max_size=3)


# -- the model


def value_at(key: str, data: dict[str, Any], field: str) -> Any:
    if field == "key":
        return key
    if field == "c.x":
        return data.get("c", {}).get("x", MISSING)
    return data.get(field, MISSING)


def kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "number" if isinstance(value, int | float) else type(value).__name__


def model_holds(operator: str, have: Any, want: Any, ignore_case: bool) -> bool:
    if operator in ("not_equal", "not_contains", "not_exists"):
        return not model_holds(operator[4:], have, want, ignore_case)
    if have is MISSING:
        return False

    def fold(value: Any) -> Any:
        return value.casefold() if ignore_case and isinstance(value, str) else value

    def equal(a: Any, b: Any) -> bool:
        return kind(a) == kind(b) and fold(a) == fold(b)

    texts = isinstance(have, str) and isinstance(want, str)
    ordered = kind(have) == kind(want) and kind(have) in ("number", "str")
    return {
        "exists": True,
        "equal": equal(have, want),
        "greater": ordered and fold(have) > fold(want),
        "greater_or_equal": ordered and fold(have) >= fold(want),
        "less": ordered and fold(have) < fold(want),
        "less_or_equal": ordered and fold(have) <= fold(want),
        "contains": any(equal(h, want) for h in have) if isinstance(have, list) else texts and fold(want) in fold(have),
        "starts_with": texts and fold(have).startswith(fold(want)),
        "ends_with": texts and fold(have).endswith(fold(want)),
    }[operator]


def model_search(records: dict[str, dict[str, Any]], groups: list[list[dict[str, Any]]]) -> list[str]:
    def passes(key: str) -> bool:
        return not groups or any(all(model_holds(c["operator"], value_at(key, records[key], c["field"]), c["value"],
                                                 c["ignore_case"]) for c in group) for group in groups)

    return [key for key in sorted(records) if passes(key)]


# -- the stores under test


async def stores_with(store: Store, records: dict[str, dict[str, Any]]) -> tuple[AccountDataStores, str]:
    """An account's data stores over ``store``, one of them holding ``records``; its id."""
    record = DataStoreRecord("store-" + str(len(records)) + "-" + str(id(records)), ACCOUNT, "Q", STRUCTURE,
                             10_000, 10_000_000, T0, T0)
    await store.create_data_store(record)
    stores = AccountDataStores(store, ACCOUNT, ManualClock(T0))
    for key, data in records.items():
        await stores.add(record.id, data, key=key)
    return stores, record.id


@settings(max_examples=300, deadline=None)
@given(records=RECORDS, groups=FILTERS)
async def test_search_and_count_agree_with_the_model(records: dict[str, dict[str, Any]],
                                                     groups: list[list[dict[str, Any]]]) -> None:
    stores, store_id = await stores_with(MemoryStore(), records)
    found = [r["key"] for r in await stores.search(store_id, groups)]
    assert found == model_search(records, groups)
    assert await stores.count(store_id, groups) == len(found)


@settings(max_examples=150, deadline=None)
@given(records=RECORDS, condition=conditions())
async def test_a_negation_is_the_complement(records: dict[str, dict[str, Any]], condition: dict[str, Any]) -> None:
    base = condition["operator"].removeprefix("not_")
    if base not in ("equal", "contains", "exists"):
        return
    stores, store_id = await stores_with(MemoryStore(), records)
    positive = {r["key"] for r in await stores.search(store_id, [[condition | {"operator": base}]])}
    negative = {r["key"] for r in await stores.search(store_id, [[condition | {"operator": "not_" + base}]])}
    assert positive | negative == set(records)
    assert positive & negative == set()


@settings(max_examples=150, deadline=None)
@given(records=RECORDS, first=st.lists(conditions(), min_size=1, max_size=2),
       second=st.lists(conditions(), min_size=1, max_size=2))
async def test_or_groups_are_the_union(records: dict[str, dict[str, Any]], first: list[dict[str, Any]],
                                       second: list[dict[str, Any]]) -> None:
    stores, store_id = await stores_with(MemoryStore(), records)

    async def keys(groups: list[list[dict[str, Any]]]) -> list[str]:
        return [r["key"] for r in await stores.search(store_id, groups)]

    assert await keys([first, second]) == sorted(set(await keys([first])) | set(await keys([second])))


def model_sort(records: dict[str, dict[str, Any]], field: str, descending: bool) -> list[str]:
    """Present values by kind (false < true < numbers < texts < arrays < collections), then value (arrays and
    collections by their JSON text), ties in key order; records without the field last, in key order."""
    ranks = ["boolean", "number", "str", "list", "dict"]

    def order(key: str) -> tuple[int, Any]:
        value = value_at(key, records[key], field)
        return ranks.index(kind(value)), json.dumps(value, sort_keys=True) if kind(value) in ("list", "dict") else value

    present = [k for k in sorted(records) if value_at(k, records[k], field) is not MISSING]
    ordered = sorted(present, key=order)
    if descending:  # ties stay in key order
        groups: dict[Any, list[str]] = {}
        for key in ordered:
            groups.setdefault(order(key), []).append(key)
        ordered = [key for value in reversed(list(groups)) for key in groups[value]]
    return ordered + [k for k in sorted(records) if k not in present]


@settings(max_examples=200, deadline=None)
@given(records=RECORDS, field=st.sampled_from(["key", "n", "t", "b", "tags", "c", "c.x"]), descending=st.booleans(),
       limit=st.integers(0, 13))
async def test_a_sort_agrees_with_the_model_and_a_limit_is_a_prefix(
    records: dict[str, dict[str, Any]], field: str, descending: bool, limit: int
) -> None:
    stores, store_id = await stores_with(MemoryStore(), records)
    everything = await stores.search(store_id, sort_by=field, descending=descending)
    assert [r["key"] for r in everything] == model_sort(records, field, descending)
    assert await stores.search(store_id, sort_by=field, descending=descending, limit=limit) == everything[:limit]


@settings(max_examples=60, deadline=None)
@given(records=RECORDS, limit=st.integers(0, 13))
async def test_a_limit_without_a_sort_is_a_prefix_in_key_order(records: dict[str, dict[str, Any]],
                                                                limit: int) -> None:
    stores, store_id = await stores_with(MemoryStore(), records)
    assert [r["key"] for r in await stores.search(store_id, limit=limit)] == sorted(records)[:limit]


# -- filter values are converted to the field's type


@pytest.mark.parametrize(("field", "operator", "value", "expected"), [
    ("n", "equal", "2", ["two"]),
    ("n", "greater", "1.5", ["two"]),
    ("t", "equal", 2, ["two"]),
    ("b", "equal", "TRUE", ["two"]),
    ("t", "contains", 2, ["two"]),
    ("tags", "contains", "x", ["one"]),
    ("c.x", "equal", 1, ["one"]),
    ("c.x", "equal", "1", []),
])
async def test_filter_values_are_converted_to_the_field_type(field: str, operator: str, value: Any,
                                                             expected: list[str]) -> None:
    records = {"one": {"n": 1, "t": "1", "b": False, "tags": ["x"], "c": {"x": 1}},
               "two": {"n": 2, "t": "2", "b": True, "tags": [], "c": {"x": 2}}}
    stores, store_id = await stores_with(MemoryStore(), records)
    found = await stores.search(store_id, [[{"field": field, "operator": operator, "value": value}]])
    assert [r["key"] for r in found] == expected


@pytest.mark.parametrize(("bad", "message"), [
    ("not a list", "filter: expected a list of OR-groups, each a list of conditions"),
    ([{"field": "n"}], "filter: expected a list of OR-groups, each a list of conditions"),
    ([["n > 1"]], "filter[0][0]: expected a condition {field, operator, value}"),
    ([[{"field": "n", "operator": "like", "value": 1}]], "filter[0][0].operator: expected one of equal, not_equal, "
     "greater, greater_or_equal, less, less_or_equal, contains, not_contains, starts_with, ends_with, exists, "
     "not_exists"),
    ([[{"field": "n", "operator": "equal"}]], "filter[0][0].value: required for equal (use exists or not_exists "
     "for a missing value)"),
    ([[], [{"field": "t.x", "operator": "exists"}]], "filter[1][0].field: field 't' is text, it has no fields "
     "inside"),
    ([[{"field": "n", "operator": "exists", "colour": 1}]], "filter[0][0].colour: not part of a condition (field, "
     "operator, value, ignore_case)"),
    ([[{"field": "n", "operator": "exists", "ignore_case": "yes"}]], "filter[0][0].ignore_case: expected true or "
     "false"),
    ([[{"field": "b", "operator": "equal", "value": "yes"}]], "filter[0][0].value: expected true or false"),
])
async def test_a_bad_filter_is_a_data_error_naming_its_path(bad: Any, message: str) -> None:
    stores, store_id = await stores_with(MemoryStore(), {})
    with pytest.raises(DataError) as refused:
        await stores.search(store_id, bad)
    assert refused.value.message == message


async def test_an_unknown_sort_field_is_a_data_error() -> None:
    stores, store_id = await stores_with(MemoryStore(), {})
    with pytest.raises(DataError, match="sort: data store 'Q' has no field 'colour'"):
        await stores.search(store_id, sort_by="colour")


async def test_search_walks_every_page_of_a_sql_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "PAGE", 3)
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'q.db'}")
    try:
        records = {f"k{i:02}": {"n": i % 4} for i in range(11)}
        stores, store_id = await stores_with(store, records)
        found = await stores.search(store_id, [[{"field": "n", "operator": "equal", "value": 1}]])
        assert [r["key"] for r in found] == ["k01", "k05", "k09"]
        assert [r["key"] for r in await stores.search(store_id, limit=5)] == sorted(records)[:5]
        assert await stores.count(store_id, [[{"field": "n", "operator": "less", "value": 2}]]) == 6
    finally:
        await store.close()
