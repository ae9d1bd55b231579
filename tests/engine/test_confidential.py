"""A confidential scenario writes no payload anywhere: not in any table, not in the file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.store.sql import SqlStore
from scenarist.types import ManualClock, RunStatus
from scenarist.vault import Vault
from tests.engine.conftest import TEST_KEY, scenario, step
from tests.engine_kit import new_engine

CANARY = "canary-7f3a9c1e-do-not-store"


def definition(confidential: bool) -> dict:
    failing = step("call", "probe.fail", type="ConnectionError", message="failed for {{ hook.body.secret }}")
    return scenario(
        step("shape", "tools.set_variables", variables={"s": "{{ hook.body.secret }}"}),
        step("answer", "webhooks.respond", body={"echo": "{{ shape.s }}"}),
        failing,
        confidential=confidential,
    )


async def run_and_dump(tmp_path: Path, registry: Registry, confidential: bool) -> tuple[Engine, bytes, str]:
    db = tmp_path / "store.db"
    store = await SqlStore.open(f"sqlite+aiosqlite:///{db}")
    engine = new_engine(store, registry, clock=ManualClock(), sealer=Vault.parse(TEST_KEY))
    record = await engine.save_scenario(definition(confidential))
    result = await engine.run(record, {"secret": CANARY})
    assert result.execution.status == RunStatus.INCOMPLETE
    assert result.response is not None and result.response["body"] == {"echo": CANARY}
    await engine.aclose()
    await store.close()
    return engine, _file_bytes(db), _table_dump(db)


def _file_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def _table_dump(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(repr(conn.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables)


async def test_confidential_run_stores_no_payload_anywhere(tmp_path: Path, registry: Registry) -> None:
    _, raw, dump = await run_and_dump(tmp_path, registry, confidential=True)
    assert CANARY not in dump
    assert CANARY.encode() not in raw


async def test_an_ordinary_run_does_store_its_payload(tmp_path: Path, registry: Registry) -> None:
    """The control: the same search finds the canary when the scenario is not confidential."""
    _, _, dump = await run_and_dump(tmp_path, registry, confidential=False)
    assert CANARY in dump


async def test_confidential_activity_keeps_step_status_timing_and_error_type(
    tmp_path: Path, registry: Registry
) -> None:
    db = tmp_path / "s.db"
    store = await SqlStore.open(f"sqlite+aiosqlite:///{db}")
    engine = new_engine(store, registry, clock=ManualClock(), sealer=Vault.parse(TEST_KEY))
    try:
        result = await engine.run(await engine.save_scenario(definition(True)), {"secret": CANARY})
        activity = await store.get_activity("local", result.execution.id)
        assert [(r.step, r.status) for r in activity] == [
            ("hook", "success"), ("shape", "success"), ("answer", "success"), ("call", "error")]
        assert all(r.input is None and r.output is None for r in activity)
        assert activity[-1].error == {"type": "ConnectionError"}
        assert result.execution.error is not None and CANARY not in result.execution.error["message"]
    finally:
        await engine.aclose()
        await store.close()


async def test_confidential_incomplete_state_is_encrypted_and_still_resumes(
    tmp_path: Path, registry: Registry
) -> None:
    store = await SqlStore.open(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}")
    engine = new_engine(store, registry, clock=ManualClock(), sealer=Vault.parse(TEST_KEY))
    try:
        flaky = scenario(step("shape", "tools.set_variables", variables={"s": "{{ hook.body.secret }}"}),
                         step("call", "probe.flaky"), confidential=True)
        record = await engine.save_scenario(flaky)
        await engine.run(record, {"secret": CANARY})
        [incomplete] = await store.list_incomplete("local")
        assert CANARY.encode() not in incomplete.state
        await store.set_state(record.id, "healthy", True)
        retried = await engine.retry_incomplete("local", incomplete.id)
        assert retried is not None and retried.execution.status == RunStatus.SUCCESS
    finally:
        await engine.aclose()
        await store.close()


@pytest.mark.parametrize("flip", [20, -1])
def test_a_flipped_bit_fails_decryption(flip: int) -> None:
    vault = Vault.parse(TEST_KEY)
    sealed = bytearray(vault.seal(b"state", b"id"))
    sealed[flip] ^= 1
    with pytest.raises(Exception, match="authentication"):
        vault.open(bytes(sealed), b"id")
