"""The web UI's budget (bench/README.md, "UI"): initial load size and time to an interactive list.

1. Initial load: the gzipped bytes of what `index.html` loads before the app
   runs (its module script, stylesheets and module preloads), read from the
   built files. Budget: 250 KB.
2. Interactive: Debian's Chromium (through Playwright) opens `/scenarios` of an
   account with 30 scenarios on a fresh `scenarist serve`; the time from the
   navigation's start until the list's rows and its "Create a new scenario"
   button are there and enabled (`performance.now()` in the page), as the median
   of 7 loads with a warm HTTP cache, and the first (cold) load. Budget: 1 s.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from w1_webhook import PASSWORD, free_port, wait_http

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "src" / "scenarist" / "server" / "webui"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SCENARIOS = 30
LOADS = 7
EMAIL = "ui-bench@example.com"


def initial_load_kb() -> tuple[float, list[str]]:
    """Gzipped KB of the files index.html loads up front, and their names."""
    index = (BUILD / "index.html").read_text()
    files = re.findall(r'(?:src|href)="/(assets/[^"]+\.(?:js|css))"', index)
    total = sum(len(gzip.compress((BUILD / name).read_bytes(), compresslevel=9)) for name in files)
    return total / 1024, files


def seed(base: str) -> None:
    with httpx.Client(base_url=base, timeout=10) as http:
        http.post("/api/v1/auth/register", json={"email": EMAIL, "password": PASSWORD}).raise_for_status()
        csrf = http.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD}).json()["csrf_token"]
        for n in range(SCENARIOS):
            definition = {"name": f"Scenario {n:02d}", "trigger": {"id": "hook", "module": "webhooks.custom"},
                          "flow": [{"id": "answer", "module": "webhooks.respond", "params": {"body": {"n": n}}}]}
            http.post("/api/v1/scenarios", json=definition, headers={"X-CSRF-Token": csrf}).raise_for_status()


def interactive_ms(base: str) -> tuple[float, float]:
    """(cold first load, median of the warm loads) in ms until the list can be used."""
    from playwright.sync_api import sync_playwright

    ready = (f"() => document.querySelectorAll('table tbody tr').length >= {SCENARIOS} && "
             "[...document.querySelectorAll('button')].some(b => b.textContent.includes('Create a new scenario') "
             "&& !b.disabled)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto("/login")
        page.get_by_role("textbox", name="E-mail").fill(EMAIL)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/scenarios")
        times = []
        for _ in range(LOADS + 1):
            page.goto("/scenarios", wait_until="commit")
            page.wait_for_function(ready, polling="raf", timeout=15_000)
            times.append(page.evaluate("performance.now()"))
        browser.close()
    # the first measured load after login still fetched the assets the login page did not need
    return times[0], statistics.median(times[1:])


def main() -> int:
    if not (BUILD / "index.html").is_file():
        print("the web UI is not built: run `make web`", file=sys.stderr)
        return 2
    kb, files = initial_load_kb()
    print(f"UI initial load: {kb:.1f} KB gzipped JS+CSS ({', '.join(Path(f).name for f in files)}); budget 250 KB",
          flush=True)
    if not Path(CHROMIUM).exists():
        print("UI interactive: skipped, no Chromium at /usr/bin/chromium", file=sys.stderr)
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="scenarist-ui-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "SCENARIST_DATA_DIR": str(workdir / "data"), "SCENARIST_PUBLIC_URL": base}
    server = subprocess.Popen([sys.executable, "-m", "scenarist", "serve", "--port", str(port)], env=env)
    try:
        wait_http(f"{base}/api/v1/healthz")
        seed(base)
        first, warm = interactive_ms(base)
        print(f"UI interactive: list of {SCENARIOS} scenarios usable {warm:.0f} ms after navigation "
              f"(median of {LOADS} loads; first load {first:.0f} ms); budget 1000 ms", flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
