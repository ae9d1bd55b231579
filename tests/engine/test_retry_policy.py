"""RetryPolicy: the contract's backoff, the retried types, a rate limit's own delay, and the engine using it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from scenarist.engine.registry import Registry
from scenarist.engine.retry import RetryPolicy
from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleTimeoutError,
    RateLimitError,
)
from scenarist.sdk import RuntimeError as ModuleRuntimeError
from scenarist.store.memory import MemoryStore
from scenarist.types import ManualClock
from tests.engine.conftest import run, scenario, step
from tests.engine_kit import new_engine

CONTRACT_MINUTES = [1, 10, 10, 30, 30, 30, 180, 180]


def test_the_default_waits_are_the_contracts_then_a_person_decides() -> None:
    policy = RetryPolicy()
    assert [policy.delay(n) for n in range(8)] == [timedelta(minutes=m) for m in CONTRACT_MINUTES]
    assert policy.attempts == 8
    assert policy.delay(8) is None
    assert policy.delay(9, retry_after=5) is None


def test_the_temporary_failures_are_retried_and_the_users_errors_are_not() -> None:
    policy = RetryPolicy()
    assert [policy.retries(e()) for e in (ConnectionError, RateLimitError, ModuleTimeoutError)] == [True] * 3
    refused = (DataError, InvalidConfigurationError, AuthenticationError, ModuleRuntimeError)
    assert [policy.retries(e()) for e in refused] == [False] * 4

    class Unreachable(ConnectionError):
        """An app's own kind of ConnectionError."""

    assert policy.retries(Unreachable())


def test_a_rate_limit_delay_replaces_the_backoff_at_least_one_second_and_uncapped_by_default() -> None:
    policy = RetryPolicy()
    assert policy.delay(0, retry_after=90) == timedelta(seconds=90)
    assert policy.delay(3, retry_after=0.2) == timedelta(seconds=1)
    assert policy.delay(0, retry_after=86400 * 30) == timedelta(days=30)
    capped = RetryPolicy(max_delay=3600, min_delay=5)
    assert capped.delay(0, retry_after=86400) == timedelta(hours=1)
    assert capped.delay(0, retry_after=0) == timedelta(seconds=5)


def test_the_last_wait_repeats_for_attempts_past_the_backoff() -> None:
    policy = RetryPolicy(attempts=4, backoff=(5, 50))
    assert [policy.delay(n) for n in range(5)] == [timedelta(seconds=s) for s in (5, 50, 50, 50)] + [None]


def test_the_policy_is_frozen_and_refuses_nonsense() -> None:
    policy = RetryPolicy()
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.attempts = 100  # type: ignore[misc]
    with pytest.raises(ValueError, match="backoff"):
        RetryPolicy(backoff=())
    with pytest.raises(ValueError, match="max_delay"):
        RetryPolicy(max_delay=0.5)
    with pytest.raises(ValueError, match="negative"):
        RetryPolicy(attempts=-1)
    assert RetryPolicy(attempts=0, backoff=()).delay(0) is None


@pytest.mark.parametrize(("policy", "error_type", "due_in"), [
    (None, "DataError", None),
    (None, "ConnectionError", timedelta(minutes=1)),
    (RetryPolicy(attempts=1, backoff=(5,), retried=frozenset({"DataError"})), "DataError", timedelta(seconds=5)),
    (RetryPolicy(retried=frozenset()), "ConnectionError", None),
])
async def test_the_engine_stores_incomplete_executions_by_its_policy(
    clock: ManualClock, registry: Registry, policy: RetryPolicy | None, error_type: str, due_in: timedelta | None,
) -> None:
    engine = new_engine(MemoryStore(), registry, clock=clock, retry=policy)
    try:
        result = await run(engine, scenario(step("boom", "probe.fail", type=error_type), store_incomplete=True))
    finally:
        await engine.aclose()
    [record] = result.incomplete
    assert record.next_retry_at == (None if due_in is None else clock.now() + due_in)
