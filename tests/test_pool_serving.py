"""The workers are served from a thread of their own (ingest/pool.py): what the caller does
between two results — importing pandera, drawing a progress bar — never keeps a worker waiting,
and a caller that stops early leaves no thread and no worker behind."""

from __future__ import annotations

import sys
import threading
import time

import pytest

from pipeline.ingest import pool
from pipeline.ingest.limits import Limits


def _finished_at(item: int) -> float:
    """In a worker: ask the main process a question (as a file's department), then say when."""
    assert pool.ask(("double", item)) == 2 * item
    time.sleep(0.02)
    return time.time()


def _never(item: int, reason: str) -> float:
    raise AssertionError(reason)


def _answer(question: tuple[str, int]) -> int:
    return 2 * question[1]


def _busy(seconds: float) -> None:
    """Hold the interpreter as an import does: pure Python work, no sleeping."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(range(200))


def test_workers_go_on_reading_and_asking_while_the_caller_is_busy() -> None:
    items = list(range(8))
    results = pool.isolated_map(_finished_at, _never, items, Limits(), workers=2, answer=_answer)
    next(results)  # the first result: the caller then keeps the interpreter busy
    _busy(4.0)  # 8 items of ~20 ms on two workers need ~0.1 s: all done meanwhile, even loaded
    woke = time.time()
    rest = list(results)
    assert len(rest) == 7  # (no order between the two workers: item 1 may end before item 0)
    late = [round(t - woke, 2) for t in rest if t >= woke]
    assert late == [], f"the workers waited for the caller: {late} s after it woke"


def test_a_caller_that_stops_early_leaves_no_thread_and_the_switch_interval_as_it_was() -> None:
    threads, switching = threading.active_count(), sys.getswitchinterval()
    readers = pool.start_readers(Limits(), 2)
    try:
        results = pool.isolated_map(
            _finished_at, _never, list(range(20)), Limits(), answer=_answer, readers=readers
        )
        next(results)
        results.close()  # as a `for` left by an error or Ctrl-C does
    finally:
        readers.close()
    assert threading.active_count() == threads
    assert sys.getswitchinterval() == switching


def _questioning(item: int) -> int:
    return int(pool.ask(("unknown", item)))


def _refusing(question: tuple[str, int]) -> int:
    raise ValueError(f"unknown question {question[0]!r}")


def test_an_error_while_answering_reaches_the_caller_not_a_silent_thread() -> None:
    with pytest.raises(ValueError, match="unknown question"):
        list(pool.isolated_map(_questioning, _never, [1, 2], Limits(), 1, answer=_refusing))


def test_released_workers_end_by_themselves_and_close_only_collects_them() -> None:
    readers = pool.start_readers(Limits(), 2)
    try:
        done = list(
            pool.isolated_map(
                _finished_at, _never, list(range(4)), Limits(), answer=_answer, readers=readers
            )
        )
        assert len(done) == 4
        processes = [w.process for w in readers._supervisor._workers]
        readers.release()  # returns at once: nothing joined here
        deadline = time.monotonic() + 10
        while any(p.is_alive() for p in processes) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not any(p.is_alive() for p in processes)
        assert all(p.exitcode == 0 for p in processes)  # ended, not killed
    finally:
        readers.close()
    assert readers._supervisor._workers == []
