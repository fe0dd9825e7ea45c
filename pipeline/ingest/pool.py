"""Read many submissions over the available cores, in a deterministic order.

Each worker reads one file at a time and returns only its rows and findings, so memory grows
with the merged rows, not with the files. Small batches are read in-process (a pool's start-up
costs more than it saves for a city's forty files).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from pipeline.ingest.container import Limits
from pipeline.ingest.reader import Submission, read_submission

PARALLEL_FROM = 200  # files; below this one process is faster


def default_workers() -> int:
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def read_all(
    paths: Sequence[Path], root: Path, limits: Limits, workers: int | None = None
) -> Iterator[Submission]:
    """Submissions for `paths`, in the same order, read by `workers` processes."""
    workers = default_workers() if workers is None else workers
    read = partial(read_submission, root=root, limits=limits)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        yield from map(read, paths)
        return
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from pool.map(read, paths, chunksize=chunk)
