"""Where a `shinchoku run` spends its time: a timeline of the main process and its workers.

    python benchmarks/timeline.py MASTER SUBMISSIONS --year 2024 [--out DIR]

runs the command in this process (`--no-db`, into a temporary folder unless --out) and prints,
for each heavy import and each stage, the seconds since this script started and the main
process's CPU seconds at its start and end, then each worker's files (first, last, busy time)
and the CPU of the children. Made for the city run (issue 14); `-X importtime` and cProfile say
more about one step once this has said which step.

With --sched, a sampler process reads the scheduler's own account of every thread of the run
(/proc/PID/task/TID/schedstat, Linux: time on a CPU, time waiting for one) every 20 ms, and the
report splits each phase per thread into **run** (on a CPU), **queue** (runnable, waiting for a
CPU: the load of the machine) and **sleep** (blocked: waiting for another process or thread).
On a shared machine "run" and "sleep" are what the program decides; "queue" is the others'.
Workers also log each file read ahead, and the seconds each file's questions waited.
"""

from __future__ import annotations

import atexit
import builtins
import functools
import os
import signal
import subprocess
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
marks: list[tuple[float, str]] = []  # (seconds since START, what), for the per-phase split
serving: list[int] = []  # the serving thread's native id


def mark(what: str) -> None:
    now = time.time() - START
    marks.append((now, what))
    lines.append(f"{now:7.3f} s  cpu {time.process_time():6.3f}  {what}")


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
    if args[:1] == ["--sampler"]:
        return sampler(int(args[1]), Path(args[2]), float(args[3]))
    sched = "--sched" in args
    if sched:
        args.remove("--sched")
    if "--out" not in args:
        args += ["--out", str(Path(tempfile.mkdtemp(prefix="timeline-")) / "out")]
    log = Path(tempfile.mkstemp(prefix="timeline-workers-")[1])
    real_import = builtins.__import__
    patched: set[str] = set()
    waited = [0.0]  # in a worker: seconds the current file's questions waited for answers
    samples = Path(tempfile.mkstemp(prefix="timeline-sched-")[1])
    if sched:
        child = subprocess.Popen(
            [sys.executable, __file__, "--sampler", str(os.getpid()), str(samples), str(START)]
        )

    def patch() -> None:
        ahead = sys.modules.get("pipeline.ahead")
        if "ahead" not in patched and ahead is not None and hasattr(ahead, "_start"):
            patched.add("ahead")
            # imported by the command, so registered after cli.console's last exit function
            # (the one that ends the process): run before it
            atexit.register(report, log, child, samples)
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
                waited[0] = 0.0
                result = read(job, path)
                with log.open("a") as out:  # a worker's stderr goes nowhere
                    print(
                        f"{os.getpid()} {began:.4f} {time.time() - START:.4f} read {waited[0]:.5f}",
                        file=out,
                    )
                return result

            pool._ReadJob.__call__ = reading  # type: ignore[method-assign]
            ahead = pool._ReadAhead.__call__

            def reading_ahead(job: Any, path: Path) -> Any:
                began = time.time() - START
                result = ahead(job, path)
                with log.open("a") as out:
                    print(f"{os.getpid()} {began:.4f} {time.time() - START:.4f} ahead", file=out)
                return result

            pool._ReadAhead.__call__ = reading_ahead  # type: ignore[method-assign]
            serve_all = pool._Supervisor._serve_all

            def serving_all(supervisor: Any, *rest: Any) -> Any:
                import threading

                serving.append(threading.get_native_id())
                return serve_all(supervisor, *rest)

            pool._Supervisor._serve_all = serving_all  # type: ignore[method-assign]
            from pipeline.checks import per_file

            asking = per_file.ask

            def timed_ask(question: Any) -> Any:
                began = time.time()
                try:
                    return asking(question)
                finally:
                    waited[0] += time.time() - began

            per_file.ask = timed_ask
        plan = sys.modules.get("pipeline.plan")
        if "plan" not in patched and plan is not None and hasattr(plan, "_build"):
            patched.add("plan")  # the plan read in this process: calamine's part, then Python's
            timed(plan, "_sheet_rows")  # a sheet parsed by calamine, its rows made
            timed(plan, "_build")  # the projects, targets and the Plan's indexes
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
    if not sched:
        child = None
    mark("> import pipeline.cli")
    import pipeline.cli

    mark("< import pipeline.cli")
    pipeline.cli.console()


