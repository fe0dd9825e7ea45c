"""make corpus: every real and crafted hostile file, one at a time beside genuine submissions.

For each file of tests/data/corpus/ (and, with --crafted, each crafted case of tests/hostile.py)
a `shinchoku run` is started on the demo's genuine submissions plus that one file, under a shell
memory cap (RLIMIT_AS, as `ulimit -v`), and checked the way a reviewer would: exit 0 or 1, no
traceback, within the time limit and peak memory, the file listed in 提出状況.csv, and the
genuine figures (概要.csv, 事業一覧.csv) byte for byte those of a run without it.

    python benchmarks/corpus.py [--crafted] [--cap-gb 2] [--seconds 180] [--extra DIR]
"""

from __future__ import annotations

import argparse
import csv
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "data" / "corpus"
SPREADSHEETS = (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")


def run(
    master: Path, folder: Path, out: Path, cap: int, seconds: float
) -> tuple[int, str, float, float]:
    """Exit code, stderr, wall seconds and peak RSS (MB, the largest process) of one run."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(master), str(folder), "--year", "2024",
         "--out", str(out), "--no-db"],
        capture_output=True, text=True, timeout=seconds, preexec_fn=limit, cwd=REPO,
    )  # fmt: skip
    wall = time.perf_counter() - started
    peak = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    return done.returncode, done.stderr + done.stdout, wall, peak


def listed(out: Path) -> dict[str, str]:
    """File -> its status (提出, 差替え前, 対象外) in 提出状況.csv."""
    with (out / "提出状況.csv").open(encoding="utf-8-sig", newline="") as handle:
        return {row["ファイル"]: row["提出"] for row in csv.DictReader(handle)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--crafted", action="store_true", help="also every crafted case")
    parser.add_argument("--cap-gb", type=float, default=2.0)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--extra", type=Path, help="a folder of more files to try")
    args = parser.parse_args()
    cap = int(args.cap_gb * 1024**3)
    work = Path(tempfile.mkdtemp(prefix="shinchoku-corpus-"))
    subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--out", str(work / "demo")],
        check=True, capture_output=True, cwd=REPO,
    )  # fmt: skip
    master = REPO / "input_templates" / "sendai2021_計画マスタ.xlsx"
    genuine = work / "demo" / "提出"
    code, _, _, _ = run(master, genuine, work / "genuine_out", cap, args.seconds)
    expected = {n: (work / "genuine_out" / n).read_bytes() for n in ("概要.csv", "事業一覧.csv")}
    files = sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in SPREADSHEETS)
    if args.extra:
        files += sorted(p for p in args.extra.rglob("*") if p.is_file())
    if args.crafted:
        files += crafted(work / "crafted")
    failures = 0
    print(f"{'file':70} exit  wall s  peak MB  listed  figures")
    for n, path in enumerate(files):
        folder = work / f"case{n}"
        shutil.copytree(genuine, folder)
        shutil.copy(path, folder / f"受信_{path.name}")
        out = work / f"out{n}"
        try:
            code, text, wall, peak = run(master, folder, out, cap, args.seconds)
        except subprocess.TimeoutExpired:
            code, text, wall, peak = -1, "timeout", args.seconds, 0.0
        ok_exit = code in (0, 1) and "Traceback" not in text
        shown = listed(out) if (out / "提出状況.csv").exists() else {}
        same = all(
            (out / name).exists() and (out / name).read_bytes() == data
            for name, data in expected.items()
        )
        # a file without _meta whose rows match a department's is that department's newest
        # submission: its figures then rightly replace the genuine ones
        taken = shown.get(f"受信_{path.name}") == "提出"
        good = ok_exit and f"受信_{path.name}" in shown and (same or taken) and wall < args.seconds
        failures += not good
        name = str(path.relative_to(REPO) if path.is_relative_to(REPO) else path.name)
        print(
            f"{name[-70:]:70} {code:>4}  {wall:6.1f}  {peak:7.0f}  {'yes' if shown else 'NO':6}  "
            f"{'same' if same else 'taken as a submission' if taken else 'CHANGED'}"
            f"{'' if good else '  <-- FAIL'}",
            flush=True,
        )
        shutil.rmtree(folder)
        shutil.rmtree(out, ignore_errors=True)
    print(f"{len(files)} files, {failures} failing; work folder {work}")
    sys.exit(1 if failures else 0)


def crafted(folder: Path) -> list[Path]:
    """The main file of each crafted case of tests/hostile.py (LibreOffice cases skipped)."""
    sys.path.insert(0, str(REPO))
    from tests.hostile import CASES, make_base

    base = make_base(folder / "base")
    made: list[Path] = []
    for case in CASES:
        if case.needs_soffice or case.limits is not None:
            continue
        target = folder / case.name
        case.build(base, target)
        main = target / case.main
        if main.exists():
            renamed = folder / f"{case.name}{main.suffix}"
            shutil.copy(main, renamed)
            made.append(renamed)
    return made


if __name__ == "__main__":
    main()
