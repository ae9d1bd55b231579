"""`scenarist serve --tls-cert/--tls-key` over a real socket: HTTPS answers carry HSTS (contract section 7)."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.server.conftest import TEST_KEYS


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 signed by its own key; the PEM files (cert, key)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def https_server(tmp_path: Path) -> Iterator[tuple[str, ssl.SSLContext]]:
    """``scenarist serve`` with TLS in a subprocess; its base URL and a context that trusts its certificate."""
    cert, key = self_signed(tmp_path)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCENARIST_")} | {"SCENARIST_SECRET_KEYS": TEST_KEYS}
    command = [sys.executable, "-m", "scenarist", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--data-dir", str(tmp_path / "data"), "--tls-cert", str(cert), "--tls-key", str(key)]
    process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    context = ssl.create_default_context(cafile=str(cert))
    base = f"https://127.0.0.1:{port}"
    try:
        wait_until_up(process, base, context)
        yield base, context
    finally:
        stop(process)


def wait_until_up(process: subprocess.Popen[bytes], base: str, context: ssl.SSLContext) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            raise AssertionError(f"serve exited with {process.returncode}:\n{output}")
        try:
            httpx.get(f"{base}/api/v1/healthz", verify=context, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not come up within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()
    if process.stdout:
        process.stdout.close()


def test_https_answers_carry_hsts(https_server: tuple[str, ssl.SSLContext]) -> None:
    base, context = https_server
    answer = httpx.get(f"{base}/api/v1/healthz", verify=context)
    assert answer.status_code == 200
    assert answer.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    assert answer.headers["x-content-type-options"] == "nosniff"


def test_session_cookie_is_secure_over_https(https_server: tuple[str, ssl.SSLContext]) -> None:
    base, context = https_server
    body = {"email": "ada@example.com", "password": "correct horse battery"}
    with httpx.Client(base_url=base, verify=context) as client:
        assert client.post("/api/v1/auth/register", json=body).status_code == 201
        answer = client.post("/api/v1/auth/login", json=body)
    assert answer.status_code == 200
    assert "Secure" in [part.strip() for part in answer.headers["set-cookie"].split(";")]

