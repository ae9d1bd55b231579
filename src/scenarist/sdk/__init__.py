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
from scenarist.sdk._module import (
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

__all__ = [
    "ERROR_TYPES",
    "RETRIED_TYPES",
    "App",
    "AuthenticationError",
    "ConnectionError",
    "ConnectionType",
    "DataError",
    "DataStores",
    "Egress",
    "InvalidConfigurationError",
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
    "RuntimeError",
    "ScenarioRunner",
    "ScenarioState",
    "ScenaristError",
    "TriggerEvent",
    "client_ssl_context",
    "connection_fields",
    "output_schema",
    "run_blocking",
]
