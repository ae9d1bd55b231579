"""Expression deadlines do not count the garbage collector's pauses against the expression."""

from __future__ import annotations

import gc
import time

from scenarist.engine import deadlines


def make_garbage() -> None:
    """Plenty of cyclic garbage, which only a collection frees."""
    gc.disable()
    for _ in range(300_000):
        cycle: list[object] = []
        cycle.append(cycle)


def slow_collection() -> None:
    """A real collection over plenty of garbage."""
    make_garbage()
    gc.enable()
    gc.collect()


def test_a_deadline_passed_during_a_collection_is_not_overdue() -> None:
    deadlines.watch_collector()
    make_garbage()
    deadline = time.monotonic() + 0.002  # the expression had 2 ms left when the collection began
    try:
        gc.collect()
    finally:
        gc.enable()
    assert time.monotonic() > deadline  # the collection took it past its deadline
    assert not deadlines.overdue(deadline)


def test_a_deadline_long_past_is_overdue() -> None:
    deadlines.watch_collector()
    slow_collection()
    assert deadlines.overdue(time.monotonic() - 5)


def test_a_deadline_not_yet_reached_is_not_overdue() -> None:
    assert not deadlines.overdue(time.monotonic() + 60)


def test_watching_again_adds_no_second_callback() -> None:
    deadlines.watch_collector()
    callbacks = len(gc.callbacks)
    deadlines.watch_collector()
    assert len(gc.callbacks) == callbacks
