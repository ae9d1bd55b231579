"""Test certificates made with ``cryptography``: certificate authorities and what they issue, as PEM text.

    ca = Authority("Test CA")
    server = ca.issue("127.0.0.1", server=True)
    client = ca.issue("ada")
    client.cert_pem, client.key_pem(), client.key_pem(passphrase="s3cret")
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_KEY_USAGE = {name: False for name in ("digital_signature", "content_commitment", "key_encipherment",
                                        "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                                        "encipher_only", "decipher_only")}


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key; ``chain`` holds the intermediates that issued it, nearest first."""

    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def cert_pem(self) -> str:
        """The certificate, PEM."""
        return _pem(self.certificate)

    @property
    def chain_pem(self) -> str:
        """The certificate followed by its intermediates, PEM."""
        return "".join(_pem(cert) for cert in (self.certificate, *self.chain))

    def key_pem(self, passphrase: str | None = None, *, traditional: bool = False) -> str:
        """The private key, PEM: PKCS#8 (or the traditional SEC1 form), encrypted when a passphrase is given."""
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(passphrase.encode()) if passphrase else serialization.NoEncryption()
        )
        form = serialization.PrivateFormat.TraditionalOpenSSL if traditional else serialization.PrivateFormat.PKCS8
        return self.key.private_bytes(serialization.Encoding.PEM, form, encryption).decode()


class Authority:
    """A certificate authority (a root, or an intermediate of another) that issues certificates."""

    def __init__(self, common_name: str, parent: Authority | None = None) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.parent = parent
        issuer_name, issuer_key = (parent.certificate.subject, parent.key) if parent else (_name(common_name), self.key)
        self.certificate: x509.Certificate = (
            self._builder(_name(common_name), issuer_name, self.key, datetime.now(UTC), timedelta(days=2))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**_KEY_USAGE | {"key_cert_sign": True, "crl_sign": True}), critical=True)
            .sign(issuer_key, hashes.SHA256())
        )

    @property
    def cert_pem(self) -> str:
        """The authority's own certificate, PEM (what a peer trusts)."""
        return _pem(self.certificate)

    def intermediate(self, common_name: str) -> Authority:
        """An intermediate authority under this one."""
        return Authority(common_name, parent=self)

    def issue(self, common_name: str, *, server: bool = False, not_before: datetime | None = None,
              lifetime: timedelta = timedelta(days=1)) -> Issued:
        """A leaf certificate: for a server (its name and 127.0.0.1 as alternative names) or for a client."""
        key = ec.generate_private_key(ec.SECP256R1())
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = (
            self._builder(_name(common_name), self.certificate.subject, key, not_before or datetime.now(UTC), lifetime)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        )
        if server:
            names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
        return Issued(builder.sign(self.key, hashes.SHA256()), key, self._intermediates())

    def _intermediates(self) -> tuple[x509.Certificate, ...]:
        chain: list[x509.Certificate] = []
        authority: Authority | None = self
        while authority is not None and authority.parent is not None:
            chain.append(authority.certificate)
            authority = authority.parent
        return tuple(chain)

    def _builder(self, subject: x509.Name, issuer: x509.Name, key: ec.EllipticCurvePrivateKey,
                 not_before: datetime, lifetime: timedelta) -> x509.CertificateBuilder:
        start = not_before - timedelta(minutes=5)
        return (
            x509.CertificateBuilder()
            .subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + lifetime)
        )
