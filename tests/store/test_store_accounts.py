"""Accounts, sessions, API tokens, erasure and export: on every backend (see ``conftest.py``)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from scenarist.store.ports import Store
from tests.store.store_records import (
    CANARY,
    SECOND,
    T0,
    A,
    B,
    account,
    populate,
    session,
    stored_account,
    stored_execution,
    stored_scenario,
    token,
)

# accounts


async def test_account_round_trips_by_id_and_by_email(store: Store) -> None:
    record = await stored_account(store, email="Ann.Smith@Example.com")
    assert await store.get_account(A) == record
    assert await store.get_account_by_email("Ann.Smith@Example.com") == record


async def test_email_lookup_ignores_case(store: Store) -> None:
    record = await stored_account(store, email="Ann.Smith@Example.com")
    assert await store.get_account_by_email("ann.smith@example.COM") == record
    assert await store.get_account_by_email("ann.smith@example.org") is None


async def test_an_email_is_taken_whatever_its_case(store: Store) -> None:
    await stored_account(store, email="Ann@Example.com")
    assert await store.create_account(account(B, email="ann@EXAMPLE.COM")) is False
    assert await store.get_account(B) is None
    assert (await store.get_account_by_email("ANN@example.com")).id == A  # type: ignore[union-attr]


async def test_a_taken_account_id_is_refused(store: Store) -> None:
    await stored_account(store)
    with pytest.raises(ValueError):
        await store.create_account(account(A, email="other@example.com"))


async def test_unknown_accounts_are_none(store: Store) -> None:
    assert await store.get_account("missing") is None
    assert await store.get_account_by_email("nobody@example.com") is None


async def test_set_password_ends_every_other_session_of_the_account(store: Store) -> None:
    await stored_account(store)
    await stored_account(store, B, email="b@example.com")
    kept, ended, theirs = session(), session(), session(B)
    for record in (kept, ended, theirs):
        await store.create_session(record)
    assert await store.set_password(A, "new-hash", keep_session=kept.id_hash) is True
    assert (await store.get_account(A)).password_hash == "new-hash"  # type: ignore[union-attr]
    assert await store.get_session(kept.id_hash) == kept
    assert await store.get_session(ended.id_hash) is None
    assert await store.get_session(theirs.id_hash) == theirs
    assert await store.set_password(A, "newer-hash", keep_session=None) is True
    assert await store.get_session(kept.id_hash) is None
    assert await store.set_password("missing", "hash", keep_session=None) is False


async def test_the_first_proof_of_an_address_clears_what_came_before_it(store: Store) -> None:
    await stored_account(store)
    await stored_account(store, B, email="b@example.com")
    before, theirs = session(), session(B)
    earlier, other = token(), token(B)
    for record in (before, theirs):
        await store.create_session(record)
    for made in (earlier, other):
        await store.create_token(made)
    assert await store.prove_email(A, T0 + SECOND) is True
    assert (await store.get_account(A)).password_hash is None  # type: ignore[union-attr]
    assert await store.get_session(before.id_hash) is None and await store.get_token_by_hash(earlier.token_hash) is None
    assert await store.get_session(theirs.id_hash) == theirs  # another account's stay
    assert await store.get_token_by_hash(other.token_hash) is not None
    later = session()
    await store.create_session(later)
    await store.set_password(A, "own-hash", keep_session=later.id_hash)
    assert await store.prove_email(A, T0 + 2 * SECOND) is False  # proven once: the owner's password stays
    assert (await store.get_account(A)).password_hash == "own-hash"  # type: ignore[union-attr]
    assert await store.get_session(later.id_hash) == later
    assert await store.prove_email("missing", T0) is False


# sessions


async def test_session_round_trips(store: Store) -> None:
    await stored_account(store)
    record = session(last_seen_at=T0 + SECOND)
    await store.create_session(record)
    assert await store.get_session(record.id_hash) == record
    assert await store.get_session("missing") is None


async def test_a_session_needs_an_account_and_a_free_id(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.create_session(session("missing"))
    await stored_account(store)
    record = session()
    await store.create_session(record)
    with pytest.raises(ValueError):
        await store.create_session(replace(record, csrf_token="other"))


async def test_touch_moves_last_seen_forward_only(store: Store) -> None:
    await stored_account(store)
    record = session()
    await store.create_session(record)
    await store.touch_session(record.id_hash, T0 + 5 * SECOND)
    await store.touch_session(record.id_hash, T0 + 2 * SECOND)
    assert await store.get_session(record.id_hash) == replace(record, last_seen_at=T0 + 5 * SECOND)
    await store.touch_session("missing", T0)


async def test_delete_session(store: Store) -> None:
    await stored_account(store)
    ended, kept = session(), session()
    for record in (ended, kept):
        await store.create_session(record)
    await store.delete_session(ended.id_hash)
    await store.delete_session(ended.id_hash)
    assert await store.get_session(ended.id_hash) is None
    assert await store.get_session(kept.id_hash) == kept


async def test_delete_sessions_ends_idle_ones_and_keeps_the_edge(store: Store) -> None:
    await stored_account(store)
    idle_cut = T0 + 100 * SECOND
    edge = session(at=T0, last_seen_at=idle_cut)
    idle = session(at=T0, last_seen_at=idle_cut - SECOND)
    fresh = session(at=T0, last_seen_at=idle_cut + SECOND)
    for record in (edge, idle, fresh):
        await store.create_session(record)
    assert await store.delete_sessions(idle_before=idle_cut, created_before=T0) == 1
    assert await store.get_session(idle.id_hash) is None
    assert await store.get_session(edge.id_hash) == edge
    assert await store.get_session(fresh.id_hash) == fresh


async def test_delete_sessions_ends_old_ones_however_active_and_keeps_the_edge(store: Store) -> None:
    await stored_account(store)
    created_cut = T0 + 100 * SECOND
    recent = T0 + 1000 * SECOND
    edge = session(at=created_cut, last_seen_at=recent)
    old = session(at=created_cut - SECOND, last_seen_at=recent)
    young = session(at=created_cut + SECOND, last_seen_at=recent)
    for record in (edge, old, young):
        await store.create_session(record)
    assert await store.delete_sessions(idle_before=T0, created_before=created_cut) == 1
    assert await store.get_session(old.id_hash) is None
    assert await store.get_session(edge.id_hash) == edge
    assert await store.get_session(young.id_hash) == young


# API tokens


async def test_token_is_found_by_its_hash(store: Store) -> None:
    await stored_account(store)
    record = token()
    await store.create_token(record)
    assert await store.get_token_by_hash(record.token_hash) == record
    assert await store.get_token_by_hash("0" * 64) is None


async def test_list_tokens_is_the_accounts_oldest_first(store: Store) -> None:
    await stored_account(store)
    await stored_account(store, B)
    newer, older, theirs = token(at=T0 + SECOND), token(at=T0), token(B)
    for record in (newer, older, theirs):
        await store.create_token(record)
    assert await store.list_tokens(A) == [older, newer]
    assert await store.list_tokens(B) == [theirs]


async def test_another_account_cannot_delete_a_token(store: Store) -> None:
    await stored_account(store)
    await stored_account(store, B)
    record = token()
    await store.create_token(record)
    assert await store.delete_token(B, record.id) is False
    assert await store.get_token_by_hash(record.token_hash) == record
    assert await store.delete_token(A, record.id) is True
    assert await store.get_token_by_hash(record.token_hash) is None
    assert await store.delete_token(A, record.id) is False


async def test_a_token_needs_an_account_and_a_free_id_and_hash(store: Store) -> None:
    with pytest.raises(ValueError):
        await store.create_token(token("missing"))
    await stored_account(store)
    record = token()
    await store.create_token(record)
    for clash in (replace(record, token_hash="f" * 64), replace(record, id="another")):
        with pytest.raises(ValueError):
            await store.create_token(clash)
    assert await store.list_tokens(A) == [record]


# erasure


async def test_delete_account_erases_every_row_of_it(store: Store) -> None:
    mine = await populate(store, A)
    await populate(store, B)
    exported = await store.export_account(A)
    run_id = exported["executions"][0]["id"]

    assert await store.delete_account(A) is True

    assert await store.get_account(A) is None
    assert await store.get_account_by_email(f"{A}@example.com") is None
    assert await store.list_scenarios(A) == []
    assert await store.get_scenario_by_hook(f"hook-{A}") is None
    assert await store.get_execution(A, run_id) is None
    assert await store.get_activity(A, run_id) == []
    assert await store.list_incomplete(A) == []
    assert await store.list_notifications(A) == []
    assert await store.get_state(mine.id, "cursor") is None
    assert await store.list_gateway_logs(A) == []
    assert await store.list_tokens(A) == []
    assert await store.count_queued(mine.id) == 0
    assert await store.delete_sessions(idle_before=T0 + 1000 * SECOND, created_before=T0) == 1  # B's only
    empty = {
        "account": None,
        "scenarios": [],
        "executions": [],
        "incomplete_executions": [],
        "notifications": [],
        "tokens": [],
        "sessions": [],
        "gateway_logs": [],
        "connections": [],
        "data_stores": [],
    }
    assert await store.export_account(A) == empty


async def test_delete_account_leaves_other_accounts_alone(store: Store) -> None:
    await populate(store, A)
    theirs = await populate(store, B)
    before = await store.export_account(B)
    assert await store.delete_account(A) is True
    assert await store.export_account(B) == before
    assert await store.get_state(theirs.id, "cursor") == {"after": CANARY}
    assert (await store.get_scenario_by_hook(f"hook-{B}")) == theirs


async def test_delete_account_of_nothing_is_false(store: Store) -> None:
    assert await store.delete_account("missing") is False
    await populate(store, A)
    assert await store.delete_account(A) is True
    assert await store.delete_account(A) is False


async def test_delete_account_erases_data_of_an_account_without_a_row(store: Store) -> None:
    parent = await stored_scenario(store, "local")
    await stored_execution(store, parent)
    assert await store.delete_account("local") is True
    assert await store.list_scenarios("local") == []


# export


async def test_export_holds_every_personal_datum(store: Store) -> None:
    await populate(store, A)
    await populate(store, B)
    data = await store.export_account(A)
    (scenario_,) = await store.list_scenarios(A)
    tokens = await store.list_tokens(A)

    assert data["account"] == {"id": A, "email": f"{A}@Example.com", "created_at": T0.isoformat(),
                               "has_password": True}
    assert [s["id"] for s in data["scenarios"]] == [scenario_.id]
    assert data["scenarios"][0]["name"] == f"{CANARY} {A}"
    assert data["scenarios"][0]["definition"] == scenario_.definition
    assert [(v["n"], v["definition"]) for v in data["scenarios"][0]["versions"]] == [(1, scenario_.definition)]
    failed, queued = [e for e in data["executions"] if e["status"] != "success"]  # same created_at: by id
    if failed["status"] != "error":
        failed, queued = queued, failed
    assert failed["trigger_input"] == {"body": CANARY}
    assert [entry["input"] for entry in failed["log"]] == [{"note": CANARY}, {"n": 2}]
    assert failed["log"][0]["started_at"] == T0.isoformat()
    assert queued["trigger_event"] == "webhook"
    assert queued["log"] == []
    assert [i["execution_id"] for i in data["incomplete_executions"]] == [failed["id"]]
    assert "state" not in data["incomplete_executions"][0]
    assert [n["message"] for n in data["notifications"]] == [CANARY]
    assert data["tokens"] == [{"id": tokens[0].id, "name": "deploy script", "created_at": T0.isoformat()}]
    assert data["sessions"] == [{"created_at": T0.isoformat(), "last_seen_at": T0.isoformat()}]
    assert len(data["gateway_logs"]) == 2
    assert all("request_body" not in g and "response_body" not in g for g in data["gateway_logs"])
    assert data["gateway_logs"][0]["headers"][0] == ["content-type", "application/json"]


async def test_export_is_json_and_holds_no_secret(store: Store) -> None:
    await populate(store, A)
    secrets = [(await store.get_account(A)).password_hash]  # type: ignore[union-attr]
    secrets += [t.token_hash for t in await store.list_tokens(A)]
    await store.create_session(record := session(A))
    secrets += [record.id_hash, record.csrf_token]
    text = json.dumps(await store.export_account(A))
    for secret in secrets:
        assert secret not in text
    for key in ("password_hash", "token_hash", "id_hash", "csrf_token", '"state"', "request_body", "response_body"):
        assert key not in text
    assert "resume" not in text  # the incomplete execution's state bytes


async def test_export_holds_nothing_of_another_account(store: Store) -> None:
    await populate(store, A)
    await populate(store, B)
    text = json.dumps(await store.export_account(A))
    assert f"{CANARY} {B}" not in text
    assert f"hook-{B}" not in text
    assert f"{B}@" not in text
