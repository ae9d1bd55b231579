"""``client_ssl_context``: the one way apps build a client TLS context."""

import ssl

import pytest

from scenarist.sdk import InvalidConfigurationError, PinnedHostContext, client_ssl_context


def test_the_default_verifies_certificate_and_host_against_the_system_roots() -> None:
    context = client_ssl_context()
    assert isinstance(context, PinnedHostContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.pinned_hostname is None


def test_verify_off_accepts_any_certificate_and_loads_no_roots() -> None:
    context = client_ssl_context(verify=False)
    assert context.verify_mode == ssl.CERT_NONE
    assert not context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0


def test_the_host_name_check_can_be_left_out() -> None:
    context = client_ssl_context(check_hostname=False)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert not context.check_hostname


def test_a_pem_that_is_not_a_certificate_is_a_configuration_error() -> None:
    with pytest.raises(InvalidConfigurationError, match="ca_cert is not a usable PEM certificate"):
        client_ssl_context(ca_cert="-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(InvalidConfigurationError, match="ca_cert"):
        client_ssl_context(ca_cert="no pem at all")


def test_the_pinned_host_name_is_what_the_server_is_told() -> None:
    context = client_ssl_context(pinned_hostname="db.example.com")
    bio = context.wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="192.0.2.1")
    assert bio.server_hostname == "db.example.com"
    unpinned = client_ssl_context().wrap_bio(ssl.MemoryBIO(), ssl.MemoryBIO(), server_hostname="a.example")
    assert unpinned.server_hostname == "a.example"


def test_a_subclass_can_be_asked_for() -> None:
    class Mine(PinnedHostContext):
        pass

    context = client_ssl_context(verify=False, context_class=Mine)
    assert isinstance(context, Mine)


def _self_signed_pem() -> str:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def test_ca_cert_replaces_the_system_roots_unless_they_are_asked_for_too() -> None:
    pem = _self_signed_pem()
    only = client_ssl_context(ca_cert=pem)
    assert only.cert_store_stats()["x509_ca"] == 1
    both = client_ssl_context(ca_cert=pem, system_roots=True)
    assert both.cert_store_stats()["x509_ca"] >= 1
    assert client_ssl_context(ca_cert=pem, verify=False).verify_mode == ssl.CERT_NONE
