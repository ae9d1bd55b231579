"""W1 and W1i of bench/README.md: a webhook pipeline under a closed-loop load (wrk).

Starts a sink and ``scenarist serve`` (embedded default, fresh data dir), sets
up an account and two scenarios through the API, then for C in (16, 64):
W1 (answered when the run ends) and W1i (answered once stored; drain time
measured). Prints one line per workload and checks correctness: the sink got
exactly the ids with amount > 10, each once, and the store holds one finished
run per accepted request. Only loopback addresses are used.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).parent
DURATION = int(os.environ.get("W1_SECONDS", "20"))
WARMUP = int(os.environ.get("W1_WARMUP", "5"))
CONCURRENCY = [int(c) for c in os.environ.get("W1_CONCURRENCY", "16,64").split(",")]
PASSWORD = "bench-password-123"

LUA = """
local threads = 0
function setup(thread)
  thread:set("base", %(base)d + threads * 10000000)
  threads = threads + 1
end
function init(args) counter = 0 end
function request()
  counter = counter + 1
  local n = base + counter
  local body = string.format('{"id": %%d, "amount": %%d, "name": "user%%d", "tags": ["a", "b"]}', n, n %% 50, n)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %%d, "duration_us": %%d, "socket_errors": %%d, "non2xx": %%d, ' ..
    '"p50": %%d, "p95": %%d, "p99": %%d}\\n', summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def scenario(name: str, sink: str, respond: bool) -> dict[str, Any]:
    flow: list[dict[str, Any]] = [
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
            "id": "{{ hook.body.id }}", "name_upper": "{{ hook.body.name | upper }}",
            "amount_cents": "{{ hook.body.amount * 100 }}", "tag_count": "{{ hook.body.tags | length }}"}}},
        {"id": "post", "module": "http.request", "filter": {"label": "only big ones",
                                                             "condition": "{{ hook.body.amount > 10 }}"},
         "params": {"method": "POST", "url": sink, "json": "{{ shape }}"}},
    ]
    if respond:
        flow.append({"id": "answer", "module": "webhooks.respond", "params": {"body": {"ok": True}}})
    return {"name": name, "trigger": {"id": "hook", "module": "webhooks.custom"},
            "schedule": {"type": "immediately"}, "flow": flow}


def setup(base: str, sink: str) -> dict[str, str]:
    with httpx.Client(base_url=base, timeout=10) as http:
        http.post("/api/v1/auth/register", json={"email": "bench@example.com", "password": PASSWORD})
        csrf = http.post("/api/v1/auth/login", json={"email": "bench@example.com", "password": PASSWORD}).json()
        token = http.post("/api/v1/tokens", json={"name": "bench"}, headers={"X-CSRF-Token": csrf["csrf_token"]})
        auth = {"Authorization": f"Bearer {token.json()['token']}"}
        hooks = {}
        for name, respond in (("W1", True), ("W1i", False)):
            created = http.post("/api/v1/scenarios", json=scenario(name, sink, respond), headers=auth).json()
            http.post(f"/api/v1/scenarios/{created['id']}/activate", headers=auth)
            hooks[name] = created["webhook_url"]
        return hooks


def wrk(url: str, connections: int, seconds: int, base: int, workdir: Path) -> dict[str, Any]:
    script = workdir / f"w1-{base}.lua"
    script.write_text(LUA % {"base": base})
    done = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script),
                           url], capture_output=True, text=True, check=True)
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("RESULT "))
    return dict(json.loads(line[len("RESULT "):]))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def unfinished(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM executions WHERE status IN ('queued','running')").fetchone()[0])


def check(db: Path, sink: str, accepted: int) -> str:
    """Sink ids == stored runs with amount > 10, each once; one finished run per accepted request."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        rows = conn.execute(
            "SELECT json_extract(trigger_input, '$.body.id'), json_extract(trigger_input, '$.body.amount'), status "
            "FROM executions").fetchall()
    received = httpx.get(sink.replace("/sink", "/ids"), timeout=30).json()
    ids = [r[0] for r in rows]
    big = sorted(r[0] for r in rows if r[1] > 10)
    problems = []
    if len(ids) != len(set(ids)):
        problems.append("duplicate runs")
    if sorted(received) != big:
        problems.append(f"sink got {len(received)} ids ({len(set(received))} distinct), expected {len(big)}")
    if any(r[2] != "success" for r in rows):
        problems.append(f"{sum(r[2] != 'success' for r in rows)} runs not successful")
    if len(rows) < accepted:
        problems.append(f"{accepted - len(rows)} accepted requests have no run")
    return "ok" if not problems else "; ".join(problems)


def main() -> int:
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="scenarist-w1-"))
    sink_port, port = free_port(), free_port()
    sink_url = f"http://127.0.0.1:{sink_port}/sink"
    env = {**os.environ, "SCENARIST_DATA_DIR": str(workdir / "data"), "SCENARIST_PUBLIC_URL": f"http://127.0.0.1:{port}",
           "SCENARIST_EGRESS_ALLOW": "127.0.0.0/8,::1"}
    sink = subprocess.Popen([sys.executable, str(HERE / "sink.py"), str(sink_port)])
    server = subprocess.Popen([sys.executable, "-m", "scenarist", "serve", "--port", str(port)], env=env)
    try:
        wait_http(f"http://127.0.0.1:{sink_port}/ids")
        wait_http(f"http://127.0.0.1:{port}/api/v1/healthz")
        time.sleep(1)
        print(f"idle RSS after start: {rss_mb(server.pid, 'VmRSS'):.0f} MB")
        hooks = setup(f"http://127.0.0.1:{port}", sink_url)
        db = workdir / "data" / "scenarist.db"
        base, accepted = 1, 0
        for name in ("W1", "W1i"):
            for connections in CONCURRENCY:
                url = hooks[name].replace("http://127.0.0.1:8000", f"http://127.0.0.1:{port}")
                warm = wrk(url, connections, WARMUP, base, workdir)
                base += 100_000_000
                cpu0, t0 = cpu_seconds(server.pid), time.monotonic()
                result = wrk(url, connections, DURATION, base, workdir)
                base += 100_000_000
                elapsed = time.monotonic() - t0
                cpu = (cpu_seconds(server.pid) - cpu0) / elapsed
                drain_start = time.monotonic()
                while unfinished(db):
                    time.sleep(0.05)
                drain = time.monotonic() - drain_start
                ok = result["requests"] - result["non2xx"]
                accepted += ok + warm["requests"] - warm["non2xx"]
                rps = ok / (result["duration_us"] / 1e6)
                sustained = ok / (elapsed + drain)
                print(f"{name} C={connections}: {rps:.0f} req/s accepted, p50 {result['p50'] / 1000:.1f} ms, "
                      f"p95 {result['p95'] / 1000:.1f} ms, p99 {result['p99'] / 1000:.1f} ms, "
                      f"errors {result['socket_errors'] + result['non2xx']}, server CPU {cpu:.2f} cores, "
                      f"drain {drain:.1f} s ({sustained:.0f} runs/s sustained), "
                      f"peak RSS {rss_mb(server.pid, 'VmHWM'):.0f} MB", flush=True)
        print(f"correctness: {check(db, sink_url, accepted)}")
    finally:
        for process in (server, sink):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
