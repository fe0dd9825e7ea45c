"""Runs the stages in order for one folder of submissions: the only module that knows the order.

read (ingest) -> identify and match each file (in its worker: a FileReport) -> select files ->
normalise -> validate -> rates -> figures -> write. Each stage takes and returns plain data
(model.py) or a row frame; this module only passes them along and completes the Report.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import pandas as pd

from pipeline import labels as L
from pipeline import years
from pipeline.figures import PercentMethod, compute
from pipeline.ingest import Limits, read_all, scan_folder
from pipeline.ingest.reader import Submission, empty_rows
from pipeline.model import (
    FILE,
    PLAN_NUMBER,
    ROW,
    TARGET_SEQ,
    FileReport,
    Plan,
    Recorded,
    Report,
    RowState,
    RunRecord,
    TrendRow,
)
from pipeline.normalise import normalise
from pipeline.outdir import OutputFolder
from pipeline.rates import with_rates
from pipeline.report.csvout import write_csv
from pipeline.report.tables import (
    Table,
    committee_tables,
    findings_table,
    status_rows,
    status_table,
)
from pipeline.store import Store, run_record
from pipeline.text import key
from pipeline.validate.consistency import check_consistency
from pipeline.validate.files import Candidate, secretariat_mistakes, select_files, unreported
from pipeline.validate.identity import identify
from pipeline.validate.integrity import match_rows
from pipeline.validate.request import check_paths, plan_for
from pipeline.validate.rows import keys, row_mask, rows_with

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterator[T]]


def no_progress(items: Iterable[T], label: str, total: int) -> Iterator[T]:
    """Progress shown nowhere (the library's default; the command line shows a bar)."""
    return iter(items)


@dataclass(frozen=True)
class Options:
    percent: PercentMethod = "half-up"
    limits: Limits = field(default_factory=Limits)
    store: Path | None = None  # the history store (SQLite); None: no history
    workers: int | None = None  # processes reading files; None: one per available core
    progress: Progress = no_progress  # type: ignore[type-arg]


def reduce_file(submission: Submission, context: tuple[Plan, int]) -> FileReport:
    """In the worker that read the file: tie it to a department and match its rows to the plan."""
    plan, year = context
    file, rows = submission.file, submission.rows
    identity = identify(file, rows, plan, year)
    matched = None
    if identity.department is not None and file.readable:
        matched = match_rows(file, rows, plan, identity.department, year)
    return FileReport(
        file,
        submission.source,
        identity.department,
        identity.claimed,
        (*submission.findings, *identity.findings),
        tuple(rows[ROW].tolist()),
        matched.rows if matched else None,
        matched.findings if matched else (),
    )


def check_folder(plan: Plan, root: Path, year: int, options: Options | None = None) -> Report:
    """Every stage up to the counted rows and the findings; writes nothing."""
    options = options or Options()
    started = time.perf_counter()
    paths, notes = scan_folder(root)
    read = read_all(
        paths, root, options.limits, reduce_file, (plan, year), options.workers, plan.layout()
    )
    reports = []
    for n, report in enumerate(options.progress(read, "読込", len(paths))):
        if n == 0:
            import pipeline.validate.values  # noqa: F401  (pandera, ~0.3 s, while workers read)
        reports.append(report)
    read_done = time.perf_counter()
    selection = select_files((Candidate(r.file, r.department) for r in reports), plan, year)
    reports = [replace(r, status=selection.status.get(r.file.path, L.OUT_OF_PLAN)) for r in reports]
    files = {r.file.path: r.file for r in reports}
    findings = [*notes, *selection.findings]
    frames: list[pd.DataFrame] = []
    for r in reports:
        in_use = r.status == L.SUBMITTED
        # value findings only where the rows are used; a superseded or rejected file is one finding
        findings += [f for f in r.findings if in_use or not f.rule.startswith("V")]
        if in_use and r.matched is not None:
            findings += r.row_findings
            frames.append(r.matched)
    reports = [replace(r, matched=None) for r in reports]  # the rows live on in `merged` only
    merged = pd.concat(frames, ignore_index=True) if frames else _empty_matched(plan)
    del frames
    typed, warnings = normalise(merged, plan.grades, files)
    known = typed[typed[PLAN_NUMBER].notna()]  # unmatched rows are rejected already (I02/I05)
    from pipeline.validate.values import check_values

    # a cell whose formula or error value was reported is not reported again as empty
    unreadable = {(f.file, f.row, f.column) for f in findings if f.rule in ("V03", "V04")}
    findings += warnings
    findings += [
        f for f in check_values(known, plan, files) if (f.file, f.row, f.column) not in unreadable
    ]
    is_rejected = row_mask(typed, rows_with(findings, L.ERROR))
    counted = with_rates(typed[~is_rejected & typed[PLAN_NUMBER].notna()], plan, year)
    findings += check_consistency(counted, plan, year, files)
    reported = {
        (n, int(s))
        for n, s in zip(typed[PLAN_NUMBER], typed[TARGET_SEQ], strict=True)
        if n is not None
    }
    explained = {k for n in merged[L.NUMBER] if (k := key(n))}  # present
    # a department whose file was rejected whole (F09) has its reason; no B02 for its projects
    unreadable_used = {d for d, f in selection.used.items() if not f.readable}
    readable_used = [d for d in selection.used if d not in unreadable_used]
    findings += unreported(plan, year, reported, readable_used, explained)
    other_year, findings = secretariat_mistakes(
        str(root), year, reports, len(paths), len(counted), findings
    )
    findings = sorted(set(findings), key=lambda f: f.order())
    rejected_whole = {
        (p.number, t.seq if t else 0)
        for p, t in plan.units(year)
        if p.department in unreadable_used
    }
    state = RowState(
        submitted=frozenset(selection.used),
        reported=frozenset(reported),
        rejected=frozenset(keys(typed[is_rejected])) | rejected_whole,
        warned=frozenset(keys(typed[row_mask(typed, rows_with(findings, L.WARNING))])),
    )
    lines = status_rows(reports, plan, year, Counter(counted[FILE]), findings, notes)
    return Report(
        plan,
        year,
        tuple(reports),
        counted,
        tuple(findings),
        tuple(lines),
        state,
        sum(len(r.rows_read) for r in reports),
        other_year,
        {"read": read_done - started, "validate": time.perf_counter() - read_done},
    )


def _empty_matched(plan: Plan) -> pd.DataFrame:
    frame = empty_rows(plan.layout())
    frame[TARGET_SEQ] = pd.Series(dtype=object)
    frame[PLAN_NUMBER] = pd.Series(dtype=object)
    return frame


def validate(
    master: Path, root: Path, year: int, out: Path | None, options: Options | None = None
) -> Report:
    """Check a folder; with `out`, write 検証結果.csv, 提出状況.csv and feedback for each
    department there. DIR is replaced as a whole: a department that fixed everything keeps no
    old feedback."""
    if out is not None:
        check_paths(root, out)
    plan = plan_for(master, year)
    if out is None:
        return check_folder(plan, root, year, options)
    folder = OutputFolder(out, "validate")
    with folder as work:
        report = check_folder(plan, root, year, options)
        written = [
            write_csv(findings_table(report.finding_list), work),
            write_csv(status_table(report.file_rows), work),
        ]
        written += _feedback(report, root, work, options)
        folder.commit()
    return replace(report, outputs=tuple(_final(written, work, out)))


def _feedback(report: Report, root: Path, work: Path, options: Options | None) -> list[Path]:
    from pipeline.report.feedback import write_all_feedback  # openpyxl: only when writing

    return write_all_feedback(report, root, work, (options or Options()).limits)


Writer = Callable[[Path, Report, list[Table], datetime], list[Path]]


def run(
    master: Path,
    root: Path,
    year: int,
    out: Path | None,
    options: Options | None = None,
    run_at: datetime | None = None,
) -> Report:
    """Validate, aggregate, and (with `out`) write the committee workbook, its CSV files and the
    feedback into a new folder that replaces DIR only when complete; the run is recorded in the
    history store after that, so a store never holds a run without its outputs."""

    def write(work: Path, report: Report, tables: list[Table], run_at: datetime) -> list[Path]:
        from pipeline.report.workbook import RunInfo, workbook_path, write_committee_workbook

        plan = report.plan
        info = RunInfo(plan, year, run_at, report.departments_used, report.departments_expected)
        written = [write_committee_workbook(workbook_path(work, plan, year), info, tables)]
        written += [write_csv(table, work) for table in tables]
        return written + _feedback(report, root, work, options)

    return _produce(master, root, year, out, options, run_at, "run", write)


def publish(
    master: Path,
    root: Path,
    year: int,
    out: Path,
    options: Options | None = None,
    run_at: datetime | None = None,
) -> Report:
    """The same figures as `run` (and recorded in the store the same way), written for the
    public: web pages, the PDF report and the open data, DIR replaced as a whole."""
    from pipeline.publish import write_publication

    def write(work: Path, report: Report, tables: list[Table], run_at: datetime) -> list[Path]:
        return write_publication(report.plan, year, run_at, tables, work)

    return _produce(master, root, year, out, options, run_at, "publish", write)


def _produce(
    master: Path,
    root: Path,
    year: int,
    out: Path | None,
    options: Options | None,
    run_at: datetime | None,
    command: str,
    write: Writer,
) -> Report:
    """Check the folder, compute the figures and the committee's tables; with `out`, let
    `write` put its files into the new folder, swap it in for DIR, then record the run (with a
    store). Without `out` nothing is written: an existing store is only read (last year, trend)."""
    options = options or Options()
    if out is not None:
        check_paths(root, out)
    plan = plan_for(master, year)
    run_at = years.in_japan(run_at) if run_at else years.now()
    store = options.store
    if out is None:
        readable = store if store is not None and store.exists() else None
        return _aggregate(plan, master, root, year, options, run_at, readable)[0]
    folder = OutputFolder(out, command)
    with folder as work:
        report, tables, record = _aggregate(plan, master, root, year, options, run_at, store)
        writing = time.perf_counter()
        written = write(work, report, tables, run_at)
        recorded: list[Recorded] = []
        if record is not None and store is not None:
            history, pending = store, record
            folder.commit(lambda: recorded.append(_record(history, pending)))
        else:
            folder.commit()
        report.timings["write"] = time.perf_counter() - writing
    return replace(
        report, outputs=tuple(_final(written, work, out)), recorded=next(iter(recorded), None)
    )


def _aggregate(
    plan: Plan,
    master: Path,
    root: Path,
    year: int,
    options: Options,
    run_at: datetime,
    store: Path | None,
) -> tuple[Report, list[Table], RunRecord | None]:
    """The report completed with figures and tables; with a store, last year's figures and the
    trend from it, and the record the run would leave there."""
    from pipeline.report.frames import TableFrames

    report = check_folder(plan, root, year, options)
    started = time.perf_counter()
    trend: list[TrendRow] = []
    record: RunRecord | None = None
    if store is None:
        figures = compute(plan, year, report.counted, report.state, options.percent)
    else:
        with Store(store) as history:
            past = history.past_values(plan.plan_id, year - 1)
            figures = compute(plan, year, report.counted, report.state, options.percent, past)
            record = run_record(report, figures, master, run_at, options.percent)
            decision = history.decide(record)
            trend = history.trend(plan.plan_id, record if decision.official else None)
    tables = committee_tables(plan, figures, report.file_rows, report.finding_list, trend)
    report = replace(report, figures=figures, tables=TableFrames(tables))
    report.timings["aggregate"] = time.perf_counter() - started
    return report, tables, record


def _record(store: Path, record: RunRecord) -> Recorded:
    with Store(store) as history:
        return history.record_run(record)


def _final(written: list[Path], work: Path, out: Path) -> list[Path]:
    """Where the files written into the work folder are once it has replaced DIR."""
    return [out / p.relative_to(work) for p in written]
