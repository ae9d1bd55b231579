"""Request bodies of /api/v1 are capped (contract section 7), on a real ``scenarist serve``.

The attack: a client streams an endless (chunked) or a huge declared body to
the API, to make the server buffer it. Over the cap (``SCENARIST_API_MAX_BYTES``;
64 KiB under ``/api/v1/auth/``) the answer is 413 ``{"error": {...}}``, sent
while the client is still sending: from ``Content-Length`` before a byte of
the body is read, else as soon as the streamed bytes pass the cap. The server
then closes the connection without reading the rest.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serve_process import ServeProcess, live_server

CAP = 200_000
AUTH_CAP = 64 * 1024
CHUNK = 16 * 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with live_server(tmp_path_factory.mktemp("caps"), api_max_bytes=str(CAP)) as running:
        yield running


@pytest.fixture(scope="module")
def token(server: ServeProcess) -> str:
    return server.token()


def connect(server: ServeProcess, method: str, path: str, headers: dict[str, str]) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    sock.sendall((head + "\r\n").encode())
    return sock


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def read_answer(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    """The status, headers and JSON body of one answer (Content-Length framed)."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        assert part, f"connection closed before an answer: {data!r}"
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers["content-length"]):
        part = sock.recv(65536)
        assert part, "connection closed in the middle of the answer"
        body += part
    return int(lines[0].split(" ")[1]), headers, json.loads(body)


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server closed the connection (EOF or reset) while we still had body to send."""
    sock.settimeout(10)
    try:
        for _ in range(1000):
            sock.sendall(chunk(b"y" * CHUNK))
        return sock.recv(1) == b""
    except (BrokenPipeError, ConnectionResetError):
        return True


def assert_413(status: int, body: Any, cap: int) -> None:
    assert status == 413
    assert set(body) == {"error"}
    assert body["error"]["code"] == "payload_too_large"
    assert str(cap) in body["error"]["message"]


def test_a_declared_length_over_the_cap_is_refused_before_the_body(server: ServeProcess, token: str) -> None:
    sock = connect(server, "POST", "/api/v1/scenarios", {
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Content-Length": str(10**9)})
    with sock:
        status, headers, body = read_answer(sock)  # not one byte of the body was sent
        assert_413(status, body, CAP)
        assert headers["content-security-policy"]
        assert sock.recv(1) == b""


def test_a_chunked_upload_over_the_cap_is_stopped_while_it_streams(server: ServeProcess, token: str) -> None:
    sock = connect(server, "POST", "/api/v1/scenarios", {
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    with sock:
        sock.sendall(chunk(b'{"name": "' + b"x" * (CAP + CHUNK)))  # no last chunk: the body never ends
        status, _, body = read_answer(sock)
        assert_413(status, body, CAP)
        assert closed_by_server(sock)


def test_auth_routes_are_capped_at_64_kib(server: ServeProcess) -> None:
    sock = connect(server, "POST", "/api/v1/auth/login", {
        "Content-Type": "application/json", "Transfer-Encoding": "chunked"})
    with sock:
        for _ in range(AUTH_CAP // CHUNK + 1):
            sock.sendall(chunk(b" " * CHUNK))
        status, _, body = read_answer(sock)
        assert_413(status, body, AUTH_CAP)
        assert closed_by_server(sock)


def test_auth_refuses_a_declared_length_over_64_kib(server: ServeProcess) -> None:
    answer = httpx.post(f"{server.url}/api/v1/auth/register", content=b" " * (AUTH_CAP + 1),
                        headers={"Content-Type": "application/json"})
    assert_413(answer.status_code, answer.json(), AUTH_CAP)


def test_bodies_under_the_cap_are_read_whole(server: ServeProcess, token: str) -> None:
    """A chunked body over 64 KiB (fine outside /auth) and under the cap reaches the route."""
    definition = {"name": "big", "description": "d" * (AUTH_CAP * 2),
                  "trigger": {"id": "hook", "module": "webhooks.custom"}, "schedule": {"type": "immediately"}}
    data = json.dumps(definition).encode()

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(data), CHUNK):
            yield data[start:start + CHUNK]

    answer = httpx.post(f"{server.url}/api/v1/scenarios", content=pieces(), timeout=30,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert answer.status_code == 201, answer.text
    login = httpx.post(f"{server.url}/api/v1/auth/login", json={"email": "x@example.com", "password": "p" * 20})
    assert login.status_code == 401


def test_webhooks_keep_their_own_limit(tmp_path: Path, server: ServeProcess, token: str) -> None:
    """The gateway's cap is SCENARIST_WEBHOOK_MAX_BYTES (5 MiB), not the API's."""
    auth = {"Authorization": f"Bearer {token}"}
    created = httpx.post(f"{server.url}/api/v1/scenarios", headers=auth, json={
        "name": "hook", "trigger": {"id": "hook", "module": "webhooks.custom"}, "schedule": {"type": "immediately"}})
    httpx.post(f"{server.url}/api/v1/scenarios/{created.json()['id']}/activate", headers=auth)
    answer = httpx.post(created.json()["webhook_url"], content=b"z" * (CAP * 2), timeout=30)
    assert answer.status_code == 200