def report(log: Path, sampling: subprocess.Popen[bytes] | None, samples: Path) -> None:
    import resource

    mark("done")
    print("\n".join(lines), file=sys.stderr)
    files: dict[tuple[str, str], list[tuple[float, float, float]]] = defaultdict(list)
    for line in log.read_text().splitlines():
        pid, began, ended, kind, *waited = line.split()
        files[pid, kind].append((float(began), float(ended), float(waited[0]) if waited else 0))
    log.unlink()
    for (pid, kind), spans in sorted(files.items()):
        busy = sum(end - began for began, end, _ in spans)
        asked = sum(waited for _, _, waited in spans)
        print(
            f"worker {pid} {kind:5}: {len(spans)} files, first {spans[0][0]:.3f}–{spans[0][1]:.3f}"
            f" s, last ends {spans[-1][1]:.3f} s, busy {busy:.3f} s"
            + (f", of which waiting for answers {asked:.3f} s" if kind == "read" else ""),
            file=sys.stderr,
        )
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"children's CPU: {children.ru_utime + children.ru_stime:.3f} s", file=sys.stderr)
    if sampling is not None:
        sampling.send_signal(signal.SIGTERM)
        sampling.wait()
        print(phases(samples, {what: now for now, what in marks}, serving), file=sys.stderr)
    samples.unlink(missing_ok=True)


# --- the scheduler's account (--sched) -----------------------------------------------------------


def _threads(pid: int) -> list[tuple[int, int]]:
    """(process, thread) of `pid` and every process below it."""
    found: list[tuple[int, int]] = []
    todo = [pid]
    while todo:
        process = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{process}/task")
        except OSError:
            continue
        for task in tasks:
            found.append((process, int(task)))
            try:
                with open(f"/proc/{process}/task/{task}/children") as children:
                    todo += [int(c) for c in children.read().split()]
            except OSError:
                pass
    return found


def sampler(pid: int, out: Path, start: float = 0.0) -> None:
    """Every 20 ms, each thread's (seconds on a CPU, seconds waiting for one), until SIGTERM."""
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    me = os.getpid()
    rows: list[str] = []
    while not stop:
        now = time.time() - start
        for process, thread in _threads(pid):
            if process == me:
                continue
            try:
                with open(f"/proc/{process}/task/{thread}/schedstat") as stat:
                    run, wait, _ = stat.read().split()
            except OSError:
                continue
            rows.append(f"{now:.4f} {process} {thread} {int(run) / 1e9:.4f} {int(wait) / 1e9:.4f}")
        time.sleep(0.02)
    out.write_text("\n".join(rows))


def phases(samples: Path, at: dict[str, float], serving_ids: list[int]) -> str:
    """Per phase and thread: run / queue / sleep seconds (see --sched)."""
    series: dict[tuple[int, int], list[tuple[float, float, float]]] = defaultdict(list)
    for line in samples.read_text().splitlines():
        now, process, thread, run, wait = line.split()
        series[int(process), int(thread)].append((float(now), float(run), float(wait)))
    main = os.getpid()
    edges = [
        ("start-up", 0.0, at.get("> start_readers", 0.0)),
        ("workers forked", at.get("> start_readers", 0.0), at.get("> _plan", 0.0)),
        ("plan read", at.get("> _plan", 0.0), at.get("< _plan", 0.0)),
        ("plan -> check_folder", at.get("< _plan", 0.0), at.get("> check_folder", 0.0)),
        ("read+match", at.get("> check_folder", 0.0), at.get("> use_files", 0.0)),
        ("validate..write", at.get("> use_files", 0.0), at.get("done", 0.0)),
    ]

    def name(process: int, thread: int) -> str:
        if process != main:
            return f"worker {process}" + ("" if process == thread else f" thread {thread}")
        if thread == main:
            return "main thread"
        return "serving thread" if thread in serving_ids else f"main's thread {thread}"

    def at_time(points: list[tuple[float, float, float]], t: float) -> tuple[float, float]:
        before = [p for p in points if p[0] <= t]
        point = before[-1] if before else points[0]
        return (point[1], point[2]) if before else (0.0, 0.0)

    out = ["", "phase / thread: run s (on a CPU), queue s (waiting for a CPU), sleep s (blocked)"]
    for label, begin, end in edges:
        if end <= begin:
            continue
        out.append(f"{label} ({begin:.2f}–{end:.2f} s, {end - begin:.2f} s)")
        totals: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for (process, thread), points in series.items():
            alive = [p for p in points if begin <= p[0] <= end]
            if not alive:
                continue
            run0, wait0 = at_time(points, begin)
            run1, wait1 = at_time(points, end)
            span = min(end, alive[-1][0]) - max(begin, points[0][0])
            run, wait = run1 - run0, wait1 - wait0
            if run < 0.005 and wait < 0.005 and process == main and thread != main:
                continue  # an idle helper thread (e.g. a BLAS pool)
            total = totals[name(process, thread)]
            total[0] += run
            total[1] += wait
            total[2] += max(0.0, span - run - wait)
        for who, (run, wait, sleep) in sorted(totals.items()):
            out.append(f"  {who:24} run {run:7.2f}  queue {wait:7.2f}  sleep {sleep:7.2f}")
    return "\n".join(out)


if __name__ == "__main__":
    main()
