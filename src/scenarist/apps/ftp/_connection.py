"""Connection types of the FTP app, as data: ``ftp.ftp`` (FTP and FTPS) and ``ftp.sftp``.

A connection reaches a module as ``{"type": "ftp.sftp", "fields": {...}}``;
``connection_fields`` checks the fields against the type's model. The secure
mode is the default everywhere (contract section 9): FTP starts with
``AUTH TLS`` unless ``security`` says otherwise, and SFTP refuses a server
whose host key it was not told to trust. asyncssh reads host keys, and is
imported only when one is checked: reading the catalogue does not load it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from scenarist.sdk import InvalidConfigurationError, sockets
from scenarist.sdk import connection_fields as checked_fields

if TYPE_CHECKING:
    import asyncssh

Security = Literal["explicit_tls", "implicit_tls", "none"]
FTP_TYPE, SFTP_TYPE = "ftp.ftp", "ftp.sftp"
MAX_TIMEOUT_SECONDS = 600.0


def _host(value: str) -> str:
    host = value.strip()
    if "://" in host or "/" in host:
        raise ValueError("give the host name or address only, without a scheme or path")
    if not host:
        raise ValueError("the host is empty")
    return host


class FtpFields(BaseModel):
    """An FTP server, reached over FTPS (TLS) by default or in plain text when chosen."""

    model_config = ConfigDict(extra="forbid")

    security: Security = Field(
        default="explicit_tls",
        description="explicit_tls: FTPS, the connection is upgraded with AUTH TLS (default); "
        "implicit_tls: FTPS with TLS from the first byte (usually port 990); "
        "none: plain FTP, user name, password and files travel unencrypted.",
        examples=["explicit_tls"],
    )
    host: str = Field(description="Server host name or IP address.", examples=["ftp.example.com"])
    port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="TCP port; empty: 21, or 990 with implicit_tls.",
        examples=[21],
    )
    username: str = Field(default="anonymous", description="User name.", examples=["ada"])
    password: str = Field(default="", description="Password (kept secret).", examples=["correct horse"])
    passive: bool = Field(
        default=True,
        description="Passive mode: the client opens the data connections (works through NAT and firewalls).",
        examples=[True],
    )
    tls_verify: bool = Field(
        default=True,
        description="Check the server's TLS certificate and host name; turn off only for a server you trust.",
        examples=[True],
    )
    ca_cert: str | None = Field(
        default=None,
        description="PEM certificate(s) to trust for this server besides the system's, "
        "e.g. its self-signed certificate.",
        examples=["-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----"],
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        description="Give up when the server does not answer for this many seconds.",
        examples=[30],
    )

    @field_validator("host")
    @classmethod
    def _plain_host(cls, value: str) -> str:
        return _host(value)

    @property
    def effective_port(self) -> int:
        """The port to use: the given one, else the protocol's usual one."""
        if self.port is not None:
            return self.port
        return 990 if self.security == "implicit_tls" else 21

    def tls_settings(self) -> sockets.Tls | None:
        """The system's roots and ``ca_cert``, checked unless ``tls_verify`` is off; None for plain FTP."""
        if self.security == "none":
            return None
        return sockets.Tls(verify=self.tls_verify, ca_cert=self.ca_cert, system_roots=True)


class SftpFields(BaseModel):
    """An SSH server offering SFTP; password and/or key authentication."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(description="Server host name or IP address.", examples=["sftp.example.com"])
    port: int = Field(default=22, ge=1, le=65535, description="TCP port.", examples=[22])
    username: str = Field(description="User name.", examples=["ada"])
    password: str | None = Field(
        default=None, description="Password (kept secret); optional with a private key.", examples=["correct horse"]
    )
    private_key: str | None = Field(
        default=None,
        description="Private key in PEM or OpenSSH format (kept secret); optional with a password.",
        examples=["-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn...\n-----END OPENSSH PRIVATE KEY-----"],
    )
    passphrase: str | None = Field(
        default=None, description="Passphrase of an encrypted private key (kept secret).", examples=["key pass"]
    )
    known_host_key: str | None = Field(
        default=None,
        description="The server's public host key, as a line of ssh-keyscan or known_hosts "
        "(one key per line); the connection is refused when the server presents another key.",
        examples=["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMq..."],
    )
    accept_unknown_host_key: bool = Field(
        default=False,
        description="Connect without a known_host_key and trust whatever key the server presents "
        "(open to man-in-the-middle attacks).",
        examples=[False],
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=MAX_TIMEOUT_SECONDS,
        description="Give up when the server does not answer for this many seconds.",
        examples=[30],
    )

    @field_validator("host")
    @classmethod
    def _plain_host(cls, value: str) -> str:
        return _host(value)

    @field_validator("known_host_key")
    @classmethod
    def _readable_host_key(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            host_keys(value)
            return value.strip()
        return None

    @model_validator(mode="after")
    def _some_credential(self) -> SftpFields:
        if not self.password and not self.private_key:
            raise ValueError("give a password, a private key or both")
        return self


def host_keys(text: str) -> list[asyncssh.SSHKey]:
    """The public keys in ``text``: one per line, ``ssh-keyscan``/known_hosts lines accepted."""
    keys = []
    for line in text.strip().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        keys.append(_one_host_key(line))
    if not keys:
        raise ValueError("no public key found in known_host_key")
    return keys


def _one_host_key(line: str) -> asyncssh.SSHKey:
    """One key line, with or without the host names that known_hosts puts first."""
    import asyncssh

    candidates = [line]
    head, _, rest = line.partition(" ")
    if rest and not head.startswith(("ssh-", "ecdsa-", "sk-")):
        candidates.append(rest.strip())
    for candidate in candidates:
        try:
            return asyncssh.import_public_key(candidate)
        except (asyncssh.KeyImportError, ValueError):
            continue
    raise ValueError("known_host_key is not an OpenSSH public key line (like 'ssh-ed25519 AAAA...')")


_FIELDS: dict[str, type[FtpFields] | type[SftpFields]] = {FTP_TYPE: FtpFields, SFTP_TYPE: SftpFields}


def connection_fields(connection: Mapping[str, Any] | None) -> FtpFields | SftpFields:
    """The checked fields of ``connection``; ``InvalidConfigurationError`` when missing,
    foreign or incomplete (the message names fields, never their values)."""
    if connection is None:
        raise InvalidConfigurationError("this module needs an ftp.ftp or ftp.sftp connection")
    kind = connection.get("type")
    model = _FIELDS.get(str(kind))
    if model is None:
        raise InvalidConfigurationError(f"the FTP app cannot use a connection of type {kind!r}")
    return checked_fields(connection, model, str(kind))
