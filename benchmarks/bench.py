"""Benchmark: shinchoku against the naive way, per phase, with peak memory.

    python benchmarks/bench.py                  # N = 40 and 1000 files of 60 rows
    python benchmarks/bench.py --files 40,2000,5000 --rows 60

For each N it generates (once, cached under --workdir) a plan with N departments and one filled
submission per department, then measures, each in a fresh process so that peak RSS is its own:

- `shinchoku`: the library's full run, per phase: read+match (the workers read each file and match
  its rows to the plan), validate (the merged rows), aggregate, write;
- `naive`: the same job written the way a user would with pandas — read_excel(engine="openpyxl")
  file after file, concat, count grades, to_excel of the summary and of the full listing;
- `calamine`: a raw python-calamine read of the same sheets (the floor for the read phase);
- start-up: `shinchoku --help`, and a whole city-size `shinchoku run` including the interpreter.

Wall and CPU time (user + system, workers included) are both printed: the machine may be shared,
and both sides are measured in the same run. Numbers, not assertions: a table for the README.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
YEAR = 2024


# --- corpus ------------------------------------------------------------------------------------


def make_corpus(folder: Path, files: int, rows: int) -> tuple[Path, Path]:
    """A plan with `files` departments of `rows` targets each, and every department's submission."""
    from pipeline import labels as L
    from pipeline.plan import MASTER_COLUMNS, read_plan
    from pipeline.plan_source import write_master
    from pipeline.templates import template_path, write_template

    master = folder / "計画マスタ.xlsx"
    submissions = folder / "提出"
    done = folder / ".complete"
    if done.exists():
        return master, submissions
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    fields = 5
    tree = [[str(f), f"分野{f}", "", "分野"] for f in range(1, fields + 1)]
    tree += [
        [f"{f}-{p}", f"施策{f}-{p}", str(f), "施策"] for f in range(1, fields + 1) for p in (1, 2)
    ]
    projects = [list(MASTER_COLUMNS[L.MASTER_PROJECT_SHEET])]
    targets = [[L.NUMBER, L.TARGET_NAME, L.UNIT, L.DIRECTION, L.BASELINE, f"{YEAR}年度"]]
    for d in range(files):
        for r in range(rows):
            number = f"{d + 1}-{r + 1}"
            node = f"{r % fields + 1}-{r % 2 + 1}"
            projects.append([number, f"事業{r + 1}", node, f"自治体{d + 1:05d}", "", "", ""])
            targets.append([number, f"指標{r + 1}", "件", "増加", "", str(100 + r)])
    plan_rows = [
        [L.PLAN_ITEM, L.PLAN_VALUE],
        [L.PLAN_ID, "bench"],
        [L.PLAN_NAME, "ベンチマーク計画"],
        [L.PLAN_START, str(YEAR)],
        [L.PLAN_END, str(YEAR)],
        [L.PLAN_LEVELS, "分野;施策"],
        [L.PLAN_GRADES, "A=着実に進捗した;B=概ね進捗した;C=進捗が遅れている"],
        [L.PLAN_FLOORS, "A=100;B=80"],
    ]
    sheets = {
        L.MASTER_PLAN_SHEET: plan_rows,
        L.MASTER_TREE_SHEET: [[L.TREE_CODE, L.TREE_NAME, L.TREE_PARENT, L.TREE_LEVEL], *tree],
        L.MASTER_PROJECT_SHEET: projects,
        L.MASTER_TARGET_SHEET: targets,
    }
    write_master(sheets, master)
    plan = read_plan(master)
    templates = folder / "テンプレート"
    for department in plan.departments():
        template = write_template(plan, department, YEAR, templates)
        fill_fast(template, template_path(submissions, department, YEAR))
        template.unlink()
    done.touch()
    return master, submissions


_EMPTY = re.compile(rb'<c r="([BEHJKM])(\d+)" s="(\d+)"/>')


