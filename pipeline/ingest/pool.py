"""Read many submissions over the available cores, in a deterministic order.

Each worker reads one file at a time and hands it to `reduce` (run in the worker too), so what
travels back and stays in memory is the reduced file — its matched rows — not the workbook.
`context` (e.g. the plan) is given to each worker once, not with every file. Only a handful of
files is read in-process; a city's forty already gain from a second core.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from pipeline.ingest.container import Limits
from pipeline.ingest.reader import Submission, read_submission
from pipeline.model import TARGET_LAYOUT, Layout

PARALLEL_FROM = 16  # files; below this a pool's start-up (~50 ms) costs more than it saves
T = TypeVar("T")
Reduce = Callable[[Submission, Any], T]

_context: Any = None  # set once in each worker by _start


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def read_all(
    paths: Sequence[Path],
    root: Path,
    limits: Limits,
    reduce: Reduce[T],
    context: Any = None,
    workers: int | None = None,
    layout: Layout = TARGET_LAYOUT,
) -> Iterator[T]:
    """reduce(submission, context) for each of `paths` read as workbooks of `layout`, in order,
    over `workers` processes."""
    workers = default_workers() if workers is None else workers
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        for path in paths:
            yield reduce(read_submission(path, root, limits, layout), context)
        return
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    job = partial(_read_and_reduce, root=root, limits=limits, reduce=reduce, layout=layout)
    with ProcessPoolExecutor(workers, initializer=_start, initargs=(context,)) as pool:
        yield from pool.map(job, paths, chunksize=chunk)


def _start(context: Any) -> None:
    global _context
    _context = context


def _read_and_reduce(
    path: Path, root: Path, limits: Limits, reduce: Reduce[T], layout: Layout
) -> T:
    return reduce(read_submission(path, root, limits, layout), _context)
