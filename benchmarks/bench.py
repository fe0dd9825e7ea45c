"""Benchmark: shinchoku against the naive way, per phase, with peak memory.

    python benchmarks/bench.py                  # N = 40 and 1000 files of 60 rows
    python benchmarks/bench.py --files 40,2000,5000 --rows 60

For each N it generates (once, cached under --workdir) a plan with N departments and one filled
submission per department, then measures, each in a fresh process so that peak RSS is its own:

- `shinchoku`: the library's full run, per phase: read+match (the workers read each file and match
  its rows to the plan), validate (the merged rows), aggregate, write;
- `naive`: what a user would write — pandas.read_excel(engine="openpyxl") file after file, concat,
  count grades — on the same files;
- `calamine`: a raw python-calamine read of the same sheets (the floor for the read phase);
- start-up: `shinchoku --help`, and a whole city-size `shinchoku run` including the interpreter.

Numbers, not assertions: the output is a table to paste into the README.
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


_EMPTY = re.compile(rb'<c r="([HJKM])(\d+)" s="(\d+)"/>')


def fill_fast(template: Path, dest: Path) -> None:
    """Type a department's answers by editing the sheet XML (openpyxl would take 30 ms a file):
    実績値 = 目標値 (100%), 自己評価 A, a sentence of 取組内容, 今後の方向性 継続."""
    dest.parent.mkdir(parents=True, exist_ok=True)

    def value(match: re.Match[bytes]) -> bytes:
        column, row, style = match.group(1), int(match.group(2)), match.group(3)
        ref = column + match.group(2)
        if row < 7:
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
    return [
        p
        for p in CORPUS.rglob("*")
        if p.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")
    ]


def peak_rss_mb() -> float:
    self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (self + children) / 1024  # Linux reports KiB


def measure(kind: str, master: Path, folder: Path, out: Path) -> dict[str, object]:
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
        import pandas as pd

        frames = [
            pd.read_excel(p, sheet_name="進捗状況", header=5, engine="openpyxl") for p in paths
        ]
        merged = pd.concat(frames, ignore_index=True)
        result = {"rows": len(merged), "grades": merged["自己評価"].value_counts().to_dict()}
    elif kind == "calamine":
        import python_calamine

        rows = 0
        for p in paths:
            sheet = python_calamine.CalamineWorkbook.from_path(str(p)).get_sheet_by_name("進捗状況")
            rows += len(sheet.to_python()) - 6
        result = {"rows": rows}
    result.update(wall=time.perf_counter() - started, peak_rss_mb=peak_rss_mb(), files=len(paths))
    return result


def in_process(kind: str, master: Path, folder: Path, out: Path) -> dict[str, object]:
    command = [sys.executable, __file__, "--measure", kind, str(master), str(folder), str(out)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def timed_command(command: list[str], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(command, check=False, capture_output=True, cwd=REPO)
        best = min(best, time.perf_counter() - started)
    return best


# --- report ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", default="40,1000", help="comma-separated N (files)")
    parser.add_argument("--rows", type=int, default=60, help="rows per file")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/shinchoku-bench"))
    parser.add_argument("--measure", nargs=4, metavar=("KIND", "MASTER", "FOLDER", "OUT"))
    args = parser.parse_args()
    if args.measure:
        kind, master, folder, out = args.measure
        print(json.dumps(measure(kind, Path(master), Path(folder), Path(out)), default=str))
        return
    shinchoku = shutil.which("shinchoku") or str(Path(sys.executable).with_name("shinchoku"))
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"shinchoku --help: {timed_command([shinchoku, '--help']):.2f} s")
    print()
    header = (
        "N",
        "rows",
        "gen s",
        "read+match s",
        "validate s",
        "aggregate s",
        "write s",
        "total s",
        "files/s",
        "RSS MB",
        "naive s",
        "naive MB",
        "calamine s",
        "speed-up",
        "read/calamine",
    )
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    for n in (int(x) for x in args.files.split(",")):
        corpus = args.workdir / f"n{n}_r{args.rows}"
        started = time.perf_counter()
        master, folder = make_corpus(corpus, n, args.rows)
        generated = time.perf_counter() - started
        ours = in_process("shinchoku", master, folder, corpus / "out")
        naive = in_process("naive", master, folder, corpus / "out")
        raw = in_process("calamine", master, folder, corpus / "out")
        total = float(ours["wall"])  # type: ignore[arg-type]
        cells = (
            n,
            ours["rows"],
            f"{generated:.1f}",
            *(f"{float(ours[p]):.2f}" for p in ("read", "validate", "aggregate", "write")),
            f"{total:.2f}",
            f"{n / total:.0f}",
            f"{float(ours['peak_rss_mb']):.0f}",
            f"{float(naive['wall']):.2f}",
            f"{float(naive['peak_rss_mb']):.0f}",
            f"{float(raw['wall']):.2f}",
            f"{float(naive['wall']) / total:.1f}x",
            f"{float(ours['read']) / float(raw['wall']):.1f}x",
        )  # type: ignore[arg-type]
        print(" | ".join(str(c) for c in cells), flush=True)
        if n <= 60:
            city = timed_command(
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
            print(f"  city run with start-up (shinchoku run, {n} files): {city:.2f} s", flush=True)
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