def fill_fast(template: Path, dest: Path) -> None:
    """Type a department's answers by editing the sheet XML (openpyxl would take 30 ms a file):
    記入者 and 連絡先（内線） (B3, E3: a clean submission, no V15/V16 warning and so no 指摘事項
    workbook), 実績値 = 目標値 (100%), 自己評価 A, a sentence of 取組内容, 今後の方向性 継続."""
    dest.parent.mkdir(parents=True, exist_ok=True)

    def value(match: re.Match[bytes]) -> bytes:
        column, row, style = match.group(1), int(match.group(2)), match.group(3)
        ref = column + match.group(2)
        if row == 3 and column in (b"B", b"E"):
            text = {b"B": "進行 太郎", b"E": "1234"}[column].encode()
            return b'<c r="%s" s="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, style, text)
        if row < 7 or column in (b"B", b"E"):
            return match.group(0)
        if column == b"H":
            return b'<c r="%s" s="%s"><v>%d</v></c>' % (ref, style, 100 + row - 7)
        text = {b"J": "A", b"K": "計画どおり実施した。", b"M": "継続"}[column].encode()
        return b'<c r="%s" s="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, style, text)

    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = _EMPTY.sub(value, data)
            out.writestr(info, data)


# --- measurements (each in its own process) ----------------------------------------------------


CORPUS = REPO / "tests" / "data" / "corpus"


def with_corpus(folder: Path, target: Path) -> Path:
    """`folder` plus every file of the hostile corpus (real files from other readers' tests)."""
    if not target.exists():
        shutil.copytree(folder, target)
        shutil.copytree(CORPUS, target / "corpus")
    return target


def corpus_files() -> list[Path]:
    """The hostile corpus's workbooks."""
    return [
        p
        for p in CORPUS.rglob("*")
        if p.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")
    ]


def peak_rss_mb() -> float:
    """Peak resident memory of this process plus its largest waited-for child, in MB."""
    self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (self + children) / 1024  # Linux reports KiB


def _pss_kb(pid: int) -> int:
    """Proportional set size of process `pid` in KiB (0 when it is gone): a page shared by n
    processes (a fork's copy-on-write pages) counts 1/n in each, so the sum over a process tree
    counts it once."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """`pid` and all its descendants (Linux: /proc/PID/task/TID/children)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as kids:
                    queue += [int(x) for x in kids.read().split()]
        except OSError:
            continue
    return found


_PSS_EVERY = 1.0  # seconds between two samples of PSS


