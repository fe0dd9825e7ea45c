"""make mutate: mutation testing (mutmut 3) of the modules that decide what users see.

Each group of modules is mutated in its own scratch copy of the repository
(`.mutation/<group>/`, git-ignored) whose pyproject.toml names only that group's modules and
only the fast test files relevant to them, so that each mutant runs a few seconds of tests, not
the whole suite. mutmut picks, per mutant, the tests among those that ran the mutated function.

The score counts killed (and timed-out) mutants against all mutants less those judged equivalent
in mutation/equivalent.txt (one mutant name per line, `#` starts the reason). Results are cached
per group by mutmut: a second run re-tests only what changed.

    python mutation/mutate.py [GROUP ...] [--jobs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SCRATCH = REPO / ".mutation"
EQUIVALENT = REPO / "mutation" / "equivalent.txt"

# group -> (modules to mutate, test files run against them)
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "rates": (
        ["pipeline/rates.py"],
        [
            "tests/test_rates.py",
            "tests/test_figures_shares.py",
            "tests/test_rates_rows.py",
            "tests/test_templates_formulas.py",
            "tests/test_checks_consistency.py",  # rates.Suggestions: C01's two-grade gap
            "tests/test_rates_shared.py",  # a rate case worked out once, shared by its rows
        ],
    ),
    "normalise": (
        ["pipeline/normalise.py"],
        [
            "tests/test_normalise.py",
            "tests/test_normalise_rows.py",
            "tests/test_normalise_alike.py",
            "tests/test_normalise_shared.py",  # _Memo after a blank, unhashable; a blank 単位
        ],
    ),
    "years": (["pipeline/years.py"], ["tests/test_years.py", "tests/test_checks_files.py"]),
    "files": (
        ["pipeline/checks/files.py"],
        # use_files and secretariat_mistakes called directly (test_checks_files_choice), in
        # milliseconds; the whole-folder runs that also reach them are left to make test
        ["tests/test_checks_files.py", "tests/test_checks_files_choice.py"],
    ),
    "figures": (
        ["pipeline/figures.py"],
        [
            "tests/test_figures.py",
            "tests/test_figures_shares.py",
            "tests/test_workbook_charts.py",
            "tests/test_batch_agnostic.py",
            "tests/test_seed_figures.py",
            "tests/test_workbook_sheets.py",
            "tests/test_figures_paths.py",  # 予定別/取組主体別 rows, averages, past, NaN texts
        ],
    ),
    "csvout": (
        ["pipeline/report/csvout.py"],
        ["tests/test_csvout.py", "tests/test_csvout_columns.py"],
    ),
    # the committee workbook, from small workbooks written directly and the cached pipeline
    # runs of the fixtures; test_workbook.py's uncached pipeline runs (the split listing, both
    # writing modes) stay in make test: test_workbook_layout and test_workbook_text check the
    # same in milliseconds
    "workbook": (
        ["pipeline/report/workbook.py"],
        [
            "tests/test_workbook_layout.py",
            "tests/test_workbook_text.py",
            "tests/test_workbook_sheets.py",
            "tests/test_workbook_charts.py",
            "tests/test_workbook_body.py",
            # _share_texts and _cell_xml against the cell-by-cell spelling (1, True, 1.0 apart)
            "tests/test_workbook_shared.py",
            # every table sheet and the shared strings handed to the deflating thread, the
            # file the same as without it (sheet.parts, _set_xml_writer)
            "tests/test_deflating.py",
        ],
    ),
    # the thread that deflates the workbook's big parts while they are written: the same bytes
    "deflating": (["pipeline/report/deflating.py"], ["tests/test_deflating.py"]),
    "workbook-layout": (
        ["pipeline/report/workbook.py"],
        # the layout functions are reached by every test: only the files that look at layout
        ["tests/test_workbook_layout.py", "tests/test_workbook_sheets.py"],
    ),
    "container": (
        ["pipeline/ingest/container.py"],
        ["tests/test_container.py", "tests/test_container_parts.py"],
    ),
    "validate": (
        [
            "pipeline/checks/identity.py",
            "pipeline/checks/integrity.py",
            "pipeline/checks/values.py",
            "pipeline/checks/consistency.py",
            "pipeline/checks/rows.py",  # which rows an エラー rejects (was batch.py's)
            "pipeline/checks/per_file.py",  # a worker's report of one file (was batch.py's)
        ],
        # each check called directly (milliseconds a mutant); the folder runs through the
        # worker pool (test_messages_rule_codes, test_api, the hostile corpus: 10-40 s a
        # mutant, and mutmut runs a mutant's tests in no set order) are left to make test
        [
            "tests/test_checks_identity.py",
            "tests/test_checks_integrity.py",
            "tests/test_checks_values.py",
            "tests/test_checks_consistency.py",
            "tests/test_checks_rows.py",
            "tests/test_checks_per_file.py",
            "tests/test_checks_values_slips.py",
            # the worker's view of the plan (AskedPlan) against the main process's answers
            "tests/test_checks_per_file_asked.py",
            # a plan graded per project's locked 予定 and marks; TRUE typed over a locked 1
            "tests/test_checks_integrity_locked.py",
        ],
    ),
    "store": (
        ["pipeline/store.py"],
        [
            "tests/test_store_records.py",
            # only_plan, integrity, the read-only copy, with_history: in milliseconds
            "tests/test_store_direct.py",
            "tests/test_store.py::test_migrations_from_every_earlier_version_keep_the_data",
        ],
    ),
}

# Groups that are part of a module (too slow to finish as one), by function: mutant-name
# patterns. The workbook's page layout (column widths, wrapping, print scale and paper, chart
# sizes and page breaks, the fonts and borders of its cell formats) is measured apart from what
# it writes (cells, number formats, sheets, chart series, the 推移 sheet).
_LAYOUT = ["_Styles", "_widths", "_may_wrap", "_lines", "_shown", "_print_setup", "_place_charts"]
_LAYOUT += ["_taller_than_page", "_heights"]  # "_lines": _row_lines, _short_lines, _text_lines
_WRITES = ["write_committee_workbook", "workbook_path", "_chunks", "_write_table", "_plain_sheet"]
_WRITES += ["_highlight_lowest", "_letter", "_summary_sheet", "_level_sheet", "_shares_note"]
_WRITES += ["_breakdown_sheet", "_summary_body", "_chart_label", "_share_chart", "_trend_sheet"]
_WRITES += ["write_run_workbook", "_chart_spans", "_text_of", "_inline"]
# the body writer: the table's cells written as XML (numbers, shared or inline strings, blanks)
_WRITES += [f"_TableSheetǁ{m}" for m in ("__init__", "set_body", "_write_rows", "_write_body")]
_WRITES += ["_TableSheetǁ_write_optimized_sheet_data", "_cell_xml", "_column_texts"]
_WRITES += ["_TableSheetǁ_set_xml_writer"]  # session 9 (main): the sheet deflated as written
PARTS: dict[str, list[str]] = {
    "workbook": [f"pipeline.report.workbook.x*{f}__mutmut_*" for f in _WRITES],
    "workbook-layout": [f"pipeline.report.workbook.x*{f}*__mutmut_*" for f in _LAYOUT],
}
DONE = ("killed", "timeout")

# Groups whose module keeps parse caches (container: a part parsed once per distinct content).
# mutmut forks each mutant from the process that ran the tests to trace them, so a mutant would
# find every test's parts already parsed by the unmutated code and run none of its own; these
# groups fork from a server that has only imported and collected the tests.
FRESH_WORKERS = {"container", "workbook-layout"}  # layout: _short_lines' lru_cache

_COPY = ["pipeline", "schemas", "tests", "docs", "README.md"]  # pipeline/data: the bundled plan


def _config(modules: list[str], tests: list[str], fresh: bool = False) -> str:
    existing = [t for t in tests if (REPO / t.split("::")[0]).exists()]
    return (
        "\n[tool.mutmut]\n"
        f"source_paths = {json.dumps(['pipeline'])}\n"
        f"only_mutate = {json.dumps(modules)}\n"
        f"also_copy = {json.dumps(['schemas', 'docs', 'README.md'])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(existing)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider", "-W", "ignore"]\n'
        "use_git_change_detection = false\n"
        # a mutant that loops is stopped after 6x its tests' CPU time (mutmut's default, 30x,
        # lets one endless loop in a 10-second test hold a worker for five minutes)
        "timeout_multiplier = 3.0\n" + ('process_isolation = "forkserver"\n' if fresh else "")
    )


def _prepare(group: str) -> Path:
    """A scratch copy of the repository whose pyproject names the group; mutmut's own cache
    (mutants/) is kept between runs so that only what changed is re-tested."""
    modules, tests = GROUPS[group]
    work = SCRATCH / group
    work.mkdir(parents=True, exist_ok=True)
    for name in _COPY:
        source, dest = REPO / name, work / name
        if dest.is_dir():
            shutil.rmtree(dest)
        if source.is_dir():
            shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, dest)
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    config = _config(modules, tests, group in FRESH_WORKERS)
    (work / "pyproject.toml").write_text(text + config, encoding="utf-8")
    return work


def _results(work: Path) -> dict[str, str]:
    """mutant name -> status, from `mutmut results --all true`."""
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        cwd=work,
        capture_output=True,
        text=True,
        check=False,
    )
    statuses: dict[str, str] = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name:
            statuses[name] = status.strip()
    return statuses


def _equivalent() -> set[str]:
    names = set()
    if EQUIVALENT.exists():
        for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
            name = line.split("#", 1)[0].strip()
            if name:
                names.add(name)
    return names


def _chosen(statuses: dict[str, str], patterns: list[str] | None) -> dict[str, str]:
    if patterns is None:
        return statuses
    return {n: s for n, s in statuses.items() if any(fnmatch(n, p) for p in patterns)}


def _mutate(work: Path, patterns: list[str] | None, jobs: int) -> None:
    """Run the mutants not yet run, then (cached survivors) those not yet killed, against
    today's tests. A group that is part of a module runs its mutants by name."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HYPOTHESIS_PROFILE": "mutate"}
    # the workbook tests' pipeline runs, kept across mutants (tests/runcache.py)
    env["SHINCHOKU_RUN_CACHE"] = str(SCRATCH / "runs")
    (SCRATCH / "runs").mkdir(parents=True, exist_ok=True)

    def mutmut_run(*names: str, probe: bool = False) -> None:
        command = [sys.executable, "-m", "mutmut", "run", "--max-children", str(jobs), *names]
        stderr = subprocess.DEVNULL if probe else None
        subprocess.run(
            command, cwd=work, env=env, check=False, stdout=subprocess.DEVNULL, stderr=stderr
        )

    # mutants and the tests reaching each function, then no verdicts (mutmut stops: no such name)
    mutmut_run("no.such.mutant", probe=True)
    _widen(work)
    if patterns is None:
        mutmut_run()  # mutmut itself skips the mutants it has a verdict for
    # not yet run (a part of a module), or not killed in an earlier run: by name (a survivor
    # judged equivalent is not run again: no test can kill it)
    judged = _equivalent()
    chosen = _chosen(_results(work), patterns).items()
    stale = [n for n, s in chosen if s not in DONE and (n not in judged or s != "survived")]
    if stale:
        mutmut_run(*stale)


