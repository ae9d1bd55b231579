"""The ``http.client_certificate`` connection: mutual TLS, the credential being a certificate and its key.

A client certificate is presented in the TLS handshake, not in a header, but it
still reaches modules the way every credential does, as ``ctx.auth``:
:class:`ClientCertificateAuth` tags each request with the connection's
``ssl.SSLContext`` (the transport's ``scenarist.ssl_context`` extension) and
the transport connects with it. ``http.request`` and ``http.download`` send
with ``auth=ctx.auth`` and need to know nothing more. The certificate follows
redirects, as curl's ``--cert`` does.

Building a context costs about 20 ms (the system's roots, the key), so it is
built in a worker thread and shared by a hash of the fields for as long as
something uses it (a step's auth, a pooled connection): a weak cache, so a
deleted connection leaves no key behind in memory for long.

``ssl`` loads a certificate and key only from files. They go to anonymous
memory files (``memfd``, read through ``/proc/self/fd``) where the system has
them; elsewhere to 0600 files in a private temporary folder, removed as soon as
loaded. No error message quotes a field's value. The PEMs are read with
cryptography in ``_pem``, imported when a context is first built or a
connection tested, not when the catalogue is read.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import ssl
import tempfile
import weakref
from collections.abc import AsyncGenerator, Generator, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from scenarist.sdk import CLIENT_TLS, ConnectionType, Egress, InvalidConfigurationError, client_ssl_context

KEY = "http.client_certificate"
_PROC_FD = "/proc/self/fd"
_CONTEXTS: weakref.WeakValueDictionary[bytes, ssl.SSLContext] = weakref.WeakValueDictionary()
"""Built contexts by the SHA-256 of their fields; each lives while a step or a pooled connection holds it."""

_CERTIFICATE_BEGIN = "-----BEGIN CERTIFICATE-----"
_PEM_EXAMPLE = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU...\n-----END CERTIFICATE-----\n"


class ClientCertificateFields(BaseModel):
    """A client certificate, its private key, and optionally the private CA that signed the server's."""

    model_config = ConfigDict(extra="forbid")

    certificate: str = Field(
        min_length=1,
        description="The client certificate, PEM; its intermediate certificates may follow it (the chain).",
        examples=[_PEM_EXAMPLE],
    )
    private_key: str = Field(
        min_length=1,
        description="The certificate's private key, PEM (PKCS#8, PKCS#1 or SEC1, possibly encrypted; kept secret).",
        examples=["-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEG...\n-----END PRIVATE KEY-----\n"],
    )
    passphrase: str | None = Field(
        default=None,
        description="The passphrase of an encrypted private key (kept secret).",
        examples=["key passphrase"],
    )
    ca_certificate: str | None = Field(
        default=None,
        description="PEM certificate(s) of a private CA to trust for the server, besides the system's.",
        examples=[_PEM_EXAMPLE],
    )

    @field_validator("passphrase", "ca_certificate", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("certificate", "ca_certificate")
    @classmethod
    def _certificate_pem(cls, value: str | None) -> str | None:
        if value is not None and _CERTIFICATE_BEGIN not in value:
            raise ValueError(f"must be PEM text: {_CERTIFICATE_BEGIN} ...")
        return value

    @field_validator("private_key")
    @classmethod
    def _key_pem(cls, value: str) -> str:
        if "PRIVATE KEY-----" not in value:
            raise ValueError("must be a PEM private key: -----BEGIN PRIVATE KEY----- ...")
        return value


class ClientCertificateAuth(httpx.Auth):
    """Sends each request over TLS with the connection's client certificate.

    It keeps the context it got: one step's requests share it (and so their pooled connections).
    """

    def __init__(self, fields: ClientCertificateFields) -> None:
        self._fields = fields
        self._context: ssl.SSLContext | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """For a synchronous client: build the context here, blocking."""
        _require_https(request)
        if self._context is None:
            self._context = client_context(self._fields)
        request.extensions[CLIENT_TLS] = self._context
        yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Tag the request with the context: cached, else built in a worker thread."""
        _require_https(request)
        if self._context is None:
            cached = _CONTEXTS.get(_digest(self._fields))
            self._context = cached or await asyncio.to_thread(client_context, self._fields)
        request.extensions[CLIENT_TLS] = self._context
        yield request


def _require_https(request: httpx.Request) -> None:
    if request.url.scheme != "https":
        raise InvalidConfigurationError(
            f"a client certificate is presented only over https://, and this URL is {request.url.scheme}://"
        )


def client_context(fields: ClientCertificateFields) -> ssl.SSLContext:
    """The TLS client context that presents this certificate, from the cache or built (blocking)."""
    digest = _digest(fields)
    context = _CONTEXTS.get(digest)
    if context is None:
        context = _build(fields)
        _CONTEXTS[digest] = context
    return context


def _digest(fields: ClientCertificateFields) -> bytes:
    parts = [fields.certificate, fields.private_key, fields.passphrase or "", fields.ca_certificate or ""]
    return hashlib.sha256(json.dumps(parts).encode()).digest()


def _build(fields: ClientCertificateFields) -> ssl.SSLContext:
    """Check the PEMs (clear messages), then load them into a context that verifies the server."""
    from scenarist.apps.http._pem import certificates, chain_pem, parse

    chain, _ = parse(fields)
    if fields.ca_certificate:
        certificates(fields.ca_certificate, "ca_certificate")
    context = client_ssl_context(ca_cert=fields.ca_certificate or None, system_roots=True)
    context.set_alpn_protocols(["http/1.1"])
    certificate = chain_pem(chain)
    with _readable_files(certificate, fields.private_key.encode()) as (cert_path, key_path):
        try:
            context.load_cert_chain(cert_path, key_path, password=passphrase_bytes(fields))
        except ssl.SSLError as exc:
            raise InvalidConfigurationError(f"TLS cannot use the certificate and key ({exc.reason})") from None
    return context


def passphrase_bytes(fields: ClientCertificateFields) -> bytes:
    """The passphrase as bytes, empty when none: ``ssl`` then never prompts on the terminal."""
    return (fields.passphrase or "").encode()


@contextmanager
def _readable_files(*contents: bytes) -> Iterator[list[str]]:
    """Paths that read back ``contents``, gone on exit: memory files where possible, else private files."""
    if hasattr(os, "memfd_create") and os.path.isdir(_PROC_FD):
        with _memory_files(*contents) as paths:
            yield paths
    else:
        with _private_files(*contents) as paths:
            yield paths


@contextmanager
def _memory_files(*contents: bytes) -> Iterator[list[str]]:
    """Anonymous in-memory files (never on a disk), named through ``/proc/self/fd``."""
    descriptors: list[int] = []
    try:
        for data in contents:
            descriptor = os.memfd_create("scenarist-tls", os.MFD_CLOEXEC)
            descriptors.append(descriptor)
            _write_all(descriptor, data)
        yield [f"{_PROC_FD}/{descriptor}" for descriptor in descriptors]
    finally:
        for descriptor in descriptors:
            os.close(descriptor)


@contextmanager
def _private_files(*contents: bytes) -> Iterator[list[str]]:
    """0600 files in a 0700 temporary folder, removed with it on exit."""
    with tempfile.TemporaryDirectory(prefix="scenarist-tls-") as folder:
        paths = []
        for index, data in enumerate(contents):
            path = os.path.join(folder, f"{index}.pem")
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                _write_all(descriptor, data)
            finally:
                os.close(descriptor)
            paths.append(path)
        yield paths


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _fields(fields: Mapping[str, Any]) -> ClientCertificateFields:
    try:
        return ClientCertificateFields.model_validate(dict(fields))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise InvalidConfigurationError(f"the {KEY} connection is incomplete: {problems}") from None


def _auth(fields: Mapping[str, Any]) -> httpx.Auth:
    return ClientCertificateAuth(_fields(fields))


async def check(fields: Mapping[str, Any], egress: Egress | None = None) -> str:
    """The connection test: the PEMs load, the key matches, the certificate is in its validity period."""
    from scenarist.apps.http._pem import parse, validity

    checked = _fields(fields)
    chain, _ = await asyncio.to_thread(parse, checked)
    await asyncio.to_thread(client_context, checked)
    return validity(chain[0], datetime.now(UTC))


CLIENT_CERTIFICATE = ConnectionType(
    KEY, "Client certificate (mutual TLS)", ClientCertificateFields, ("private_key", "passphrase"),
    test=check, auth=_auth,
)
