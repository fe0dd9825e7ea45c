"""A worker's CPU for one file, by part: where the read region's per-file time goes.

    python benchmarks/perfile.py MASTER FOLDER [--files N] [--year 2024]

reads the plan, then does in this process what a worker does with each of the first N files of
FOLDER — read it ahead as the pool does (`pool._ReadAhead`) and pickle it, unpickle it, check
it (`check_file`, the department's template rows made from the main process's answer as
`AskedPlan` makes them) and pickle the FileReport — and prints the CPU milliseconds a file of
each part (`time.process_time` around the functions named; parts nest: the zip checks include
their own lines). The same script runs against another checkout (PYTHONPATH=that checkout), so
that two versions can be run alternately on a shared machine (issue 14, session 9).
"""

from __future__ import annotations

import argparse
import functools
import gc
import pickle
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

PARTS = (  # (module, function, label): each wrapped where it is looked up
    ("pipeline.ingest.reader", "file_facts", "file facts (SHA-256)"),
    ("pipeline.ingest.reader", "inspect", "zip safety checks"),
    ("pipeline.ingest.container", "_read_capped", "  decompress + DTD search"),
    ("pipeline.ingest.container", "plain_refs", "  plain-tag test"),
    ("pipeline.ingest.container", "_over_extent", "  extent check"),
    ("pipeline.ingest.container", "_core_properties", "  core properties"),
    ("pipeline.ingest.reader", "_sheet_values", "calamine: the sheet"),
    ("pipeline.ingest.reader", "_meta", "calamine: _meta"),
    ("pipeline.ingest.reader", "_find_header", "header search"),
    ("pipeline.ingest.reader", "scan", "cell facts (XML)"),
    ("pipeline.ingest.reader", "_data_rows", "data rows"),
    ("pipeline.checks.identity", "expected_fingerprint", "fingerprint"),
    ("pipeline.checks.per_file", "identify_by", "identify"),
    ("pipeline.checks.per_file", "identify", "identify"),  # before session 9
    ("pipeline.checks.per_file", "match_grid", "match"),
    ("pipeline.checks.per_file", "match_rows", "match"),  # before session 9
    ("pipeline.ingest.reader", "raw_frame", "the raw rows frame"),  # before session 9
)


def main() -> None:
    """Print the parts' CPU a file, and the whole."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("master", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--files", type=int, default=400)
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    import importlib

    from pipeline.checks import per_file
    from pipeline.checks.request import plan_for
    from pipeline.ingest import pool
    from pipeline.ingest.limits import Limits

    plan = plan_for(args.master, args.year)
    gc.freeze()  # a worker holds no plan: its collections never walk the plan's objects
    spent: defaultdict[str, float] = defaultdict(float)
    for module, name, label in PARTS:
        owner = importlib.import_module(module)
        if hasattr(owner, name):  # another checkout may not have it
            setattr(owner, name, _timed(getattr(owner, name), label, spent))
    answer = per_file.plan_answer(plan)

    class Asked(per_file.AskedPlan):
        """AskedPlan answered in this process (no worker's pipe)."""

        def _asked(self, *question: str) -> Any:
            return answer(question)

    per_file.ask = answer  # type: ignore[attr-defined]
    read = pool._ReadAhead(args.folder, Limits(), plan.layout())
    paths = sorted(args.folder.glob("*.xlsx"))[: args.files]

    def work(files: list[Path]) -> float:
        started = time.process_time()
        for path in files:
            held = pickle.dumps(read(path), pickle.HIGHEST_PROTOCOL)
            report = per_file.check_file(pickle.loads(held), (Asked(args.year), args.year))
            pickle.dumps(report, pickle.HIGHEST_PROTOCOL)
        return time.process_time() - started

    work(paths[:20])  # caches and imports warm
    spent.clear()
    whole = work(paths)
    for label, seconds in spent.items():
        print(f"{label:28s} {seconds / len(paths) * 1000:6.3f} ms")
    print(f"{'a file, in all':28s} {whole / len(paths) * 1000:6.3f} ms  ({len(paths)} files)")


def _timed(
    function: Callable[..., Any], label: str, spent: defaultdict[str, float]
) -> Callable[..., Any]:
    @functools.wraps(function)
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] += time.process_time() - started

    return timed


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