def _widen(work: Path) -> None:
    """mutmut learns which tests reach a function by tracing this process, per test. Two blind
    spots: a module fixture (one pipeline run shared by a file's tests) is traced only in the
    first test that uses it, and code run only in the pool's worker processes (validation runs
    beside the reading of each file) is traced in none ("no tests"). So a function reached by a
    test is tried against every test of that test's file, and a function reached by none against
    every test of the group (pytest -x: a killed mutant stops at its first failing test)."""
    path = work / "mutants" / "mutmut-stats.json"
    if not path.exists():
        return
    stats = json.loads(path.read_text(encoding="utf-8"))
    every = sorted(stats["duration_by_test"])
    by_file: dict[str, list[str]] = {}
    for test in every:
        by_file.setdefault(test.split("::")[0], []).append(test)
    mapping = stats["tests_by_mangled_function_name"]
    functions = set(mapping)
    for meta in (work / "mutants").rglob("*.py.meta"):
        names = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        functions |= {name.partition("__mutmut_")[0] for name in names}
    for function in functions:
        files = {test.split("::")[0] for test in mapping.get(function, [])}
        mapping[function] = [t for f in sorted(files) for t in by_file[f]] if files else every
    path.write_text(json.dumps(stats, indent=4), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "groups",
        nargs="*",
        default=list(GROUPS),
        metavar="GROUP",
        help=f"groups to run (all by default): {', '.join(GROUPS)}",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="mutants run at once (default: 2, or the cores there are; 1 on a shared machine)",
    )
    parser.add_argument("--no-run", action="store_true", help="only report cached results")
    args = parser.parse_args()
    unknown = [g for g in args.groups if g not in GROUPS]
    if unknown:  # not argparse's choices: it also checks the default list, as one value
        parser.error(f"unknown group {', '.join(unknown)} (groups: {', '.join(GROUPS)})")
    equivalent = _equivalent()
    total_killed = total_counted = 0
    lines = []
    for group in args.groups:
        if not any((REPO / t.split("::")[0]).exists() for t in GROUPS[group][1]):
            print(f"{group:15} skipped: none of its test files exists", flush=True)
            continue
        work = _prepare(group) if not args.no_run else SCRATCH / group
        if args.no_run and not (work / "mutants").is_dir():
            print(f"{group:15} no results yet: run it first (without --no-run)", flush=True)
            continue
        patterns = PARTS.get(group)
        if not args.no_run:
            _mutate(work, patterns, args.jobs)
        statuses = _chosen(_results(work), patterns)
        # an unfinished run ("no tests": not yet tried against the widened test list)
        unrun = {n for n, s in statuses.items() if s in ("not checked", "no tests")}
        statuses = {n: s for n, s in statuses.items() if n not in unrun}
        killed = {n for n, s in statuses.items() if s in ("killed", "timeout")}
        survivors = sorted(n for n, s in statuses.items() if n not in killed)
        judged = [n for n in survivors if n in equivalent]
        real = [n for n in survivors if n not in equivalent]
        counted = len(statuses) - len(judged)
        total_killed += len(killed)
        total_counted += counted
        score = 100.0 * len(killed) / counted if counted else 100.0
        lines.append(
            f"{group:15} {len(killed):4} killed / {counted:4} non-equivalent "
            f"({len(judged)} equivalent)  {score:5.1f} %"
            + (f"  [{len(unrun)} not run yet]" if unrun else "")
        )
        for name in real:
            lines.append(f"    survived: {name} ({statuses[name]})")
        print("\n".join(lines), flush=True)
        lines.clear()
    score = 100.0 * total_killed / total_counted if total_counted else 100.0
    print(f"mutation score: {total_killed} / {total_counted} = {score:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
