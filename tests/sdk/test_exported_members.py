"""The public app interface is pinned: a change to it is a deliberate change here."""

import scenarist.sdk
import scenarist.sdk.sockets
from scenarist.sdk import ERROR_TYPES, RETRIED_TYPES, DataError, ModuleError, RateLimitError


def test_exported_members() -> None:
    assert sorted(scenarist.sdk.__all__) == sorted([
        "ERROR_TYPES", "RETRIED_TYPES", "App", "AuthenticationError", "ConnectionError", "ConnectionType",
        "DataError", "DataStores", "Egress", "InvalidConfigurationError", "ModuleError", "ModuleHarness", "ModuleKind",
        "ModuleSpec",
        "ModuleTimeoutError", "OAuth2Endpoints", "OpenEgress", "PinnedHostContext", "RateLimitError", "RunContext",
        "RuntimeError",
        "ScenarioRunner", "ScenarioState", "ScenaristError", "TriggerEvent", "client_ssl_context", "connection_fields",
        "run_blocking", "output_schema",
        # the shapes and the HTTP extensions apps need, so that the SDK is their only door
        "JSON", "Bundle", "Clock", "ManualClock", "SystemClock", "RunStatus", "AccountId", "ExecutionId", "ScenarioId",
        "new_id", "AggregateInput", "ANSWER_LIMIT", "CLIENT_TLS", "AnswerTooLarge", "ClientCertificateRefused",
        # what a module declares of its params, so that the engine never names an app
        "AccountObject",
    ])
    for name in scenarist.sdk.__all__:
        assert hasattr(scenarist.sdk, name)


def test_the_socket_kit_is_pinned() -> None:
    assert sorted(scenarist.sdk.sockets.__all__) == sorted([
        "TLS_HINT", "CaCert", "ErrorMap", "Rule", "ServerFields", "Tls", "TlsSwitch", "certificate_problem",
        "connection_test", "resolve", "tls_context",
    ])
    for name in scenarist.sdk.sockets.__all__:
        assert hasattr(scenarist.sdk.sockets, name)


def test_error_types_are_the_contracts() -> None:
    assert set(ERROR_TYPES) == {
        "ConnectionError", "RateLimitError", "ModuleTimeoutError", "DataError",
        "InvalidConfigurationError", "AuthenticationError", "RuntimeError",
    }
    assert {"ConnectionError", "RateLimitError", "ModuleTimeoutError"} == RETRIED_TYPES


def test_the_docstring_is_the_default_message() -> None:
    assert DataError().message == "The data given to the module is not valid."
    assert DataError("custom").message == "custom"


def test_errors_carry_their_type_and_step() -> None:
    error: ModuleError = RateLimitError("slow down", retry_after=30, step="call")
    assert error.to_dict() == {"type": "RateLimitError", "message": "slow down", "step": "call"}
