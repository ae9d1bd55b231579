"""The kit of apps that open their own sockets: mail and file servers, databases, brokers.

An app keeps its own connection fields (their names are what stored
connections hold) and describes the rest to the kit:

- ``ServerFields``: ``host`` and ``port``, first in the form; subclasses add
  theirs, and say in ``tls_settings`` how the connection is secured.
- ``Tls`` and ``tls_context``: whatever the fields call it (``tls: true``,
  ``tls: verify-full``, ``security`` with ``tls_verify``), the connection's
  TLS comes down to a ``Tls`` (None: plain TCP), and one function builds its
  context; the certificate check and SNI name the configured host, whatever
  address was dialled.
- ``resolve``: the address to dial, from the egress guard (contract section 9).
- ``ErrorMap``: a client library's failures as the SDK's errors, from the
  app's own rules and the ones every socket shares (an untrusted
  certificate, a timeout, a failed TLS handshake, an unreachable server).
- ``connection_test``: validate a connection test's fields, then probe the
  server through the egress guard.

    errors = ErrorMap(f"Redis at {fields.host}:{fields.port}",
                      Rule(redis_errors.AuthenticationError, AuthenticationError, "{where}: {exc}"),
                      tls=fields.tls)
    address = await resolve(egress, fields.host, fields.port)
    with errors.translating():
        await client.connect(address, fields.port, ssl=fields.tls_context())
"""

from __future__ import annotations

import ssl
import types
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk._errors import (
    ConnectionError,
    InvalidConfigurationError,
    ModuleError,
    ModuleTimeoutError,
)
from scenarist.sdk._errors import RuntimeError as ModuleRuntimeError
from scenarist.sdk._fields import validated_fields
from scenarist.sdk._module import Egress, OpenEgress
from scenarist.sdk._tls import PinnedHostContext, client_ssl_context

__all__ = [
    "TLS_HINT",
    "CaCert",
    "ErrorMap",
    "Rule",
    "ServerFields",
    "Tls",
    "TlsSwitch",
    "certificate_problem",
    "connection_test",
    "resolve",
    "tls_context",
]

FieldsT = TypeVar("FieldsT", bound=BaseModel)

TLS_HINT = "; does it speak TLS on this port? (tls is on; turn it off only on a trusted network)"
"""What ``ErrorMap(tls=True)`` adds to a timeout or an unreachable server: the usual cause."""


# -- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tls:
    """How a connection is secured, whatever the app's fields call it (no ``Tls``: plain TCP)."""

    verify: bool = True
    """The server's certificate must chain to a trusted root; False accepts any certificate."""
    check_hostname: bool = True
    """With ``verify``, the certificate must also name the host."""
    ca_cert: str | None = None
    """PEM certificate(s) to trust."""
    system_roots: bool | None = None
    """Trust the system's roots too; None: only when no ``ca_cert`` is given."""


def tls_context(
    tls: Tls | None, host: str, *, context_class: type[PinnedHostContext] = PinnedHostContext
) -> PinnedHostContext | None:
    """The client context of ``tls`` (None for plain TCP): TLS 1.2 or later, the certificate checked
    against (and SNI sent for) ``host`` whatever address the socket was connected to. A ``ca_cert``
    that is not usable PEM is an ``InvalidConfigurationError``. It reads the trust store: run it
    through ``run_blocking`` where that matters."""
    if tls is None:
        return None
    return client_ssl_context(
        verify=tls.verify, ca_cert=tls.ca_cert, check_hostname=tls.check_hostname, system_roots=tls.system_roots,
        pinned_hostname=host, context_class=context_class,
    )


TlsSwitch = Annotated[bool, Field(
    description="Encrypt with TLS and verify the server's certificate and host name; "
    "false: plain TCP, trusted networks only.",
    examples=[True],
)]
"""A ``tls`` field that is on by default: ``tls: TlsSwitch = True``; ``Tls()`` when on."""

CaCert = Annotated[str | None, Field(
    description="PEM certificate(s) of the authority that signed the server's certificate "
    "(default: the system's roots).",
    examples=["-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----"],
)]
"""A ``ca_cert`` field: ``ca_cert: CaCert = None``."""


class ServerFields(BaseModel):
    """Where the server is; a subclass adds how to log in and how TLS goes (``tls_settings``).

    Subclasses redeclare ``host`` or ``port`` to give them their own words or
    default port; they keep their place, first in the form."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, description="Server host name or address.", examples=["server.example.com"])
    port: int = Field(ge=1, le=65535, description="Server port.")

    def tls_settings(self) -> Tls | None:
        """How the connection is secured; None: plain TCP (the default of this base, for subclasses to change)."""
        return None

    def tls_context(self, *, context_class: type[PinnedHostContext] = PinnedHostContext) -> PinnedHostContext | None:
        """``tls_context(self.tls_settings(), self.host)``."""
        return tls_context(self.tls_settings(), self.host, context_class=context_class)

    @property
    def transport(self) -> str:
        """``TLS`` or ``plain``, for a connection test's report."""
        return "plain" if self.tls_settings() is None else "TLS"


# -- the address -------------------------------------------------------------------------------


async def resolve(egress: Egress | None, host: str, port: int) -> str:
    """The address to dial for ``host``: the egress guard's (``OpenEgress`` without one); a
    resolver failure is a ``ConnectionError``. Dial it, not ``host`` again."""
    try:
        return await (egress or OpenEgress()).resolve(host, port)
    except OSError as exc:
        raise ConnectionError(f"cannot resolve {host}: {exc}") from exc


