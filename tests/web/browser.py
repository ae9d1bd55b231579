"""A real `scenarist serve` in a subprocess and Chromium driven by Playwright, for the browser tests."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.server.conftest import PASSWORD, TEST_KEYS
from tests.web.tooling import ROOT

ARTIFACTS = Path(__file__).with_name("artifacts")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""
_addresses = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def client_address() -> str:
    """A distinct client address per browser context (sent as X-Forwarded-For through a trusted proxy),
    so that the per-address login limit (30 a minute) counts each test on its own."""
    n = next(_addresses)
    return f"10.77.{n // 250}.{n % 250 + 1}"


@dataclass
class Server:
    base: str
    data_dir: Path
    log: Path

    def api(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=10,
                            headers={"x-forwarded-for": client_address(), "origin": self.base})


@contextmanager
def serving(tmp: Path, **env: str) -> Iterator[Server]:
    """``scenarist serve`` on a free port with a fresh data dir, until the block ends."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    variables = {k: v for k, v in os.environ.items() if not k.startswith("SCENARIST_")} | {
        "SCENARIST_SECRET_KEYS": TEST_KEYS, "SCENARIST_PUBLIC_URL": base,
        "SCENARIST_TRUSTED_PROXIES": "127.0.0.1/32", **env,
    }
    log = tmp / "serve.log"
    command = [sys.executable, "-m", "scenarist", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--data-dir", str(tmp / "data")]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=variables, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_up(process, base, log)
        yield Server(base, tmp / "data", log)
    finally:
        _stop(process)


def _wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            httpx.get(f"{base}/api/v1/healthz", timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("serve did not come up within 30 s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Account:
    email: str
    password: str = PASSWORD


_emails = itertools.count(1)


def new_email(label: str = "user") -> str:
    return f"{label}{next(_emails)}-{os.getpid()}@example.com"


def register(server: Server, email: str | None = None) -> Account:
    account = Account(email or new_email())
    with server.api() as http:
        answer = http.post("/api/v1/auth/register", json={"email": account.email, "password": account.password})
        assert answer.status_code == 201, answer.text
    return account


@dataclass
class PageGuard:
    """What a page reported: CSP violations (events and console messages)."""

    console: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        page.add_init_script(CSP_RECORDER)
        page.on("console", lambda message: self._console(message.type, message.text))

    def _console(self, kind: str, text: str) -> None:
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.console.append(f"{kind}: {text}")

    def violations(self, page: Any) -> list[str]:
        events: list[str] = []
        if not page.is_closed():
            events = page.evaluate("window.__cspViolations || []")
        return self.console + events


def log_in(page: Any, account: Account, *, remember: bool = False) -> None:
    """Log in through the login page, as a user does; lands on the scenario list."""
    page.goto("/login")
    page.get_by_role("textbox", name="E-mail").fill(account.email)
    page.get_by_role("textbox", name="Password").fill(account.password)
    if remember:
        page.get_by_role("checkbox", name="Remember my e-mail").check()
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Scenarios", level=1).wait_for()


def first_held(page: Any, held: list[Any], what: str) -> Any:
    """The first request a test's route handler held back. The handler runs when Playwright next dispatches
    its events, so wait for it (pumping them) rather than read the list at once."""
    for _ in range(250):
        if held:
            return held[0]
        page.wait_for_timeout(20)
    raise AssertionError(f"{what} was not asked for")
