"""The shapes everything else builds on, kept in the SDK (``scenarist.sdk._types``) so that apps need
nothing but the SDK; this module names them for the engine, the store and the server."""

from scenarist.sdk._types import (
    JSON,
    LOCAL_ACCOUNT,
    AccountId,
    Bundle,
    Clock,
    ExecutionId,
    ManualClock,
    RunStatus,
    ScenarioId,
    SystemClock,
    new_id,
)

__all__ = ["JSON", "LOCAL_ACCOUNT", "AccountId", "Bundle", "Clock", "ExecutionId", "ManualClock", "RunStatus",
           "ScenarioId", "SystemClock", "new_id"]
