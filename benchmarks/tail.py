"""Time the serial tail of a run (validate, aggregate, write) alone, from a saved state.

    python benchmarks/tail.py save MASTER FOLDER STATE        # read once: plan + FileReports
    python benchmarks/tail.py time STATE OUT [--profile P]    # the tail, per stage

`save` reads the plan and every file (in the workers, as a run does) and pickles the plan, the
folder scan and the FileReports. `time` runs `batch.run` on them without reading anything: the
plan read, the workers and the folder scan are replaced by the saved state, so what is timed
is what the main process does once the files are read — every stage function the batch calls
is wrapped to print its CPU (`time.process_time`, every thread) and wall time; the whole tail
also prints the main thread's own CPU (`time.thread_time`), the critical path on a quiet
machine. The same script runs against
another checkout (PYTHONPATH=that checkout) to compare side by side; OUT holds the outputs, to
compare byte for byte.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pickle
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

YEAR = 2024
RUN_AT = datetime(2025, 6, 1, 12, 0)  # fixed, so that two runs' outputs compare byte for byte


def save(master: Path, folder: Path, state: Path) -> None:
    from pipeline import batch
    from pipeline.checks.per_file import AskedPlan, check_file, plan_answer
    from pipeline.checks.request import plan_for
    from pipeline.ingest import read_all, scan_folder
    from pipeline.options import Options

    options = Options()
    plan = plan_for(master, YEAR)
    paths, notes = scan_folder(folder)
    reports = list(
        read_all(
            paths,
            folder,
            options.limits,
            check_file,
            (AskedPlan(YEAR), YEAR),
            options.workers,
            plan.layout(),
            plan_answer(plan),
        )
    )
    with state.open("wb") as out:
        pickle.dump((plan, folder, paths, notes, reports), out, protocol=pickle.HIGHEST_PROTOCOL)
    del batch


_STAGES: dict[str, list[float]] = {}


def _timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        cpu, wall, main = time.process_time(), time.perf_counter(), time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent = _STAGES.setdefault(name, [0.0, 0.0, 0.0])
            spent[0] += time.process_time() - cpu
            spent[1] += time.perf_counter() - wall
            spent[2] += time.thread_time() - main

    return timed


class _Saved(list[Any]):
    """The saved reports, as read_all's results are taken: iterated, then closed."""

    def close(self) -> None:
        """Nothing to stop: no worker served them."""


def run_tail(state: Path, out: Path, profile: Path | None, dump: Path | None = None) -> None:
    import importlib

    from pipeline import batch
    from pipeline.checks.values import warm_up
    from pipeline.options import Options

    with state.open("rb") as source:
        plan, folder, paths, notes, reports = pickle.load(source)
    try:  # done while the files are read in a real run
        warm_up(plan, YEAR)
    except TypeError:  # an older checkout: the plan's schemas only
        warm_up(plan)
    batch.scan_folder = lambda root: (paths, notes)  # type: ignore[assignment]
    batch.read_all = lambda *args, **kwargs: _Saved(reports)  # type: ignore[assignment]
    batch._readers = lambda *args, **kwargs: contextlib.nullcontext(None)  # type: ignore[assignment]
    batch._plan = lambda master, year: plan  # type: ignore[assignment]
    modules = {
        "pipeline.checks.values": ("check_values",),
        "pipeline.report.workbook": ("write_run_workbook",),
    }
    for name in dir(batch):  # every stage function the batch calls by name
        value = getattr(batch, name)
        if (
            callable(value)
            and getattr(value, "__module__", "").startswith("pipeline.")
            and (value.__module__ != "pipeline.batch" and not isinstance(value, type))
        ):
            setattr(batch, name, _timed(name, value))
    for module_name, names in modules.items():
        module = importlib.import_module(module_name)
        for name in names:
            if hasattr(module, name):
                setattr(module, name, _timed(name, getattr(module, name)))
    profiler = cProfile.Profile() if profile else None
    cpu, wall, main = time.process_time(), time.perf_counter(), time.thread_time()
    if profiler:
        profiler.enable()
    report = batch.run(Path("master.xlsx"), folder, YEAR, out, Options(), RUN_AT)
    if profiler:
        profiler.disable()
        profiler.dump_stats(str(profile))
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    main = time.thread_time() - main  # the critical path: threads beside it (deflate) excluded
    for name, (c, w, m) in sorted(_STAGES.items(), key=lambda kv: -kv[1][0]):
        print(f"{name:28s} {c:7.2f} s CPU {w:7.2f} s wall {m:7.2f} s main thread")
    timings = {k: round(v, 2) for k, v in report.timings.items()}
    print(f"{'tail':28s} {cpu:7.2f} s CPU {wall:7.2f} s wall {main:7.2f} s main thread {timings}")
    print(f"rows counted {len(report.counted)}, findings {len(report.finding_list)}")
    if dump:  # the checked report, to time one stage alone (figures, tables, writers)
        with dump.open("wb") as sink:
            pickle.dump(report, sink, protocol=pickle.HIGHEST_PROTOCOL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("save")
    s.add_argument("master", type=Path)
    s.add_argument("folder", type=Path)
    s.add_argument("state", type=Path)
    t = sub.add_parser("time")
    t.add_argument("state", type=Path)
    t.add_argument("out", type=Path)
    t.add_argument("--profile", type=Path)
    t.add_argument("--dump", type=Path, help="pickle the report here")
    args = parser.parse_args()
    if args.command == "save":
        save(args.master, args.folder, args.state)
    else:
        run_tail(args.state, args.out, args.profile, args.dump)


if __name__ == "__main__":
    sys.exit(main())
