"""The fields of the ``email.smtp`` and ``email.imap`` connections, and their TLS.

Both are secure by default: SMTP upgrades with STARTTLS, IMAP connects with
implicit TLS, and certificates are verified against the system's trust store
plus ``ca_cert`` when given. ``security: "none"`` and ``tls_verify: false``
are there for servers on a trusted network, as a deliberate choice.
"""

from __future__ import annotations

import ssl
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenarist.sdk import InvalidConfigurationError, connection_fields, run_blocking, sockets

SmtpSecurity = Literal["starttls", "ssl", "none"]
ImapSecurity = Literal["ssl", "starttls", "none"]
DEFAULT_PORTS: dict[str, dict[str, int]] = {
    "smtp": {"starttls": 587, "ssl": 465, "none": 25},
    "imap": {"starttls": 143, "ssl": 993, "none": 143},
}
F = TypeVar("F", bound=BaseModel)


class _ServerFields(BaseModel):
    """What both protocols share: where the server is, how to log in, how to trust it."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(description="Server host name or IP address.", examples=["smtp.example.com"])
    port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="Server port; empty for the usual port of the security mode "
        "(SMTP: 587 STARTTLS, 465 SSL, 25 none; IMAP: 993 SSL, 143 otherwise).",
        examples=[587],
    )
    username: str = Field(
        default="",
        description="Login name; empty to send without logging in (SMTP only).",
        examples=["ada@example.com"],
    )
    password: str = Field(default="", description="Password (kept secret).", examples=["app-password"])
    tls_verify: bool = Field(
        default=True,
        description="Verify the server's certificate and host name. Turn off only for a "
        "server you trust on a private network.",
        examples=[True],
    )
    ca_cert: str | None = Field(
        default=None,
        description="Extra certificate authority to trust (PEM), e.g. for a self-signed server certificate.",
        examples=["-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"],
    )

    @field_validator("host")
    @classmethod
    def _plain_host(cls, value: str) -> str:
        value = value.strip()
        if not value or any(c.isspace() or c in "/@" for c in value):
            raise ValueError("give a bare host name or IP address, without scheme, path or user")
        return value

    @field_validator("ca_cert")
    @classmethod
    def _pem(cls, value: str | None) -> str | None:
        if value is not None and not value.strip():
            return None
        if value is not None and "-----BEGIN CERTIFICATE-----" not in value:
            raise ValueError("ca_cert must be a PEM certificate (-----BEGIN CERTIFICATE-----)")
        return value

    security: str

    def tls_settings(self) -> sockets.Tls | None:
        """The system's roots and ``ca_cert``, checked unless ``tls_verify`` is off; None for ``security: none``."""
        if self.security == "none":
            return None
        return sockets.Tls(verify=self.tls_verify, ca_cert=self.ca_cert, system_roots=True)


class SmtpFields(_ServerFields):
    """An SMTP server to send through, and the address mail comes from."""

    security: SmtpSecurity = Field(
        default="starttls",
        description="starttls: connect, then upgrade to TLS (required); ssl: TLS from the first "
        "byte (implicit TLS); none: no encryption at all.",
        examples=["starttls"],
    )
    from_address: str = Field(
        description="Sender address, optionally with a name.",
        examples=["Ada Lovelace <ada@example.com>"],
    )

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS["smtp"][self.security]


class ImapFields(_ServerFields):
    """An IMAP mailbox to read from."""

    username: str = Field(description="Login name.", examples=["ada@example.com"])
    password: str = Field(description="Password (kept secret).", examples=["app-password"])
    security: ImapSecurity = Field(
        default="ssl",
        description="ssl: TLS from the first byte (implicit TLS); starttls: connect, then upgrade "
        "to TLS (required); none: no encryption at all.",
        examples=["ssl"],
    )
    mailbox: str = Field(default="INBOX", description="Mailbox (folder) to read.", examples=["INBOX"])

    @property
    def effective_port(self) -> int:
        return self.port or DEFAULT_PORTS["imap"][self.security]


def fields_of(connection: Mapping[str, Any] | None, model: type[F], key: str, module: str) -> F:
    """The validated fields of ``connection``, which must be of type ``key``."""
    if connection is None:
        raise InvalidConfigurationError(f"{module} needs a {key} connection")
    if connection.get("type") != key:
        raise InvalidConfigurationError(
            f"{module} cannot use a connection of type {connection.get('type')!r}; it needs {key}"
        )
    return connection_fields(connection, model, key)


async def tls_context(fields: _ServerFields) -> ssl.SSLContext | None:
    """The client TLS context of ``fields`` (None for ``security: none``), built in a thread: it reads the
    trust store."""
    return await run_blocking(sockets.tls_context, fields.tls_settings(), fields.host)
