"""Each worker's next item waits in its pipe while it works on one (ingest/pool.py): no round
trip between two files. A question asked meanwhile still gets its own answer (the queued item
is kept for later), and the item queued behind one whose worker dies is done by another, as if
it had never been sent."""

from __future__ import annotations

import os
import time

from pipeline.ingest import pool
from pipeline.ingest.limits import Limits


def _asking(item: int) -> tuple[int, int]:
    """In a worker: a question whose answer comes after the next item was queued."""
    time.sleep(0.05)  # the next item reaches the pipe first
    return item, pool.ask(("triple", item))


def _triple(question: tuple[str, int]) -> int:
    return 3 * question[1]


def _failed(item: int, reason: str) -> tuple[int, int]:
    return item, -1


def test_a_question_asked_with_an_item_queued_gets_its_answer() -> None:
    items = list(range(6))
    done = list(pool.isolated_map(_asking, _failed, items, Limits(), workers=1, answer=_triple))
    assert done == [(i, 3 * i) for i in items]


def _dies_on_zero(item: int) -> tuple[int, int]:
    if item == 0:
        os._exit(3)  # the worker dies without a word, with item 1 queued behind
    return item, os.getpid()


def test_the_item_queued_behind_a_dead_workers_is_done_by_another() -> None:
    done = list(pool.isolated_map(_dies_on_zero, _failed, [0, 1, 2], Limits(), workers=1))
    assert [d[0] for d in done] == [0, 1, 2]
    assert done[0] == (0, -1)  # only the item it died on is failed
    assert done[1][1] > 0 and done[1][1] == done[2][1] != os.getpid()  # by the fresh worker
