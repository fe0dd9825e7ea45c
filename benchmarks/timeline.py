"""Where a `shinchoku run` spends its time: a timeline of the main process and its workers.

    python benchmarks/timeline.py MASTER SUBMISSIONS --year 2024 [--out DIR]

runs the command in this process (`--no-db`, into a temporary folder unless --out) and prints,
for each heavy import and each stage, the seconds since this script started and the main
process's CPU seconds at its start and end, then each worker's files (first, last, busy time)
and the CPU of the children. Made for the city run (issue 14); `-X importtime` and cProfile say
more about one step once this has said which step.
"""

from __future__ import annotations

import atexit
import builtins
import functools
import os
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

START = time.time()
HEAVY = ("pandas", "numpy", "pandera", "schemas", "openpyxl", "xlsxwriter", "tqdm")
STAGES = (
    "_plan",
    "start_readers",
    "check_folder",
    "use_files",
    "normalise",
    "with_rates",
    "check_consistency",
    "row_state",
    "status_rows",
    "compute",
    "committee_tables",
)
lines: list[str] = []


def mark(what: str) -> None:
    lines.append(f"{time.time() - START:7.3f} s  cpu {time.process_time():6.3f}  {what}")


def timed(owner: Any, name: str) -> None:
    function = getattr(owner, name)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"> {name}")
        try:
            return function(*args, **kwargs)
        finally:
            mark(f"< {name}")

    setattr(owner, name, wrapper)


def main() -> None:
    args = sys.argv[1:]
    if "--out" not in args:
        args += ["--out", str(Path(tempfile.mkdtemp(prefix="timeline-")) / "out")]
    log = Path(tempfile.mkstemp(prefix="timeline-workers-")[1])
    real_import = builtins.__import__
    patched: set[str] = set()

    def patch() -> None:
        ahead = sys.modules.get("pipeline.ahead")
        if "ahead" not in patched and ahead is not None and hasattr(ahead, "_start"):
            patched.add("ahead")
            # imported by the command, so registered after cli.console's last exit function
            # (the one that ends the process): run before it
            atexit.register(report, log)
            timed(ahead, "_start")  # the plan's child forked
        batch = sys.modules.get("pipeline.batch")
        if "batch" not in patched and batch is not None and hasattr(batch, "_produced"):
            patched.add("batch")
            for name in STAGES:
                if hasattr(batch, name):
                    timed(batch, name)
            from pipeline.ingest import pool

            read = pool._ReadJob.__call__

            def reading(job: Any, path: Path) -> Any:
                began = time.time() - START
                result = read(job, path)
                with log.open("a") as out:  # a worker's stderr goes nowhere
                    print(f"{os.getpid()} {began:.4f} {time.time() - START:.4f}", file=out)
                return result

            pool._ReadJob.__call__ = reading  # type: ignore[method-assign]
        workbook = sys.modules.get("pipeline.report.workbook")
        if "workbook" not in patched and workbook and hasattr(workbook, "write_run_workbook"):
            patched.add("workbook")
            timed(workbook, "write_run_workbook")

    def importing(name: str, *rest: Any, **kwargs: Any) -> Any:
        top = name.partition(".")[0]
        first = top in HEAVY and top not in sys.modules
        if first:
            mark(f"> import {top}")
        module = real_import(name, *rest, **kwargs)
        if first:
            mark(f"< import {top}")
        if len(patched) < 3:
            patch()
        return module

    builtins.__import__ = importing
    mark("script started (the interpreter's own start before it: ~0.03 s)")
    sys.argv = ["shinchoku", "run", *args, "--no-db"]
    mark("> import pipeline.cli")
    import pipeline.cli

    mark("< import pipeline.cli")
    pipeline.cli.console()


def report(log: Path) -> None:
    import resource

    mark("done")
    print("\n".join(lines), file=sys.stderr)
    files: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for line in log.read_text().splitlines():
        pid, began, ended = line.split()
        files[pid].append((float(began), float(ended)))
    log.unlink()
    for pid, spans in files.items():
        busy = sum(end - began for began, end in spans)
        print(
            f"worker {pid}: {len(spans)} files, first {spans[0][0]:.3f}–{spans[0][1]:.3f} s, "
            f"last ends {spans[-1][1]:.3f} s, busy {busy:.3f} s",
            file=sys.stderr,
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"children's CPU: {children.ru_utime + children.ru_stime:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
