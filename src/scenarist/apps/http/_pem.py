"""Reading the PEM text of a ``http.client_certificate`` connection (cryptography's X.509 parts).

Every message names the field that is wrong, never its value. cryptography's
X.509 and serialization modules cost a megabyte or so, so ``_client_cert``
imports this module when it first builds a context or tests a connection,
not when the catalogue is read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes

from scenarist.apps.http._client_cert import ClientCertificateFields, passphrase_bytes
from scenarist.sdk import InvalidConfigurationError


def parse(fields: ClientCertificateFields) -> tuple[list[x509.Certificate], PrivateKeyTypes]:
    """The certificate chain and the private key; an ``InvalidConfigurationError`` naming what is wrong."""
    chain = certificates(fields.certificate, "certificate")
    key = _private_key(fields)
    if _public_der(chain[0].public_key()) != _public_der(key.public_key()):
        raise InvalidConfigurationError("the private key does not match the certificate")
    return chain, key


def certificates(pem: str, name: str) -> list[x509.Certificate]:
    """The certificates in ``pem``, the field ``name``; an ``InvalidConfigurationError`` when there are none."""
    try:
        return x509.load_pem_x509_certificates(pem.encode())
    except ValueError:
        raise InvalidConfigurationError(f"{name} is not a PEM certificate (-----BEGIN CERTIFICATE-----)") from None


def _private_key(fields: ClientCertificateFields) -> PrivateKeyTypes:
    """The key, decrypted; a passphrase given for a key that needs none is ignored."""
    data, passphrase = fields.private_key.encode(), passphrase_bytes(fields) or None
    try:
        return serialization.load_pem_private_key(data, passphrase)
    except TypeError:
        if passphrase is None:
            raise InvalidConfigurationError("the private key is encrypted: give its passphrase") from None
        return _private_key(fields.model_copy(update={"passphrase": None}))
    except (ValueError, UnsupportedAlgorithm):
        if passphrase is not None and b"ENCRYPTED" in data:
            raise InvalidConfigurationError("the private key cannot be decrypted: is the passphrase right?") from None
        raise InvalidConfigurationError("private_key is not a usable PEM private key") from None


def chain_pem(chain: list[x509.Certificate]) -> bytes:
    """The certificates one after the other, as PEM (what ``ssl`` loads as a chain)."""
    return b"".join(cert.public_bytes(serialization.Encoding.PEM) for cert in chain)


def _public_der(key: Any) -> bytes:
    der: bytes = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return der


def validity(certificate: x509.Certificate, now: datetime) -> str:
    """What the test says about the certificate's dates (an error outside them)."""
    subject = certificate.subject.rfc4514_string() or "(no subject)"
    if now < certificate.not_valid_before_utc:
        raise InvalidConfigurationError(f"the certificate for {subject} is valid only from "
                                        f"{certificate.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")
    if now > certificate.not_valid_after_utc:
        raise InvalidConfigurationError(f"the certificate for {subject} expired on "
                                        f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    return (f"the certificate for {subject} and its private key match; valid until "
            f"{certificate.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
