"""A real ``scenarist serve`` subprocess on 127.0.0.1 and a free port, for tests of what only a process shows:
the public URL it derives, the files and modes of its data dir, uvicorn's framing, a connection it stops
reading. Only this object's process is ever signalled; the other tests talk ASGI in-process
(tests/server/conftest.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx

from tests.server.conftest import PASSWORD, TEST_KEYS

START_SECONDS = 60.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ServeProcess:
    """One ``python -m scenarist serve``; only this object's PID is ever signalled."""

    def __init__(self, process: subprocess.Popen[bytes], port: int, output: Path) -> None:
        self.process = process
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self._output = output

    def output(self) -> str:
        return self._output.read_text(errors="replace")[-4000:]

    def wait_until_up(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}: {self.output()}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer within {START_SECONDS} s: {self.output()}")

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def token(self, email: str = "ada@example.com") -> str:
        """Register ``email`` and give an API token of the account."""
        with self.client() as http:
            return register(http, email)["Authorization"].removeprefix("Bearer ")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(timeout=10)


@contextmanager
def serve(data_dir: Path, *, env: dict[str, str] | None = None, umask: int = -1,
          args: tuple[str, ...] = ()) -> Iterator[ServeProcess]:
    """``scenarist serve --port <free port> --data-dir data_dir``, with no ``SCENARIST_*`` variable but the test
    keys, loopback egress and ``env`` (a value "" unsets the variable); stopped (SIGTERM) when the block ends."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SCENARIST_")}
    environment |= {"SCENARIST_SECRET_KEYS": TEST_KEYS, "SCENARIST_EGRESS_ALLOW": "127.0.0.0/8,::1", **(env or {})}
    environment = {key: value for key, value in environment.items() if value != ""}  # "" unsets
    output = data_dir.parent / f"serve-{port}.out"
    with output.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "scenarist", "serve", "--host", "127.0.0.1", "--port", str(port),
             "--data-dir", str(data_dir), *args],
            env=environment, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, umask=umask,
            cwd=data_dir.parent,
        )
    server = ServeProcess(process, port, output)
    try:
        server.wait_until_up()
        yield server
    finally:
        server.stop()


def register(http: httpx.Client, email: str = "ada@example.com") -> dict[str, str]:
    """Register, log in and make an API token; the Authorization header that uses it."""
    assert http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}).status_code == 201
    login = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    token = http.post("/api/v1/tokens", json={"name": "tests"}, headers={"X-CSRF-Token": login.json()["csrf_token"]})
    assert token.status_code == 201, token.text
    http.cookies.clear()
    return {"Authorization": f"Bearer {token.json()['token']}"}


@contextmanager
def live_server(tmp_path: Path, **settings: str) -> Iterator[ServeProcess]:
    """``scenarist serve`` on a fresh data dir in ``tmp_path`` with these settings (``api_max_bytes="1000"``
    is ``SCENARIST_API_MAX_BYTES``), its public URL its own address."""
    env = {f"SCENARIST_{key.upper()}": value for key, value in settings.items()}
    with serve(tmp_path / "data", env=env) as server:
        yield server
