"""Gateway log pages (``before``) and bodies on request (``bodies``), on every backend."""

from __future__ import annotations

from scenarist.store.ports import Store
from tests.store.store_records import SECOND, T0, A, B, gateway_log, stored_scenario


async def test_before_gives_the_page_after_an_entry(store: Store) -> None:
    parent = await stored_scenario(store)
    logs = [gateway_log(scenario_id=parent.id, at=T0 + n * SECOND) for n in range(5)]
    logs.append(gateway_log(scenario_id=parent.id, at=T0 + 4 * SECOND))  # same time: by id
    await store.add_gateway_logs(logs)
    newest_first = sorted(logs, key=lambda g: (g.received_at, g.id), reverse=True)
    first = await store.list_gateway_logs(A, scenario_id=parent.id, limit=2)
    rest = await store.list_gateway_logs(A, scenario_id=parent.id, before=first[-1].id)
    assert [g.id for g in first + rest] == [g.id for g in newest_first]
    assert await store.list_gateway_logs(A, scenario_id=parent.id, before="unknown") == []


async def test_another_accounts_entry_is_no_pivot(store: Store) -> None:
    mine, theirs = gateway_log(), gateway_log(B, at=T0 + SECOND)
    await store.add_gateway_logs([mine, theirs])
    assert await store.list_gateway_logs(A, before=theirs.id) == []


async def test_bodies_come_only_when_asked_for(store: Store) -> None:
    record = gateway_log()
    await store.add_gateway_log(record)
    [bare] = await store.list_gateway_logs(A)
    [full] = await store.list_gateway_logs(A, bodies=True)
    assert (bare.request_body, bare.response_body) == (None, None)
    assert full == record