class PssSampler:
    """The peak of the whole run's memory, sampled every second in a thread: the sum of PSS
    over this process and its workers (shared pages counted once, unlike "process + largest
    worker", which counts the parent's pages again in each forked worker). Not more often: the
    kernel walks every page of a process to answer smaps_rollup (~9 ms for 500 MB), and every
    50 ms that cost ~3 s of CPU in a 2,000-file run, counted in shinchoku's CPU and taken from
    its two cores."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        me = os.getpid()
        while True:
            total = sum(_pss_kb(pid) for pid in _tree(me))
            self.peak_kb = max(self.peak_kb, total)
            if self._stop.wait(_PSS_EVERY):
                return


def measure(kind: str, master: Path, folder: Path, out: Path) -> dict[str, object]:
    """One measurement of `kind` (shinchoku, naive, calamine) on the workbooks of `folder`."""
    sampler = PssSampler().__enter__() if os.path.exists("/proc/self/smaps_rollup") else None
    started = time.perf_counter()
    paths = sorted(folder.glob("*.xlsx"))  # the genuine files (a corpus lies in a subfolder)
    result: dict[str, object] = {}
    if kind == "shinchoku":
        from pipeline.batch import Options, run

        outcome = run(master, folder, YEAR, out, Options())
        result = {
            **outcome.timings,
            "rows": outcome.rows_read,
            "counted": outcome.rows_counted,
        }
    elif kind == "naive":
        result = naive_job(paths, out)
    elif kind == "calamine":
        import python_calamine

        rows = 0
        for p in paths:
            sheet = python_calamine.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("進捗状況")
            rows += len(sheet.to_python()) - 6
        result = {"rows": rows}
    wall = time.perf_counter() - started
    if sampler is not None:
        sampler.__exit__()
    result.update(
        wall=wall,
        cpu=cpu_seconds(),
        peak_rss_mb=peak_rss_mb(),
        peak_pss_mb=sampler.peak_kb / 1024 if sampler is not None else float("nan"),
        files=len(paths),
    )
    return result


def naive_job(paths: list[Path], out: Path) -> dict[str, object]:
    """The same job done the way a user would write it with pandas: read_excel (openpyxl) file
    after file, concat, count the grades per department and overall, and to_excel the summary
    and the full listing (pandas' default xlsx writer, xlsxwriter, as shinchoku's)."""
    import pandas as pd

    frames = []
    for p in paths:
        frame = pd.read_excel(p, sheet_name="進捗状況", header=5, engine="openpyxl")
        frame.insert(0, "ファイル", p.name)
        frames.append(frame)
    merged = pd.concat(frames, ignore_index=True)
    summary = pd.crosstab(merged["ファイル"], merged["自己評価"], margins=True, margins_name="全体")
    out.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(out / "naive.xlsx") as writer:
        summary.to_excel(writer, sheet_name="概要")
        merged.to_excel(writer, sheet_name="事業一覧", index=False)
    return {"rows": len(merged), "grades": merged["自己評価"].value_counts().to_dict()}


def cpu_seconds() -> float:
    """User + system CPU of this process and its (waited-for) workers."""
    self = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return self.ru_utime + self.ru_stime + children.ru_utime + children.ru_stime


def stolen_seconds() -> float | None:
    """CPU time the hypervisor gave to other machines so far (all cores; /proc/stat's steal
    column), None where it is not known. On a shared virtual machine this is the noise: a run
    during which the host took 15 % of the cores is slower for reasons of its own."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def in_process(kind: str, master: Path, folder: Path, out: Path) -> dict[str, object]:
    """`measure` in a fresh process, so that its peak memory is its own; with the share of the
    machine's CPU time the host took meanwhile (`stolen`, a fraction; None where not known)."""
    command = [sys.executable, __file__, "--measure", kind, str(master), str(folder), str(out)]
    before, started = stolen_seconds(), time.perf_counter()
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    after, elapsed = stolen_seconds(), time.perf_counter() - started
    result = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    known = before is not None and after is not None
    result["stolen"] = (after - before) / (elapsed * (os.cpu_count() or 1)) if known else None
    return result


def best(runs: list[dict[str, object]]) -> dict[str, object]:
    """The run of least wall time (the least disturbed by the machine's other work)."""
    return min(runs, key=lambda r: float(r["wall"]))  # type: ignore[arg-type]


def _stolen(run: dict[str, object]) -> str:
    share = run.get("stolen")
    return "?" if share is None else f"{100 * float(share):.0f} %"  # type: ignore[arg-type]


def timed_command(command: list[str], repeat: int = 3) -> tuple[float, float]:
    """Best wall time of `repeat` runs of `command` (interpreter start-up included), and the CPU
    time (user + system, the command and its workers) of that run."""
    best = (float("inf"), 0.0)
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True, cwd=REPO)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        best = min(best, (wall, cpu))
    return best


# --- report ------------------------------------------------------------------------------------


