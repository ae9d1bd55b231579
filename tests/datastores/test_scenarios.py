"""The datastore app in scenarios: saved through the API, run with ``run?wait=true``, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

from tests.datastores.conftest import Api, outputs, step

SHAPE = {"id": "after", "module": "tools.set_variables", "params": {"variables": {"saw": "{{ found }}"}}}


async def test_add_then_get_outputs_the_record_as_stored(api: Api) -> None:
    store = await api.create_store()
    execution = await api.run_flow([
        step("add", "add_record", data_store=store["id"], key="{{ hook.body.id }}",
             data={"status": "paid", "amount": "{{ hook.body.amount }}", "placed": "2024-03-05 14:30+01:00"}),
        step("found", "get_record", data_store=store["id"], key="{{ add.key }}"),
    ], {"id": "order-1", "amount": "12.50"})
    assert execution["status"] == "success", execution
    record = {"key": "order-1", "data": {"status": "paid", "amount": 12.5, "placed": "2024-03-05T13:30:00.000Z"}}
    assert outputs(execution, "add") == outputs(execution, "found") == [record]
    assert await api.records(store["id"]) == {"order-1": record["data"]}


async def test_add_without_a_key_generates_one(api: Api) -> None:
    store = await api.create_store()
    execution = await api.run_flow([
        step("add", "add_record", data_store=store["id"], data={"status": "new"}),
        step("empty", "add_record", data_store=store["id"], key="{{ hook.body.missing }}", data={"status": "also"}),
    ], {})
    [added], [also] = outputs(execution, "add"), outputs(execution, "empty")
    assert re.fullmatch(r"[0-9a-f]{32}", added["key"]) and re.fullmatch(r"[0-9a-f]{32}", also["key"])
    assert await api.records(store["id"]) == {added["key"]: {"status": "new"}, also["key"]: {"status": "also"}}


async def test_add_refuses_a_taken_key_unless_it_may_overwrite(api: Api) -> None:
    store = await api.create_store()
    await api.put_record(store["id"], "k", {"status": "first"})
    refused = await api.run_flow([step("add", "add_record", data_store=store["id"], key="k", data={"status": "x"})])
    assert refused["status"] == "incomplete"
    assert refused["error"]["type"] == "DataError"
    assert "already has a record with key 'k'" in refused["error"]["message"]
    replaced = await api.run_flow([step("add", "add_record", data_store=store["id"], key="k", overwrite=True,
                                        data={"status": "second"})])
    assert replaced["status"] == "success", replaced
    assert await api.records(store["id"]) == {"k": {"status": "second"}}


async def test_update_merges_fields_and_a_null_removes_one(api: Api) -> None:
    store = await api.create_store()
    await api.put_record(store["id"], "k", {"status": "paid", "amount": 10, "note": "keep me"})
    execution = await api.run_flow([step("up", "update_record", data_store=store["id"], key="k",
                                         data={"amount": 12, "note": None, "paid": "true"})])
    assert outputs(execution, "up") == [{"key": "k", "data": {"status": "paid", "amount": 12, "paid": True}}]
    assert await api.records(store["id"]) == {"k": {"status": "paid", "amount": 12, "paid": True}}


async def test_update_of_a_missing_record_fails_unless_it_may_insert(api: Api) -> None:
    store = await api.create_store()
    missing = await api.run_flow([step("up", "update_record", data_store=store["id"], key="nope",
                                       data={"status": "x"})])
    assert (missing["status"], missing["error"]["type"]) == ("incomplete", "DataError")
    assert "no record with key 'nope'" in missing["error"]["message"]
    inserted = await api.run_flow([step("up", "update_record", data_store=store["id"], key="nope",
                                        insert_missing=True, data={"status": "x"})])
    assert inserted["status"] == "success"
    assert await api.records(store["id"]) == {"nope": {"status": "x"}}


async def test_an_update_that_leaves_out_a_required_field_fails(api: Api) -> None:
    store = await api.create_store()
    await api.put_record(store["id"], "k", {"status": "paid"})
    execution = await api.run_flow([step("up", "update_record", data_store=store["id"], key="k",
                                         data={"status": None})])
    assert execution["error"]["message"] == "data.status: required"
    assert await api.records(store["id"]) == {"k": {"status": "paid"}}


async def test_get_of_a_missing_key_outputs_an_empty_bundle_and_the_flow_goes_on(api: Api) -> None:
    store = await api.create_store()
    execution = await api.run_flow([
        step("found", "get_record", data_store=store["id"], key="missing"),
        step("exists", "check_record_exists", data_store=store["id"], key="missing"),
        SHAPE,
    ])
    assert execution["status"] == "success", execution
    assert outputs(execution, "found") == [{}]
    assert outputs(execution, "exists") == [{"exists": False}]
    assert outputs(execution, "after") == [{"saw": {}}]


async def test_check_record_exists_sees_a_record(api: Api) -> None:
    store = await api.create_store()
    await api.put_record(store["id"], "there", {"status": "x"})
    execution = await api.run_flow([step("exists", "check_record_exists", data_store=store["id"], key="there")])
    assert outputs(execution, "exists") == [{"exists": True}]


async def test_search_outputs_one_bundle_per_match_sorted_and_limited(api: Api) -> None:
    store = await api.create_store()
    for key, status, amount in (("a", "paid", 5), ("b", "open", 50), ("c", "paid", 500), ("d", "paid", 50)):
        await api.put_record(store["id"], key, {"status": status, "amount": amount})
    execution = await api.run_flow([
        step("found", "search_records", data_store=store["id"],
             filter=[[{"field": "status", "operator": "equal", "value": "PAID", "ignore_case": True},
                      {"field": "amount", "operator": "greater_or_equal", "value": "{{ hook.body.least }}"}]],
             sort={"field": "amount", "direction": "desc"}, limit=2),
        SHAPE,
    ], {"least": "50"})
    assert execution["status"] == "success", execution
    assert [o["key"] for o in outputs(execution, "found")[0]] == ["c", "d"]
    assert [o["saw"]["key"] for o in outputs(execution, "after")] == ["c", "d"]
    assert execution["operations"] == 1 + 1 + 2


async def test_search_with_or_groups_and_the_key(api: Api) -> None:
    store = await api.create_store()
    for key, status in (("vip-1", "open"), ("std-1", "paid"), ("std-2", "open")):
        await api.put_record(store["id"], key, {"status": status})
    execution = await api.run_flow([step("found", "search_records", data_store=store["id"], filter=[
        [{"field": "key", "operator": "starts_with", "value": "vip-"}],
        [{"field": "status", "operator": "equal", "value": "paid"}],
    ])])
    assert [o["key"] for o in outputs(execution, "found")[0]] == ["std-1", "vip-1"]


async def test_a_search_without_matches_stops_that_path_without_error(api: Api) -> None:
    store = await api.create_store()
    await api.put_record(store["id"], "a", {"status": "open"})
    execution = await api.run_flow([
        step("found", "search_records", data_store=store["id"],
             filter=[[{"field": "status", "operator": "equal", "value": "paid"}]]),
        SHAPE,
    ])
    assert execution["status"] == "success"
    assert outputs(execution, "found") == [[]]
    assert outputs(execution, "after") == []


async def test_dates_filter_and_sort_in_time_order(api: Api) -> None:
    store = await api.create_store()
    for key, placed in (("x", "2024-03-05T23:30:00-02:00"), ("y", "2024-03-06"), ("z", "2024-03-05T10:00:00Z")):
        await api.put_record(store["id"], key, {"status": "s", "placed": placed})
    execution = await api.run_flow([step("found", "search_records", data_store=store["id"], sort={"field": "placed"},
                                         filter=[[{"field": "placed", "operator": "greater",
                                                   "value": "2024-03-05T12:00:00+00:00"}]])])
    assert [(o["key"], o["data"]["placed"]) for o in outputs(execution, "found")[0]] == [
        ("y", "2024-03-06T00:00:00.000Z"), ("x", "2024-03-06T01:30:00.000Z")]


async def test_count_with_and_without_a_filter(api: Api) -> None:
    store = await api.create_store()
    for key, tags in (("a", ["red"]), ("b", ["red", "blue"]), ("c", []), ("d", None)):
        await api.put_record(store["id"], key, {"status": "s", "tags": tags})
    execution = await api.run_flow([
        step("all", "count_records", data_store=store["id"]),
        step("red", "count_records", data_store=store["id"],
             filter=[[{"field": "tags", "operator": "contains", "value": "red"}]]),
        step("untagged", "count_records", data_store=store["id"],
             filter=[[{"field": "tags", "operator": "not_exists"}]]),
    ])
    assert [outputs(execution, s) for s in ("all", "red", "untagged")] == [
        [{"count": 4}], [{"count": 2}], [{"count": 1}]]


async def test_delete_a_record_and_delete_all(api: Api) -> None:
    store = await api.create_store()
    for key in ("a", "b", "c"):
        await api.put_record(store["id"], key, {"status": "s"})
    execution = await api.run_flow([
        step("one", "delete_record", data_store=store["id"], key="a"),
        step("again", "delete_record", data_store=store["id"], key="a"),
        step("left", "count_records", data_store=store["id"]),
    ])
    assert [outputs(execution, s) for s in ("one", "again", "left")] == [
        [{"key": "a", "deleted": True}], [{"key": "a", "deleted": False}], [{"count": 2}]]
    cleared = await api.run_flow([step("all", "delete_all_records", data_store=store["id"])])
    assert outputs(cleared, "all") == [{"deleted": 2}]
    assert await api.records(store["id"]) == {}
    assert (await api.store(store["id"]))["record_count"] == 0


# records that do not fit


async def fails_with(api: Api, store: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    execution = await api.run_flow([step("add", "add_record", data_store=store["id"], key="k", data=data)])
    assert execution["status"] == "incomplete", execution
    assert await api.records(store["id"]) == {}
    error: dict[str, Any] = execution["error"]
    return error


async def test_a_value_of_the_wrong_type_names_its_path(api: Api) -> None:
    error = await fails_with(api, await api.create_store(), {"status": "s", "amount": "twelve"})
    assert error == {"type": "DataError", "message": "data.amount: expected a number", "step": "add"}


async def test_an_unknown_field_is_refused(api: Api) -> None:
    error = await fails_with(api, await api.create_store(), {"status": "s", "colour": "red"})
    assert error["message"] == "data.colour: not a field of data store 'Orders'"


async def test_a_missing_required_field_is_refused(api: Api) -> None:
    error = await fails_with(api, await api.create_store(), {"amount": 1})
    assert error["message"] == "data.status: required"


async def test_every_problem_is_named(api: Api) -> None:
    error = await fails_with(api, await api.create_store(), {
        "paid": "maybe", "placed": "yesterday", "tags": "a,b", "customer": [1]})
    assert error["message"] == (
        "data.paid: expected true or false; data.placed: expected a date (ISO 8601, such as 2024-03-05T14:30:00Z); "
        "data.tags: expected an array; data.customer: expected a collection (an object); data.status: required")


async def test_a_bad_filter_names_its_path(api: Api) -> None:
    store = await api.create_store()
    execution = await api.run_flow([step("found", "search_records", data_store=store["id"], filter=[
        [{"field": "status", "operator": "exists"}, {"field": "colour", "operator": "equal", "value": "red"}]])])
    assert execution["error"] == {"type": "DataError", "step": "found",
                                  "message": "filter[0][1].field: data store 'Orders' has no field 'colour'"}


async def test_a_filter_value_of_the_wrong_type_names_its_path(api: Api) -> None:
    store = await api.create_store()
    execution = await api.run_flow([step("n", "count_records", data_store=store["id"], filter=[
        [{"field": "amount", "operator": "less", "value": "lots"}]])])
    assert execution["error"]["message"] == "filter[0][0].value: expected a number"


# limits


async def test_a_full_store_refuses_a_new_record_naming_the_store_and_the_limit(api: Api) -> None:
    store = await api.create_store(max_records=2)
    flow = [step("add", "add_record", data_store=store["id"], key="{{ hook.body.key }}", data={"status": "s"})]
    scenario = await api.scenario(flow)
    for key in ("a", "b"):
        assert (await api.run(scenario, {"key": key}))["status"] == "success"
    refused = await api.run(scenario, {"key": "c"})
    assert refused["error"] == {"type": "DataError", "step": "add", "message":
                                "data store 'Orders' is full: it holds 2 records, its limit (max_records 2)"}
    assert (await api.run(scenario, {"key": "a"}))["status"] == "incomplete"  # taken, no overwrite
    assert set(await api.records(store["id"])) == {"a", "b"}


async def test_a_record_past_the_size_limit_is_refused(api: Api) -> None:
    store = await api.create_store(max_size_bytes=60)
    ok = await api.run_flow([step("add", "add_record", data_store=store["id"], key="a", data={"status": "x" * 20})])
    assert ok["status"] == "success"
    refused = await api.run_flow([step("add", "add_record", data_store=store["id"], key="b",
                                       data={"status": "y" * 40})])
    assert refused["error"]["message"] == ("data store 'Orders' is full: the record would take it past its size "
                                           "limit (max_size_bytes 60); it holds 33 bytes")
    assert (await api.store(store["id"]))["size_bytes"] == 33


# whose store


async def test_a_store_of_another_account_is_refused_at_save_with_its_path(api: Api, other: Api) -> None:
    theirs = await other.create_store(name="Bob's orders")
    for target in (theirs["id"], "0" * 32):
        definition = {"name": "x", "trigger": {"id": "hook", "module": "webhooks.custom"},
                      "flow": [step("found", "get_record", data_store=target, key="secret")]}
        answer = await api.client.post("/api/v1/scenarios", json=definition, headers=api.auth)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["path"] == "flow[0].params.data_store"
        assert answer.json()["error"]["message"].endswith(f"data store {target!r} not found")


async def test_a_store_of_another_account_is_not_found_at_run_time(api: Api, other: Api) -> None:
    theirs = await other.create_store(name="Bob's orders")
    await other.put_record(theirs["id"], "secret", {"status": "bob-private"})
    by_input = "{{ hook.body.store }}"
    reads = await api.run_flow([step("found", "get_record", data_store=by_input, key="secret")],
                               {"store": theirs["id"]})
    writes = await api.run_flow([step("add", "add_record", data_store=by_input, key="mine", overwrite=True,
                                      data={"status": "taken over"})], {"store": theirs["id"]})
    nobody = await api.run_flow([step("found", "get_record", data_store=by_input, key="secret")], {"store": "0" * 32})
    for execution in (reads, writes):
        assert execution["status"] == "incomplete"
        assert execution["error"]["type"] == "InvalidConfigurationError"
        assert execution["error"]["message"] == f"data store {theirs['id']!r} not found"
        assert "bob-private" not in str(execution)
    assert nobody["error"]["message"] == f"data store {'0' * 32!r} not found"
    assert await other.records(theirs["id"]) == {"secret": {"status": "bob-private"}}


async def test_a_deleted_store_is_not_found(api: Api) -> None:
    store = await api.create_store()
    scenario = await api.scenario([step("n", "count_records", data_store=store["id"])])
    assert (await api.run(scenario))["status"] == "success"
    await api.client.delete(f"/api/v1/data-stores/{store['id']}", headers=api.auth)
    assert (await api.run(scenario))["error"]["type"] == "InvalidConfigurationError"
