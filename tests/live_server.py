"""A real ``scenarist serve`` subprocess on a free loopback port with a fresh data dir.

Only this object's process is ever signalled. Tests that must see what the
server does on the wire (uvicorn's framing, a connection it stops reading)
use it; the rest talk ASGI in-process (tests/server/conftest.py).
"""

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


class LiveServer:
    def __init__(self, tmp_path: Path, **settings: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {key: value for key, value in os.environ.items() if not key.startswith("SCENARIST_")}
        env |= {"SCENARIST_SECRET_KEYS": TEST_KEYS, "SCENARIST_PUBLIC_URL": self.url,
                "SCENARIST_EGRESS_ALLOW": "127.0.0.0/8,::1"}
        env |= {f"SCENARIST_{key.upper()}": value for key, value in settings.items()}
        self.log = tmp_path / "serve.log"
        self._out = self.log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scenarist", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(tmp_path / "data")],
            env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=self._out, stderr=subprocess.STDOUT,
        )

    def ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}: {self.output()}")
            with suppress(httpx.HTTPError):
                if httpx.get(f"{self.url}/api/v1/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.1)
        raise AssertionError(f"serve did not answer within {START_SECONDS} s: {self.output()}")

    def token(self, email: str = "ada@example.com") -> str:
        """Register ``email`` and give an API token of the account."""
        with httpx.Client(base_url=self.url, timeout=30) as http:
            assert http.post("/api/v1/auth/register", json={"email": email, "password": PASSWORD}).status_code == 201
            csrf = http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD}).json()["csrf_token"]
            answer = http.post("/api/v1/tokens", json={"name": "live"}, headers={"X-CSRF-Token": csrf})
            assert answer.status_code == 201, answer.text
            token: str = answer.json()["token"]
            return token

    def output(self) -> str:
        if not self._out.closed:
            self._out.flush()
        return self.log.read_text(errors="replace")[-4000:]

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.process.wait(timeout=30)
        self._out.close()


@contextmanager
def live_server(tmp_path: Path, **settings: str) -> Iterator[LiveServer]:
    """``scenarist serve`` with these settings (``api_max_bytes="1000"``: ``SCENARIST_API_MAX_BYTES``), up."""
    server = LiveServer(tmp_path, **settings)
    try:
        server.ready()
        yield server
    finally:
        server.close()
