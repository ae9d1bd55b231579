"""W2 of bench/README.md: one run over 10,000 items, the engine alone on SQLite.

iterator -> set_variables -> filter amount > 10 -> array_aggregator -> respond,
every operation recorded in the activity stream, the garbage collector tuned
as `scenarist serve` tunes it. Prints the median µs per item of 5 runs and the
peak RSS, and checks the answer.
"""

from __future__ import annotations

import asyncio
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scenarist.bootstrap import engine_from_settings
from scenarist.cli import tune_gc
from scenarist.settings import Settings
from scenarist.types import RunStatus

ITEMS = 10_000
RUNS = 5

SCENARIO = {
    "name": "W2 batch",
    "trigger": {"id": "hook", "module": "webhooks.custom"},
    "flow": [
        {"id": "items", "module": "flow.iterator", "params": {"array": "{{ hook.body.items }}"}},
        {"id": "shape", "module": "tools.set_variables", "params": {"variables": {
            "id": "{{ items.value.id }}",
            "name_upper": "{{ items.value.name | upper }}",
            "amount_cents": "{{ items.value.amount * 100 }}",
            "tag_count": "{{ items.value.tags | length }}",
        }}},
        {"id": "big", "module": "flow.array_aggregator",
         "filter": {"label": "amount > 10", "condition": "{{ items.value.amount > 10 }}"},
         "params": {"source": "items", "value": "{{ shape }}"}},
        {"id": "answer", "module": "webhooks.respond", "params": {"body": "{{ big.array }}"}},
    ],
}


def payload() -> dict:
    return {"items": [{"id": n, "amount": n % 50, "name": f"user{n}", "tags": ["a", "b"]} for n in range(ITEMS)]}


def expected() -> list[dict]:
    return [
        {"id": n, "name_upper": f"USER{n}", "amount_cents": (n % 50) * 100, "tag_count": 2}
        for n in range(ITEMS) if n % 50 > 10
    ]


async def main() -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir))
        async with engine_from_settings(settings) as engine:
            scenario = await engine.save_scenario(SCENARIO)
            want = expected()
            tune_gc()  # as `scenarist serve` does once started
            timings = []
            for _ in range(RUNS):
                body = payload()
                start = time.perf_counter()
                result = await engine.run(scenario, body)
                timings.append(time.perf_counter() - start)
                assert result.execution.status == RunStatus.SUCCESS, result.execution.error
                assert result.response is not None and result.response["body"] == want, "wrong answer"
            db_size = (Path(data_dir) / "scenarist.db").stat().st_size
    per_item = statistics.median(timings) / ITEMS * 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"W2 batch: {per_item:.1f} µs/item (median of {RUNS}, runs {', '.join(f'{t:.3f}' for t in timings)} s), "
        f"peak RSS {peak_mb:.0f} MB, {len(want)} objects in order, store {db_size / 1e6:.1f} MB"
    )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
