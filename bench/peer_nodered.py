"""W1 and W2 of bench/README.md run by Node-RED, for the ratio (bench/peers.md).

Needs a Node-RED install (`npm install node-red@4.1.15` in a folder of your
choice, outside the project) named by NODE_RED_DIR. Starts the same sink as
w1_webhook.py and Node-RED with the two flows below in a fresh user dir, then:

- W1 at each C of W1_CONCURRENCY (16,64): wrk with the same request script as
  ours, after the same warm-up; the sink must have received exactly the ids
  with amount > 10.
- W2: the median of 5 POSTs of the 10,000 items, in microseconds per item, and
  the answer checked (7,800 objects, in order).

The flows are Node-RED's idiomatic equivalents: W1 http in -> change (the
object, in JSONata) -> switch (amount > 10) -> http request (the sink) ->
http response, the small ones answered at once; W2 http in -> change (the
items) -> split -> change -> switch -> join -> http response. Node-RED's join
cannot know how many parts a switch let through, so it is told to send after
7,800 parts (what the check expects); that favours Node-RED, if anything.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from w1_webhook import CONCURRENCY, DURATION, HERE, WARMUP, free_port, rss_mb, wait_http, wrk
from w2_batch import ITEMS, RUNS, expected, payload

KEPT = sum(1 for n in range(ITEMS) if n % 50 > 10)


def flows(sink: str) -> list[dict[str, Any]]:
    tab = {"id": "tab", "type": "tab", "label": "bench"}
    shape = ('{"id": payload.id, "name_upper": $uppercase(payload.name), "amount_cents": payload.amount * 100, '
             '"tag_count": $count(payload.tags)}')
    w1 = [
        {"id": "w1in", "type": "http in", "z": "tab", "url": "/w1", "method": "post", "wires": [["w1set"]]},
        {"id": "w1set", "type": "change", "z": "tab", "rules": [
            {"t": "set", "p": "amount", "pt": "msg", "to": "payload.amount", "tot": "jsonata"},
            {"t": "set", "p": "payload", "pt": "msg", "to": shape, "tot": "jsonata"}], "wires": [["w1switch"]]},
        {"id": "w1switch", "type": "switch", "z": "tab", "property": "amount", "propertyType": "msg",
         "rules": [{"t": "gt", "v": "10", "vt": "num"}, {"t": "else"}], "checkall": "false", "outputs": 2,
         "wires": [["w1post"], ["w1out"]]},
        {"id": "w1post", "type": "http request", "z": "tab", "method": "POST", "ret": "obj", "url": sink,
         "wires": [["w1out"]]},
        {"id": "w1out", "type": "http response", "z": "tab", "statusCode": "200", "wires": []},
    ]
    w2 = [
        {"id": "w2in", "type": "http in", "z": "tab", "url": "/w2", "method": "post", "wires": [["w2items"]]},
        {"id": "w2items", "type": "change", "z": "tab", "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "payload.items", "tot": "msg"}], "wires": [["w2split"]]},
        {"id": "w2split", "type": "split", "z": "tab", "arraySplt": 1, "arraySpltType": "len", "wires": [["w2set"]]},
        {"id": "w2set", "type": "change", "z": "tab", "rules": [
            {"t": "set", "p": "amount", "pt": "msg", "to": "payload.amount", "tot": "jsonata"},
            {"t": "set", "p": "payload", "pt": "msg", "to": shape, "tot": "jsonata"}], "wires": [["w2switch"]]},
        {"id": "w2switch", "type": "switch", "z": "tab", "property": "amount", "propertyType": "msg",
         "rules": [{"t": "gt", "v": "10", "vt": "num"}], "checkall": "false", "outputs": 1, "wires": [["w2join"]]},
        {"id": "w2join", "type": "join", "z": "tab", "mode": "custom", "build": "array", "property": "payload",
         "propertyType": "msg", "count": str(KEPT), "timeout": "", "wires": [["w2out"]]},
        {"id": "w2out", "type": "http response", "z": "tab", "statusCode": "200", "wires": []},
    ]
    return [tab, *w1, *w2]


def main() -> int:
    home = os.environ.get("NODE_RED_DIR")
    red = Path(home or "") / "node_modules" / "node-red" / "red.js"
    if not home or not red.is_file():
        print("set NODE_RED_DIR to a folder where `npm install node-red@4.1.15` ran", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="nodered-bench-"))
    sink_port, port = free_port(), free_port()
    sink = f"http://127.0.0.1:{sink_port}/sink"
    (workdir / "flows.json").write_text(json.dumps(flows(sink)))
    (workdir / "settings.js").write_text(
        "module.exports = {uiHost: '127.0.0.1', flowFile: 'flows.json', httpNodeRoot: '/', "
        "httpAdminRoot: false, logging: {console: {level: 'warn'}}, apiMaxLength: '50mb'};\n")
    sink_process = subprocess.Popen([sys.executable, str(HERE / "sink.py"), str(sink_port)])
    node = subprocess.Popen(["node", str(red), "--userDir", str(workdir), "--settings", str(workdir / "settings.js"),
                             "--port", str(port)], stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_http(f"http://127.0.0.1:{sink_port}/ids")
        for _ in range(300):
            try:
                probe = {"id": 0, "amount": 0, "name": "x", "tags": []}
                if httpx.post(f"{base_url}/w1", json=probe).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        print(f"Node-RED idle RSS after start: {rss_mb(node.pid, 'VmRSS'):.0f} MB")
        base = 1
        for connections in CONCURRENCY:
            wrk(f"{base_url}/w1", connections, WARMUP, base, workdir)
            base += 100_000_000
            result = wrk(f"{base_url}/w1", connections, DURATION, base, workdir)
            base += 100_000_000
            ok = result["requests"] - result["non2xx"]
            print(f"Node-RED W1 C={connections}: {ok / (result['duration_us'] / 1e6):.0f} req/s, "
                  f"p50 {result['p50'] / 1000:.1f} ms, p95 {result['p95'] / 1000:.1f} ms, "
                  f"p99 {result['p99'] / 1000:.1f} ms, errors {result['socket_errors'] + result['non2xx']}, "
                  f"peak RSS {rss_mb(node.pid, 'VmHWM'):.0f} MB", flush=True)
        ids = httpx.get(f"http://127.0.0.1:{sink_port}/ids", timeout=30).json()
        wrong = [i for i in ids if i % 50 <= 10]
        print(f"Node-RED W1 correctness: {len(ids)} posted to the sink, "
              f"{len(ids) - len(set(ids))} duplicates, {len(wrong)} that the filter should have stopped")
        body, want, times = json.dumps(payload()), expected(), []
        with httpx.Client(timeout=120) as http:
            for _ in range(RUNS):
                t0 = time.perf_counter()
                answer = http.post(f"{base_url}/w2", content=body, headers={"content-type": "application/json"})
                times.append(time.perf_counter() - t0)
                if answer.json() != want:
                    print("Node-RED W2: wrong answer", file=sys.stderr)
                    return 1
        print(f"Node-RED W2: {statistics.median(times) / ITEMS * 1e6:.1f} µs/item (median of {RUNS}), "
              f"peak RSS {rss_mb(node.pid, 'VmHWM'):.0f} MB", flush=True)
    finally:
        for process in (node, sink_process):
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