# -- errors ------------------------------------------------------------------------------------

Match = type[BaseException] | tuple[type[BaseException], ...] | types.UnionType | Callable[[BaseException], bool]
Message = str | Callable[[BaseException], str]


@dataclass(frozen=True)
class Rule:
    """When an exception matches ``when`` (a class, a tuple or union of them, or a test), it becomes ``error``.

    ``error`` is an error class, or a function of the exception that picks one (by a reply code,
    say). ``message`` is a function of the exception, or a template that may use ``{where}`` (the
    map's), ``{exc}``, ``{kind}`` (the exception's class name) and ``{hint}`` (``TLS_HINT`` when the
    map's ``tls`` is on, else empty)."""

    when: Match
    error: type[ModuleError] | Callable[[BaseException], type[ModuleError]]
    message: Message = "{where}: {exc}"

    def matches(self, exc: BaseException) -> bool:
        if isinstance(self.when, type | tuple | types.UnionType):
            return isinstance(exc, self.when)
        return self.when(exc)

    def build(self, exc: BaseException, where: str, hint: str) -> ModuleError:
        if callable(self.message):
            text = self.message(exc)
        else:
            text = self.message.format(where=where, exc=exc, kind=type(exc).__name__, hint=hint)
        error: type[ModuleError] = self.error if isinstance(self.error, type) else self.error(exc)
        return error(text)


def certificate_problem(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate check that failed behind ``exc`` (libraries wrap it), if one did."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None or isinstance(seen, ssl.SSLCertVerificationError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


class ErrorMap:
    """A client library's failures as the SDK's errors (the contract's error types).

    ``error(exc)`` tries, in order: a ``ModuleError`` as it is; the ``rules``;
    then what every socket shares:

    - a certificate that failed the check (anywhere in the exception's causes):
      ``certificate`` (``InvalidConfigurationError``: trust its CA with ``ca_cert``);
    - ``TimeoutError``: ``ModuleTimeoutError``;
    - another TLS failure: ``ConnectionError``;
    - ``OSError`` or ``EOFError`` (refused, reset, unreachable): ``ConnectionError``;

    and last the ``after`` rules (say, a library's base class as a ``DataError``).
    ``where`` names the server in every message of the shared rules ("Redis at db:6379");
    with ``tls`` on they add ``TLS_HINT`` to timeouts and failures to connect. The
    messages hold the exception and ``where``, never the fields: never a secret.
    """

    def __init__(
        self,
        where: str,
        *rules: Rule,
        tls: bool = False,
        certificate: type[ModuleError] = InvalidConfigurationError,
        after: tuple[Rule, ...] = (),
    ) -> None:
        self.where = where
        self.rules = rules
        self.after = after
        self.hint = TLS_HINT if tls else ""
        self.certificate = certificate

    def _mapped(self, exc: BaseException) -> ModuleError | None:
        if isinstance(exc, ModuleError):
            return exc
        for rule in self.rules:
            if rule.matches(exc):
                return rule.build(exc, self.where, self.hint)
        where, hint = self.where, self.hint
        problem = certificate_problem(exc)
        if problem is not None:
            return self.certificate(
                f"{where}: the server's certificate could not be verified ({problem.verify_message}); "
                "trust its CA with ca_cert, or check the host name"
            )
        if isinstance(exc, TimeoutError):
            return ModuleTimeoutError(f"{where} did not answer in time{hint}")
        if isinstance(exc, ssl.SSLError):
            return ConnectionError(f"{where}: TLS failed{hint}: {getattr(exc, 'reason', None) or exc}")
        if isinstance(exc, OSError | EOFError):
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
            return ConnectionError(f"{where} could not be reached or broke off{hint}: {type(exc).__name__}: {reason}")
        for rule in self.after:
            if rule.matches(exc):
                return rule.build(exc, where, hint)
        return None

    def error(self, exc: BaseException) -> ModuleError:
        """The SDK's error for ``exc``: a ``RuntimeError`` naming it when no rule maps it."""
        mapped = self._mapped(exc)
        if mapped is None:
            return ModuleRuntimeError(f"{self.where}: {type(exc).__name__}: {exc}")
        return mapped

    @contextmanager
    def translating(self, *catch: type[Exception]) -> Iterator[None]:
        """Raise ``error(exc)``, chained, for what the block raises of the ``catch`` classes (any
        ``Exception`` by default); what no rule maps goes on as it is. Works around async code
        too: ``with errors.translating(): await ...``."""
        catching = catch or (Exception,)
        try:
            yield
        except ModuleError:
            raise
        except catching as exc:
            mapped = self._mapped(exc)
            if mapped is None:
                raise
            raise mapped from exc


# -- the connection test -----------------------------------------------------------------------


async def connection_test(
    model: type[FieldsT],
    raw_fields: Mapping[str, Any],
    key: str,
    egress: Egress | None,
    probe: Callable[[FieldsT, Egress], Awaitable[str]],
) -> str:
    """A connection type's ``test``: the fields validated by ``model`` (an ``InvalidConfigurationError``
    naming the fields at fault, never their values, as ``connection_fields`` words it for a
    connection of type ``key``), then ``await probe(fields, egress)``, which connects through
    ``egress`` (``OpenEgress`` without one), and returns its report."""
    fields = validated_fields(model, raw_fields, key)
    return await probe(fields, egress or OpenEgress())