def main() -> None:
    """Print the table for each N, with --help and the city run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", default="40,1000", help="comma-separated N (files)")
    parser.add_argument("--rows", type=int, default=60, help="rows per file")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/shinchoku-bench"))
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of each side, alternating (shinchoku, naive, shinchoku, …); the best of each",
    )
    parser.add_argument("--measure", nargs=4, metavar=("KIND", "MASTER", "FOLDER", "OUT"))
    args = parser.parse_args()
    if args.measure:
        kind, master, folder, out = args.measure
        print(json.dumps(measure(kind, Path(master), Path(folder), Path(out)), default=str))
        return
    shinchoku = shutil.which("shinchoku") or str(Path(sys.executable).with_name("shinchoku"))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f", load average {load}"
    )
    help_wall, help_cpu = timed_command([shinchoku, "--help"])
    print(f"shinchoku --help: {help_wall:.2f} s (CPU {help_cpu:.2f} s)")
    print()
    header = (
        "N",
        "rows",
        "read+match s",
        "validate s",
        "aggregate s",
        "write s",
        "total s",
        "CPU s",
        "peak RSS MB",
        "peak PSS MB",
        "naive s",
        "naive CPU s",
        "naive MB",
        "calamine s",
        "speed-up",
        "CPU ratio",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for n in (int(x) for x in args.files.split(",")):
        corpus = args.workdir / f"n{n}_r{args.rows}"
        started = time.perf_counter()
        master, folder = make_corpus(corpus, n, args.rows)
        generated = time.perf_counter() - started
        if generated > 1:
            print(f"(generated the {n}-file corpus in {generated:.0f} s)", flush=True)
        ours_runs: list[dict[str, object]] = []
        naive_runs: list[dict[str, object]] = []
        for _ in range(max(1, args.repeat)):
            ours_runs.append(in_process("shinchoku", master, folder, corpus / "out"))
            naive_runs.append(in_process("naive", master, folder, corpus / "out_naive"))
        ours, naive = best(ours_runs), best(naive_runs)
        raw = in_process("calamine", master, folder, corpus / "out")
        total = float(ours["wall"])  # type: ignore[arg-type]
        cells = (
            n,
            f"{ours['rows']:,}",
            *(f"{float(ours[p]):.2f}" for p in ("read", "validate", "aggregate", "write")),
            f"{total:.2f}",
            f"{float(ours['cpu']):.2f}",
            f"{float(ours['peak_rss_mb']):.0f}",
            f"{float(ours['peak_pss_mb']):.0f}",
            f"{float(naive['wall']):.2f}",
            f"{float(naive['cpu']):.2f}",
            f"{float(naive['peak_rss_mb']):.0f}",
            f"{float(raw['wall']):.2f}",
            f"{float(naive['wall']) / total:.1f}x",
            f"{float(naive['cpu']) / float(ours['cpu']):.1f}x",
        )  # type: ignore[arg-type]
        print(" | ".join(str(c) for c in cells), flush=True)
        walls = ", ".join(
            f"{float(o['wall']):.1f}/{float(v['wall']):.1f} s"  # type: ignore[arg-type]
            f" (host took {_stolen(o)}/{_stolen(v)})"
            for o, v in zip(ours_runs, naive_runs, strict=True)
        )
        print(f"  shinchoku/naive, each run: {walls}", flush=True)
        if n <= 60:
            city, city_cpu = timed_command(
                [
                    shinchoku,
                    "run",
                    str(master),
                    str(folder),
                    "--year",
                    str(YEAR),
                    "--out",
                    str(corpus / "cli"),
                    "--no-db",
                ],
                repeat=3,
            )
            print(
                f"  city run with start-up (shinchoku run, {n} files): {city:.2f} s"
                f" (CPU {city_cpu:.2f} s)",
                flush=True,
            )
            hostile = with_corpus(folder, corpus / "hostile")
            mixed = in_process("shinchoku", master, hostile, corpus / "out_hostile")
            print(
                f"  the same beside the {len(corpus_files())} corpus files "
                f"(tests/data/corpus): {float(mixed['wall']):.2f} s, "
                f"peak RSS {float(mixed['peak_rss_mb']):.0f} MB (batch + largest worker)",
                flush=True,
            )


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    main()
