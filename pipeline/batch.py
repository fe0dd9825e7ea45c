"""Runs the stages in order for one folder of submissions: the only module that knows the order.

read (ingest) -> identify and match each file (in its worker: a FileReport) -> select files ->
normalise -> validate -> rates -> figures -> write. Each stage takes and returns plain data
(model.py) or a row frame; this module only passes them along and completes the Report.
"""

from __future__ import annotations

import gc
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from pipeline import labels as L
from pipeline import years
from pipeline.ahead import PlanAhead
from pipeline.checks.consistency import check_consistency
from pipeline.checks.files import secretariat_mistakes, unreported, use_files
from pipeline.checks.per_file import AskedPlan, Foresee, check_file, plan_answer
from pipeline.checks.request import check_paths, plan_for
from pipeline.checks.rows import keys, row_mask, row_state, rows_with
from pipeline.figures import compute
from pipeline.ingest import read_all, scan_folder
from pipeline.ingest.pool import Readers, start_readers
from pipeline.model import (
    FILE,
    PLAN_NUMBER,
    Figures,
    FileReport,
    PastResult,
    Plan,
    Recorded,
    Report,
    RunRecord,
    Table,
    TrendRow,
)
from pipeline.normalise import normalise
from pipeline.options import GC_THRESHOLDS
from pipeline.options import Options as Options  # the batch's options, named here too
from pipeline.outdir import OutputFolder
from pipeline.rates import with_rates
from pipeline.report.csvout import write_csv
from pipeline.report.tables import (
    committee_tables,
    findings_table,
    status_rows,
    status_table,
)
from pipeline.store import record_run, run_record, with_history


def check_folder(
    plan: Plan,
    root: Path,
    year: int,
    options: Options | None = None,
    readers: Readers | None = None,
) -> Report:
    """Every stage up to the counted rows and the findings; writes nothing. `readers`: workers
    started before the plan was read (they ask for what they need of it, and may have read the
    folder ahead), else started here."""
    options = options or Options()
    started = time.perf_counter()
    if readers is not None and readers.scanned is not None and readers.scanned[0] == root:
        _, paths, notes = readers.scanned  # the folder is scanned once: to read it ahead
    else:
        paths, notes = scan_folder(root)
    read = read_all(
        paths,
        root,
        options.limits,
        check_file,
        (AskedPlan(year), year),
        options.workers,
        plan.layout(),
        plan_answer(plan),
        readers,
    )
    # pandera (imported with checks.values) and the frame schemas (~0.4 s) are made now, while
    # the workers read and match, served from their own thread since read_all began
    try:
        from pipeline.checks.values import warm_up

        warm_up(plan, year)
        reports: list[FileReport] = list(options.progress(read, "読込", len(paths)))
    finally:
        read.close()  # the workers no longer served (already so when every file was read)
    if readers is not None:  # their work is done: told to end now, joined when the batch ends
        readers.release()
    read_done = time.perf_counter()
    used = use_files(reports, plan, year)
    del reports  # each file's matched rows live on merged, in used.rows only
    findings = [*notes, *used.findings]
    typed, warnings = normalise(used.rows, plan.grades, used.files)
    from pipeline.checks.values import check_values

    known = typed[typed[PLAN_NUMBER].notna()]  # unmatched rows are rejected already (I02/I05)
    findings += warnings + check_values(known, plan, used.files, findings)
    is_rejected = row_mask(typed, rows_with(findings, L.ERROR))
    counted = with_rates(typed[~is_rejected & typed[PLAN_NUMBER].notna()], plan, year)
    findings += check_consistency(counted, plan, year, used.files)
    reported = set(keys(typed))
    findings += unreported(plan, year, reported, used.readable, used.present)
    other_year, findings = secretariat_mistakes(
        str(root), year, used.reports, len(paths), len(counted), findings
    )
    findings = sorted(set(findings), key=lambda f: f.order())
    state = row_state(plan, year, typed, is_rejected, findings, used.departments)
    lines = status_rows(used.reports, plan, year, Counter(counted[FILE]), findings, notes)
    return Report(
        plan,
        year,
        tuple(used.reports),
        counted,
        tuple(findings),
        tuple(lines),
        state,
        sum(len(r.rows_read) for r in used.reports),
        other_year,
        {"read": read_done - started, "validate": time.perf_counter() - read_done},
    )


def validate(
    master: Path | PlanAhead,
    root: Path,
    year: int,
    out: Path | None,
    options: Options | None = None,
) -> Report:
    """Check a folder; with `out`, write 検証結果.csv, 提出状況.csv and feedback for each
    department there. DIR is replaced as a whole: a department that fixed everything keeps no
    old feedback."""
    if out is not None:
        check_paths(root, out)
    options = options or Options()
    with _readers(options, root, year) as readers:
        plan = _plan(master, year)
        if out is None:
            return check_folder(plan, root, year, options, readers)
        folder = OutputFolder(out, "validate")
        with folder as work:
            report = check_folder(plan, root, year, options, readers)
            written = [
                write_csv(findings_table(report.finding_list), work),
                write_csv(status_table(report.file_rows), work),
            ]
            written += _feedback(report, root, work, options)
            folder.commit()
    return replace(report, outputs=tuple(_final(written, work, out)))


