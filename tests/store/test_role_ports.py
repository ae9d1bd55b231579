"""The store's role ports: each method of ``Store`` belongs to exactly one role (scenarios, runs, the queue, the
gateway log, accounts, connections, data stores, e-mail) but for the store-wide ``purge`` and ``close``, and the memory
and SQL stores implement every role with the port's signatures."""

from __future__ import annotations

import inspect

import pytest

from scenarist.store import ports
from scenarist.store.memory import MemoryStore
from scenarist.store.sql import SqlStore

ROLES = [ports.ScenarioStore, ports.RunStore, ports.QueueStore, ports.GatewayLogStore, ports.AccountStore,
         ports.ConnectionStore, ports.DataStoreStore, ports.MailStore]
STORE_WIDE = {"purge", "close"}


def methods(port: type) -> set[str]:
    """The methods a port declares itself (not those of the ports it extends)."""
    return {name for name, value in vars(port).items() if inspect.isfunction(value) and not name.startswith("_")}


def test_every_store_method_belongs_to_one_role() -> None:
    owners: dict[str, list[str]] = {}
    for port in ROLES:
        for name in methods(port):
            owners.setdefault(name, []).append(port.__name__)
    assert {name: where for name, where in owners.items() if len(where) > 1} == {}
    assert methods(ports.Store) == STORE_WIDE
    every = {name for name in dir(ports.Store) if not name.startswith("_")
             and inspect.isfunction(getattr(ports.Store, name))}
    assert every == set(owners) | STORE_WIDE


def test_the_queue_is_its_own_port() -> None:
    assert methods(ports.QueueStore) >= {"enqueue_executions", "list_queued", "mark_running", "claim_execution"}
    assert not methods(ports.QueueStore) & methods(ports.RunStore)


@pytest.mark.parametrize("store", [MemoryStore, SqlStore], ids=["memory", "sql"])
@pytest.mark.parametrize("port", ROLES, ids=lambda p: p.__name__)
def test_the_stores_implement_each_role(store: type, port: type) -> None:
    for name in methods(port):
        implemented = getattr(store, name, None)
        assert implemented is not None, f"{store.__name__} lacks {port.__name__}.{name}"
        assert inspect.iscoroutinefunction(implemented) == inspect.iscoroutinefunction(getattr(port, name)), name
        declared = list(inspect.signature(getattr(port, name)).parameters)
        assert list(inspect.signature(implemented).parameters) == declared, f"{store.__name__}.{name}"
