"""The editor at 200 steps: Debian's Chromium (through Playwright) opens a 200-step scenario on a fresh
`scenarist serve` and times two interactions, as the median of 9 (performance.now() in the page):

- select: clicking a step's button until region "Module settings" shows its heading;
- drag: dragging a step by 120 px until the drop is recorded ("Unsaved changes" shown).

Also the time from navigation until the canvas is drawn (fit to the screen; with more than 60 nodes only the
visible ones are in the DOM). Run: `python bench/editor_200.py`
(needs the built UI, `make web`)."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.browser import CHROMIUM_ARGS, log_in, register, serving  # noqa: E402
from tests.web.tooling import chromium  # noqa: E402

STEPS = 200
RUNS = 9


def definition() -> dict[str, object]:
    flow = [{"id": f"step_{i}", "module": "tools.set_variables",
             "params": {"variables": {"n": f"{{{{ step_{i - 1}.n }}}}" if i else "{{ hook.body.n }}"}}}
            for i in range(STEPS)]
    return {"name": "Two hundred steps", "trigger": {"id": "hook", "module": "webhooks.custom"}, "flow": flow}


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory() as tmp, serving(Path(tmp)) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(base_url=server.base, viewport={"width": 1280, "height": 800})
        page.set_default_timeout(30_000)
        log_in(page, register(server))
        csrf = page.request.get("/api/v1/auth/me").json()["csrf_token"]
        created = page.request.post("/api/v1/scenarios", data=definition(), headers={"X-CSRF-Token": csrf})
        scenario_id = created.json()["id"]
        started = time.perf_counter()
        page.goto(f"/scenarios/{scenario_id}")
        canvas = page.get_by_role("region", name="Scenario canvas")
        expect(canvas.locator("[data-step^=step_]").first).to_be_visible()
        load_ms = (time.perf_counter() - started) * 1000
        settings = page.get_by_role("region", name="Module settings")
        drawn = canvas.locator("[data-step^=step_]").evaluate_all("els => els.map(e => e.dataset.step)")
        print(f"{len(drawn)} of {STEPS} steps in the DOM at fit-to-screen")
        middle = drawn[len(drawn) // 2 - RUNS: len(drawn) // 2 + RUNS]
        selects = []
        for i in range(RUNS):
            target = middle[i]
            button = canvas.get_by_role("button", name=f"{target}: Set variables")
            button.evaluate("b => { window.__t0 = performance.now(); b.click(); }")
            expect(settings.get_by_role("heading", name=f"{target}: Set variables")).to_be_visible()
            selects.append(page.evaluate("performance.now() - window.__t0"))
        drags = []
        for _ in range(12):  # from the fit-to-screen zoom (0.1) to about 0.9
            page.get_by_role("button", name="Zoom In").click()
        page.wait_for_timeout(500)
        drawn = canvas.locator("[data-step^=step_]").evaluate_all("els => els.map(e => e.dataset.step)")
        near = drawn[len(drawn) // 2 - 1: len(drawn) // 2 + 1]
        for i in range(RUNS):
            box = canvas.get_by_role("group", name=f"Step {near[i % len(near)]}").bounding_box()
            assert box is not None
            page.get_by_role("button", name="Tidy up").is_enabled()
            t0 = time.perf_counter()
            x, y = box["x"] + box["width"] / 2, box["y"] + 4  # the node's edge, outside its button
            page.mouse.move(x, y)
            page.mouse.down()
            for dx in range(10, 130, 10):
                page.mouse.move(x + dx, y)
            page.mouse.up()
            expect(page.get_by_role("button", name="Tidy up")).to_be_enabled()
            drags.append((time.perf_counter() - t0) * 1000)
            page.get_by_role("button", name="Tidy up").click()
        browser.close()
    print(f"editor, {STEPS} steps: load until the canvas is drawn {load_ms:.0f} ms; "
          f"select a step and open its settings: median {statistics.median(selects):.0f} ms "
          f"(max {max(selects):.0f}); drag 120 px in 12 moves: median {statistics.median(drags):.0f} ms")


if __name__ == "__main__":
    main()