def _plan(master: Path | PlanAhead, year: int) -> Plan:
    """The plan of `master`, or of the master being read ahead (pipeline/ahead.py)."""
    return master.plan() if isinstance(master, PlanAhead) else plan_for(master, year)


def _readers(options: Options, root: Path, year: int) -> Readers:
    """The workers that will read the submissions, started before the plan is read so that
    none of them holds it (each asks for the rows of the departments it reads); they read the
    files ahead meanwhile, noting each file's department (its question, answered with its task;
    a folder that cannot be scanned is left to check_folder to name, after the plan)."""
    readers = start_readers(options.limits, options.workers)
    try:
        paths, notes = scan_folder(root)
    except Exception:  # reading ahead only saves time: check_folder names the problem
        return readers
    readers.read_ahead(paths, root, options.limits, foresee=Foresee(year))
    readers.scanned = (root, paths, notes)
    return readers


def _feedback(report: Report, root: Path, work: Path, options: Options | None) -> list[Path]:
    if not report.finding_list:
        return []  # nothing to feed back (openpyxl, ~0.3 s to import, not needed)
    from pipeline.report.feedback import write_all_feedback  # openpyxl: only when writing

    return write_all_feedback(report, root, work, (options or Options()).limits)


Writer = Callable[[Path, Report, list[Table], datetime], list[Path]]


def run(
    master: Path | PlanAhead,
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
        from pipeline.report.workbook import write_run_workbook

        written = [write_run_workbook(work, report, tables, run_at)]
        written += [write_csv(table, work) for table in tables]
        return written + _feedback(report, root, work, options)

    return _produce(master, root, year, out, options, run_at, "run", write)


def publish(
    master: Path | PlanAhead,
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
    master: Path | PlanAhead,
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
    with _readers(options, root, year) as readers:
        plan = _plan(master, year)
        path = master.path if isinstance(master, PlanAhead) else master
        at = years.in_japan(run_at) if run_at else years.now()
        return _produced(_Job(plan, path, root, year, out, options, at, command), write, readers)


@dataclass(frozen=True)
class _Job:
    """What `run` or `publish` was asked to do, once the plan is read."""

    plan: Plan
    master: Path
    root: Path
    year: int
    out: Path | None
    options: Options
    run_at: datetime  # in Japan time
    command: str  # run / publish: the output folder's marker says which wrote it


def _produced(job: _Job, write: Writer, readers: Readers) -> Report:
    store, out = job.options.store, job.out
    if out is None:
        readable = store if store is not None and store.exists() else None
        with _long_lived():
            return _aggregate(job, readable, readers, readonly=True)[0]
    folder = OutputFolder(out, job.command)
    with folder as work, _long_lived():
        report, tables, record = _aggregate(job, store, readers)
        writing = time.perf_counter()
        written = write(work, report, tables, job.run_at)
        recorded: list[Recorded] = []
        if record is not None and store is not None:
            history, pending = store, record
            folder.commit(lambda: recorded.append(record_run(history, pending)))
        else:
            folder.commit()
        report.timings["write"] = time.perf_counter() - writing
    return replace(
        report, outputs=tuple(_final(written, work, out)), recorded=next(iter(recorded), None)
    )


@contextmanager
def _long_lived() -> Iterator[None]:
    """The cyclic garbage collector run rarely while the batch works (options.GC_THRESHOLDS,
    as the command sets for its whole process): a library call otherwise keeps Python's
    defaults, under which the collector walked the run's live data over and over. The
    caller's thresholds come back after."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _aggregate(
    job: _Job, store: Path | None, readers: Readers | None = None, readonly: bool = False
) -> tuple[Report, list[Table], RunRecord | None]:
    """The report completed with figures and tables; with a store, last year's figures and the
    trend from it, and the record the run would leave there (`readonly`: opened so that nothing
    on disk changes, for a run without `out`)."""
    from pipeline.report.frames import TableFrames

    plan, year, options = job.plan, job.year, job.options
    report = check_folder(plan, job.root, year, options, readers)
    started = time.perf_counter()
    trend: list[TrendRow] = []
    record: RunRecord | None = None
    if store is None:
        figures = compute(plan, year, report.counted, report.state, options.percent)
    else:

        def figured(past: dict[tuple[str, str], PastResult]) -> tuple[Figures, RunRecord]:
            done = compute(plan, year, report.counted, report.state, options.percent, past)
            return done, run_record(report, done, job.master, job.run_at, options.percent)

        figures, record, trend = with_history(store, plan.plan_id, year, figured, readonly)
    tables = committee_tables(plan, figures, report.file_rows, report.finding_list, trend)
    report = replace(report, figures=figures, tables=TableFrames(tables))
    report.timings["aggregate"] = time.perf_counter() - started
    return report, tables, record


def _final(written: list[Path], work: Path, out: Path) -> list[Path]:
    """Where the files written into the work folder are once it has replaced DIR."""
    return [out / p.relative_to(work) for p in written]
