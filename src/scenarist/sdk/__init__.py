"""The public app interface: what third-party apps import, and nothing else.

The list of names below is pinned by ``tests/sdk/test_exported_members.py``.
"""

from scenarist.sdk._datastores import DataStores
from scenarist.sdk._errors import (
    ERROR_TYPES,
    RETRIED_TYPES,
    AuthenticationError,
    ConnectionError,
    DataError,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
    RateLimitError,
    RuntimeError,
    ScenaristError,
)
from scenarist.sdk._fields import connection_fields
from scenarist.sdk._harness import ModuleHarness
from scenarist.sdk._http import ANSWER_LIMIT, CLIENT_TLS, AnswerTooLarge, ClientCertificateRefused
from scenarist.sdk._module import (
    AccountObject,
    AggregateInput,
    App,
    ConnectionType,
    Egress,
    ModuleKind,
    ModuleSpec,
    OpenEgress,
    RunContext,
    ScenarioRunner,
    ScenarioState,
    TriggerEvent,
    output_schema,
    run_blocking,
)
from scenarist.sdk._oauth import OAuth2Endpoints
from scenarist.sdk._tls import PinnedHostContext, client_ssl_context
from scenarist.sdk._types import (
    JSON,
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

__all__ = [
    "ANSWER_LIMIT",
    "CLIENT_TLS",
    "ERROR_TYPES",
    "JSON",
    "RETRIED_TYPES",
    "AccountId",
    "AccountObject",
    "AggregateInput",
    "AnswerTooLarge",
    "App",
    "AuthenticationError",
    "Bundle",
    "ClientCertificateRefused",
    "Clock",
    "ConnectionError",
    "ConnectionType",
    "DataError",
    "DataStores",
    "Egress",
    "ExecutionId",
    "InvalidConfigurationError",
    "ManualClock",
    "ModuleError",
    "ModuleHarness",
    "ModuleKind",
    "ModuleSpec",
    "ModuleTimeoutError",
    "OAuth2Endpoints",
    "OpenEgress",
    "PinnedHostContext",
    "RateLimitError",
    "RunContext",
    "RunStatus",
    "RuntimeError",
    "ScenarioId",
    "ScenarioRunner",
    "ScenarioState",
    "ScenaristError",
    "SystemClock",
    "TriggerEvent",
    "client_ssl_context",
    "connection_fields",
    "new_id",
    "output_schema",
    "run_blocking",
]
