"""``scenarist.sdk.sockets``: the kit of apps that open their own sockets."""

from __future__ import annotations

import ssl
from typing import Any

import pytest
from pydantic import Field

from scenarist.sdk import (
    AuthenticationError,
    ConnectionError,
    DataError,
    Egress,
    InvalidConfigurationError,
    ModuleTimeoutError,
    OpenEgress,
    PinnedHostContext,
    RuntimeError,
    sockets,
)
from scenarist.sdk.sockets import TLS_HINT, ErrorMap, Rule, Tls, certificate_problem, resolve, tls_context


class BrokerFields(sockets.ServerFields):
    """A broker with a TLS switch, as the socket apps declare theirs."""

    port: int = Field(default=7000, ge=1, le=65535, description="Broker port.")
    username: str = Field(min_length=1)
    password: str = ""
    tls: sockets.TlsSwitch = True
    ca_cert: sockets.CaCert = None

    def tls_settings(self) -> Tls | None:
        return Tls(ca_cert=self.ca_cert) if self.tls else None


class LibraryError(Exception):
    """A client library's own failure."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


class OtherLibraryError(LibraryError):
    pass


def untrusted(message: str = "self-signed certificate") -> ssl.SSLCertVerificationError:
    exc = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    exc.verify_message = message
    return exc


# -- fields and TLS ------------------------------------------------------------------------------


def test_the_server_fields_come_first_and_keep_their_place_when_redeclared() -> None:
    assert list(BrokerFields.model_fields) == ["host", "port", "username", "password", "tls", "ca_cert"]
    schema = BrokerFields.model_json_schema()["properties"]
    assert schema["port"]["default"] == 7000 and schema["host"]["minLength"] == 1
    assert schema["tls"]["default"] is True and "trusted networks only" in schema["tls"]["description"]
    assert schema["ca_cert"]["default"] is None


def test_extra_fields_are_refused() -> None:
    with pytest.raises(ValueError, match="extra"):
        BrokerFields.model_validate({"host": "h", "username": "u", "colour": "red"})


def test_no_tls_settings_is_plain_tcp() -> None:
    plain = sockets.ServerFields(host="h", port=1)
    assert plain.tls_settings() is None and plain.tls_context() is None and plain.transport == "plain"
    assert tls_context(None, "h") is None


def test_the_default_tls_verifies_certificate_and_host_name_of_the_configured_host() -> None:
    fields = BrokerFields(host="mq.example.com", username="u")
    context = fields.tls_context()
    assert isinstance(context, PinnedHostContext) and fields.transport == "TLS"
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert context.pinned_hostname == "mq.example.com"
    bio = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="192.0.2.7")
    assert bio.server_hostname == "mq.example.com"


def test_tls_settings_reach_the_context() -> None:
    encrypt_only = tls_context(Tls(verify=False, check_hostname=False), "db")
    assert encrypt_only is not None and encrypt_only.verify_mode == ssl.CERT_NONE and not encrypt_only.check_hostname
    no_host_check = tls_context(Tls(check_hostname=False), "db")
    assert no_host_check is not None and no_host_check.verify_mode == ssl.CERT_REQUIRED
    assert not no_host_check.check_hostname


def test_a_context_class_can_be_asked_for() -> None:
    class Tracking(PinnedHostContext):
        pass

    context = BrokerFields(host="h", username="u").tls_context(context_class=Tracking)
    assert isinstance(context, Tracking)


def test_an_unusable_ca_cert_is_a_configuration_error() -> None:
    pem = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"
    fields = BrokerFields(host="h", username="u", ca_cert=pem)
    with pytest.raises(InvalidConfigurationError, match="ca_cert"):
        fields.tls_context()


# -- the address ---------------------------------------------------------------------------------


class _Failing:
    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    async def resolve(self, host: str, port: int) -> str:
        raise self.exc


async def test_resolve_asks_the_egress_guard_and_defaults_to_the_system_resolver() -> None:
    assert await resolve(None, "127.0.0.1", 80) == "127.0.0.1"
    with pytest.raises(ConnectionError, match=r"cannot resolve db\.example: nope"):
        await resolve(_Failing(OSError("nope")), "db.example", 5432)
    with pytest.raises(ConnectionError, match="not an allowed destination"):
        await resolve(_Failing(ConnectionError("db.example is not an allowed destination")), "db.example", 5432)


# -- errors --------------------------------------------------------------------------------------


def test_rules_apply_in_order_and_match_classes_tuples_unions_and_tests() -> None:
    errors = ErrorMap(
        "X at h:1",
        Rule(lambda exc: str(exc).startswith("WRONGPASS"), AuthenticationError),
        Rule(OtherLibraryError, InvalidConfigurationError, "{where} refused: {exc} ({kind})"),
        Rule((KeyError, IndexError), DataError, "lookup"),
        Rule(ValueError | ArithmeticError, DataError, "value"),
        Rule(LibraryError, lambda exc: ConnectionError if 400 <= getattr(exc, "code", 0) < 500 else DataError,
             lambda exc: f"code {getattr(exc, 'code', 0)}"),
    )
    wrong = errors.error(OtherLibraryError("WRONGPASS invalid"))
    assert isinstance(wrong, AuthenticationError) and wrong.message == "X at h:1: WRONGPASS invalid"
    other = errors.error(OtherLibraryError("no vhost"))
    assert isinstance(other, InvalidConfigurationError)
    assert other.message == "X at h:1 refused: no vhost (OtherLibraryError)"
    assert errors.error(IndexError()).message == "lookup"
    assert errors.error(ZeroDivisionError()).message == "value"
    assert isinstance(errors.error(LibraryError("busy", 421)), ConnectionError)
    refused = errors.error(LibraryError("no such mailbox", 550))
    assert isinstance(refused, DataError) and refused.message == "code 550"


def test_a_module_error_is_kept_as_it_is() -> None:
    raised = DataError("bad row")
    assert ErrorMap("X", Rule(Exception, RuntimeError)).error(raised) is raised


def test_a_certificate_that_failed_the_check_is_found_behind_the_library_error() -> None:
    try:
        try:
            raise untrusted("certificate has expired")
        except ssl.SSLError as exc:
            raise LibraryError("handshake failed") from exc
    except LibraryError as exc:
        wrapped = exc
    assert certificate_problem(wrapped) is wrapped.__cause__
    assert certificate_problem(LibraryError("no")) is None
    error = ErrorMap("Redis at h:1").error(wrapped)
    assert isinstance(error, InvalidConfigurationError)
    assert "Redis at h:1: the server's certificate could not be verified (certificate has expired)" in error.message
    assert "ca_cert" in error.message
    assert isinstance(ErrorMap("FTP", certificate=AuthenticationError).error(untrusted()), AuthenticationError)


def test_the_rules_every_socket_shares() -> None:
    errors = ErrorMap("Broker at h:1")
    timeout = errors.error(TimeoutError())
    assert isinstance(timeout, ModuleTimeoutError) and timeout.message == "Broker at h:1 did not answer in time"
    handshake = errors.error(ssl.SSLError(1, "wrong version number"))
    assert isinstance(handshake, ConnectionError) and "TLS failed" in handshake.message
    refused = errors.error(ConnectionRefusedError(111, "Connection refused"))
    assert isinstance(refused, ConnectionError)
    assert refused.message == ("Broker at h:1 could not be reached or broke off: "
                               "ConnectionRefusedError: Connection refused")
    assert isinstance(errors.error(EOFError()), ConnectionError)


def test_tls_on_adds_the_hint_to_timeouts_and_unreachable_servers_and_to_templates() -> None:
    errors = ErrorMap("Broker at h:1", Rule(LibraryError, ConnectionError, "{where} gave up{hint}"), tls=True)
    assert errors.error(TimeoutError()).message.endswith(TLS_HINT)
    assert errors.error(OSError(104, "Connection reset")).message.startswith(f"Broker at h:1 could not be reached "
                                                                           f"or broke off{TLS_HINT}")
    assert errors.error(LibraryError("x")).message == f"Broker at h:1 gave up{TLS_HINT}"
    assert TLS_HINT not in ErrorMap("Broker").error(TimeoutError()).message


def test_app_rules_come_before_the_shared_ones_and_after_rules_after_them() -> None:
    errors = ErrorMap(
        "SQL at h:1",
        Rule(TimeoutError, ConnectionError, "{where} did not answer within 10 s"),
        after=(Rule(LibraryError, DataError, "SQL: {exc}"), Rule(Exception, ConnectionError, "last: {exc}")),
    )
    assert isinstance(errors.error(TimeoutError()), ConnectionError)
    assert isinstance(errors.error(OSError("down")), ConnectionError)
    assert errors.error(LibraryError("syntax")).message == "SQL: syntax"
    assert errors.error(KeyError("k")).message == "last: 'k'"


def test_what_no_rule_maps_is_a_runtime_error_naming_it() -> None:
    error = ErrorMap("X at h:1").error(KeyError("k"))
    assert isinstance(error, RuntimeError) and error.message == "X at h:1: KeyError: 'k'"


def test_a_template_does_not_read_braces_in_the_exception() -> None:
    assert ErrorMap("X").error(TimeoutError("{where}")).message == "X did not answer in time"
    assert ErrorMap("X", Rule(LibraryError, DataError)).error(LibraryError("{hint} {0}")).message == "X: {hint} {0}"


def test_translating_raises_the_mapped_error_chained_to_the_failure() -> None:
    errors = ErrorMap("X at h:1", Rule(LibraryError, AuthenticationError, "{where} refused the login"))
    failure = LibraryError("530")
    with pytest.raises(AuthenticationError, match="X at h:1 refused the login") as caught, errors.translating():
        raise failure
    assert caught.value.__cause__ is failure


def test_translating_lets_module_errors_and_unmapped_failures_through() -> None:
    errors = ErrorMap("X", Rule(LibraryError, DataError))
    with pytest.raises(InvalidConfigurationError, match="mine"), errors.translating():
        raise InvalidConfigurationError("mine")
    with pytest.raises(KeyError), errors.translating():
        raise KeyError("a bug stays a bug")


def test_translating_catches_only_the_classes_it_is_given() -> None:
    errors = ErrorMap("X", Rule(LibraryError, DataError))
    with pytest.raises(OSError), errors.translating(LibraryError):
        raise OSError("not mine to map")
    with pytest.raises(DataError), errors.translating(LibraryError):
        raise OtherLibraryError("refused")


async def test_translating_works_around_awaits() -> None:
    async def fails() -> None:
        raise TimeoutError

    with pytest.raises(ModuleTimeoutError), ErrorMap("X").translating():
        await fails()


# -- the connection test -------------------------------------------------------------------------


async def test_a_connection_test_validates_then_probes_through_the_egress_guard() -> None:
    seen: list[tuple[BrokerFields, Egress]] = []

    async def probe(fields: BrokerFields, egress: Egress) -> str:
        seen.append((fields, egress))
        return f"connected to {fields.host} ({fields.transport})"

    guard = OpenEgress()
    raw: dict[str, Any] = {"host": "mq", "username": "u", "tls": False}
    assert await sockets.connection_test(BrokerFields, raw, "x.broker", guard, probe) == "connected to mq (plain)"
    assert seen[-1] == (BrokerFields(host="mq", username="u", tls=False), guard)
    await sockets.connection_test(BrokerFields, raw, "x.broker", None, probe)
    assert isinstance(seen[-1][1], OpenEgress)


async def test_a_connection_test_of_incomplete_fields_names_them_never_their_values() -> None:
    async def probe(fields: BrokerFields, egress: Egress) -> str:
        raise AssertionError("not reached")

    raw = {"port": "not a port", "password": "hunter2-secret"}
    with pytest.raises(InvalidConfigurationError, match=r"the x\.broker connection is incomplete: host") as caught:
        await sockets.connection_test(BrokerFields, raw, "x.broker", None, probe)
    assert "port" in caught.value.message and "username" in caught.value.message
    assert "hunter2-secret" not in caught.value.message and "not a port" not in caught.value.message
