"""Runs the stages in order for one folder of submissions: the only module that knows the order.

read (ingest) -> identify and select files -> match rows -> normalise -> validate -> figures ->
write. Each stage takes and returns plain data; this module only passes it along.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TypeVar

import pandas as pd

from pipeline import __version__, years
from pipeline import labels as L
from pipeline.errors import UsageError
from pipeline.figures import Figures, PercentMethod, RowState, compute
from pipeline.ingest import Limits, read_all, scan_folder
from pipeline.ingest.pool import isolated_map
from pipeline.ingest.reader import Submission, empty_rows
from pipeline.messages import finding
from pipeline.model import (
    FILE,
    PLAN_NUMBER,
    ROW,
    TARGET_SEQ,
    FileRecord,
    Finding,
    Plan,
    ResultRecord,
    RunRecord,
    SubmittedFile,
    SummaryRecord,
    TrendRow,
)
from pipeline.normalise import normalise
from pipeline.outdir import OutputFolder
from pipeline.plan import read_plan
from pipeline.rates import with_rates
from pipeline.report.csvout import write_csv
from pipeline.report.tables import (
    FileRow,
    Table,
    committee_tables,
    findings_table,
    status_table,
)
from pipeline.report.workbook import RunInfo, workbook_path, write_committee_workbook
from pipeline.store import Recorded, Store
from pipeline.templates import write_templates
from pipeline.text import key
from pipeline.validate.consistency import check_consistency
from pipeline.validate.files import Candidate, select_files, unreported
from pipeline.validate.identity import Identity, identify
from pipeline.validate.integrity import Matched, match_rows

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterator[T]]


def no_progress(items: Iterable[T], label: str, total: int) -> Iterator[T]:
    return iter(items)


@dataclass(frozen=True)
class Options:
    percent: PercentMethod = "half-up"
    limits: Limits = field(default_factory=Limits)
    store: Path | None = None  # the history store (SQLite); None: no history
    workers: int | None = None  # processes reading files; None: one per available core
    progress: Progress = no_progress  # type: ignore[type-arg]


@dataclass(frozen=True)
class Checked:
    """Everything validation learned about a folder."""

    plan: Plan
    year: int
    files: list[FileRow]
    findings: list[Finding]
    counted: pd.DataFrame
    state: RowState
    submissions: list[tuple[Submission, Identity]]  # files as read (rows dropped once matched)
    read_rows: dict[str, tuple[int, ...]]  # file -> the sheet rows read from it
    rows_read: int
    rows_counted: int
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    other_year: int | None = None  # the year most readable files are for, when not `year`

    @property
    def rows_rejected(self) -> int:
        return self.rows_read - self.rows_counted

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass(frozen=True)
class Outcome:
    checked: Checked
    outputs: list[Path]
    figures: Figures | None = None
    recorded: Recorded | None = None  # what the history store did with the run

    @property
    def exit_code(self) -> int:
        return 1 if self.checked.count(L.ERROR) else 0


def plan_for(master: Path, year: int) -> Plan:
    """The plan of `master`, refusing a year outside its period."""
    plan = read_plan(master)
    if year not in plan.years():
        raise UsageError(
            f"{years.display(year)}は計画の期間（{plan.start_year}〜{plan.end_year}年度）の外です。"
            "--year を確認してください。"
        )
    return plan


def check_paths(root: Path, out: Path) -> None:
    """Outputs must not land among the submissions: the next run would read them back."""
    if out.resolve().is_relative_to(root.resolve()):
        raise UsageError(
            f"出力先 {out} が提出フォルダ {root} の中にあります。別のフォルダを指定してください。"
        )


@dataclass(frozen=True)
class Templates:
    paths: list[Path]
    renamed: dict[str, str]  # department -> its part of the file names, where they differ


def make_templates(master: Path, year: int, out: Path, store: Path | None = None) -> Templates:
    """Templates for every department; with a store, last year's figures beside this year's."""
    plan = plan_for(master, year)
    past = None
    if store is not None and store.exists():
        with Store(store) as history:
            past = history.past_values(plan.plan_id, year - 1) or None
    return Templates(write_templates(plan, year, out, past), plan.renamed_in_file_names())


@dataclass(frozen=True)
class ReducedFile:
    """A file once read, tied to the plan and matched: all a batch keeps of it."""

    submission: Submission  # without its rows
    identity: Identity
    matched: Matched | None  # None when the file belongs to no department of the plan
    read_rows: tuple[int, ...]  # the sheet rows read


def reduce_file(submission: Submission, context: tuple[Plan, int]) -> ReducedFile:
    """Identify a file and match its rows to the plan (in the worker that read it)."""
    plan, year = context
    identity = identify(submission.file, submission.rows, plan, year)
    matched = None
    if identity.department is not None and submission.file.readable:
        matched = match_rows(submission.file, submission.rows, plan, identity.department, year)
    rows = tuple(submission.rows[ROW].tolist())
    return ReducedFile(replace(submission, rows=_NO_ROWS), identity, matched, rows)


def _preload_validation() -> None:
    """Import pandera (~0.3 s) while the pool's workers are still reading the other files."""
    import pipeline.validate.values  # noqa: F401


def check_folder(plan: Plan, root: Path, year: int, options: Options | None = None) -> Checked:
    options = options or Options()
    started = time.perf_counter()
    paths, notes = scan_folder(root)
    reduced = read_all(
        paths, root, options.limits, reduce_file, (plan, year), options.workers, plan.layout()
    )
    identified: list[tuple[Submission, Identity]] = []
    matched: dict[str, Matched] = {}
    read_rows: dict[str, tuple[int, ...]] = {}
    for n, file in enumerate(options.progress(reduced, "読込", len(paths))):
        if n == 0:
            _preload_validation()
        path = file.submission.file.path
        identified.append((file.submission, file.identity))
        read_rows[path] = file.read_rows
        if file.matched is not None:
            matched[path] = file.matched
    read_done = time.perf_counter()
    selection = select_files((Candidate(s.file, i.department) for s, i in identified), plan, year)
    files = {s.file.path: s.file for s, _ in identified}
    findings: list[Finding] = [*notes, *selection.findings]
    frames: list[pd.DataFrame] = []
    for submission, identity in identified:
        department = identity.department
        in_use = department is not None and selection.used.get(department) == submission.file
        about_file = [*submission.findings, *identity.findings]
        # value findings only where the rows are used; a superseded or rejected file is one finding
        findings += [f for f in about_file if in_use or not f.rule.startswith("V")]
        if in_use and (rows := matched.get(submission.file.path)) is not None:
            findings += rows.findings
            frames.append(rows.rows)
    del matched
    merged = pd.concat(frames, ignore_index=True) if frames else _empty_matched(plan)
    del frames
    typed, warnings = normalise(merged, plan.grades, files)
    known = typed[typed[PLAN_NUMBER].notna()]  # unmatched rows are rejected already (I02/I05)
    unreadable = {(f.file, f.cell) for f in findings if f.rule in ("V03", "V04")}
    from pipeline.validate.values import check_values

    findings += warnings + [
        f for f in check_values(known, plan, files) if (f.file, f.cell) not in unreadable
    ]  # a cell whose formula or error value was reported is not reported again as empty
    is_rejected = _row_mask(typed, _rows_with(findings, L.ERROR))
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
    other_year, findings = _secretariat_mistakes(
        root, year, identified, len(paths), len(counted), findings
    )
    findings = sorted(set(findings), key=_finding_order)
    state = RowState(
        submitted=frozenset(selection.used),
        reported=frozenset(reported),
        rejected=frozenset(_keys(typed[is_rejected]))
        | {
            (p.number, t.seq if t else 0)
            for p, t in plan.units(year)
            if p.department in unreadable_used
        },
        warned=frozenset(_keys(typed[_row_mask(typed, _rows_with(findings, L.WARNING))])),
    )
    file_rows = _file_rows(
        plan,
        year,
        identified,
        read_rows,
        selection.used,
        selection.status,
        counted,
        findings,
        notes,
    )
    return Checked(
        plan,
        year,
        file_rows,
        findings,
        counted,
        state,
        identified,
        read_rows,
        sum(len(r) for r in read_rows.values()),
        len(counted),
        {"read": read_done - started, "validate": time.perf_counter() - read_done},
        other_year,
    )


def _secretariat_mistakes(
    root: Path,
    year: int,
    identified: list[tuple[Submission, Identity]],
    workbooks: int,
    counted: int,
    findings: list[Finding],
) -> tuple[int | None, list[Finding]]:
    """One エラー for a mistake of the secretariat: files mostly of another year (B05, the likely
    --year), no workbook (B06), no row counted (B07). The 未提出 it causes are not reported too;
    each file keeps the finding that says why it was not used. Returns the other year, if that
    is the mistake, and the findings."""
    if workbooks == 0:
        kept = [f for f in findings if f.rule != "B01"]  # every department 未提出: same mistake
        return None, [*kept, finding("B06", value=str(root))]
    readable = [s.file for s, _ in identified if s.file.readable]
    wrong_year = {f.file for f in findings if f.rule == "F08"}
    years_found = Counter(
        y
        for file in readable
        if file.path in wrong_year and (y := _year_of(file.meta_value(L.META_YEAR))) is not None
    )
    if years_found and sum(years_found.values()) * 2 > len(readable):
        other, n = years_found.most_common(1)[0]
        kept = [f for f in findings if f.rule != "B01"]  # each file keeps its F08 as its reason
        mistake = finding(
            "B05",
            value=years.display(other),
            readable=len(readable),
            other=n,
            expected=years.display(year),
            year=other,
        )
        return other, [*kept, mistake]
    if counted == 0:
        return None, [*findings, finding("B07", files=workbooks)]
    return None, findings


def _year_of(text: str) -> int | None:
    try:
        return years.parse_fiscal_year(text) if text else None
    except years.YearError:
        return None


_NO_ROWS = empty_rows()  # what a submission keeps once its rows are matched


def _empty_matched(plan: Plan) -> pd.DataFrame:
    frame = empty_rows(plan.layout())
    frame[TARGET_SEQ] = pd.Series(dtype=object)
    frame[PLAN_NUMBER] = pd.Series(dtype=object)
    return frame


_CELL_ROW = re.compile(r"^[A-Z]+(\d+)$")


def _rows_with(findings: Iterable[Finding], severity: str) -> set[tuple[str, int]]:
    """(file, row) of every data row with a finding of `severity` on one of its cells."""
    rows: set[tuple[str, int]] = set()
    for f in findings:
        match = _CELL_ROW.match(f.cell)
        if f.severity == severity and match and f.sheet == L.PROGRESS_SHEET:
            rows.add((f.file, int(match.group(1))))
    return rows


def _row_mask(frame: pd.DataFrame, rows: set[tuple[str, int]]) -> pd.Series:
    mask = [(f, int(r)) in rows for f, r in zip(frame[FILE], frame[ROW], strict=True)]
    return pd.Series(mask, index=frame.index, dtype=bool)


def _keys(frame: pd.DataFrame) -> Iterator[tuple[str, int]]:
    for number, seq in zip(frame[PLAN_NUMBER], frame[TARGET_SEQ], strict=True):
        if number is not None:
            yield str(number), int(seq)


def _finding_order(f: Finding) -> tuple[object, ...]:
    match = _CELL_ROW.match(f.cell)
    row = int(match.group(1)) if match else 0
    return (f.file == "", f.file, row, len(f.cell), f.cell, f.rule, f.number, f.value, f.message)


def _file_rows(
    plan: Plan,
    year: int,
    identified: list[tuple[Submission, Identity]],
    read_rows: dict[str, tuple[int, ...]],
    used: dict[str, SubmittedFile],
    status: dict[str, str],
    counted: pd.DataFrame,
    findings: list[Finding],
    notes: list[Finding],
) -> list[FileRow]:
    per_file = Counter(counted[FILE])
    severity = Counter((f.file, f.severity) for f in findings)
    reads = {s.file.path: (s, i) for s, i in identified}

    def row(department: str, state: str, file: SubmittedFile, read: int) -> FileRow:
        kept = per_file.get(file.path, 0)
        return FileRow(
            department,
            state,
            file.path,
            file.saved_at,
            file.writer,
            file.sha256,
            read,
            kept,
            read - kept,
            severity[file.path, L.ERROR],
            severity[file.path, L.WARNING],
        )

    rows: list[FileRow] = []
    for department in plan.departments(year):
        file = used.get(department)
        if file is None:
            rows.append(
                FileRow(department, L.NOT_SUBMITTED, "", "", "", "", None, None, None, None, None)
            )
        else:
            rows.append(row(department, L.SUBMITTED, file, len(read_rows[file.path])))
    for path, (submission, identity) in reads.items():
        if status.get(path) != L.SUBMITTED:
            rows.append(
                row(
                    identity.claimed or "",
                    status.get(path, L.OUT_OF_PLAN),
                    submission.file,
                    len(read_rows[path]),
                )
            )
    for note in notes:
        rows.append(FileRow("", L.OUT_OF_PLAN, note.file, "", "", "", 0, 0, 0, 0, 0))
    return rows


def validate(
    master: Path, root: Path, year: int, out: Path, options: Options | None = None
) -> Outcome:
    """Check a folder and write 検証結果.csv, 提出状況.csv and feedback for each department.

    DIR is replaced as a whole: a department that fixed everything keeps no old feedback."""
    check_paths(root, out)
    plan = plan_for(master, year)
    folder = OutputFolder(out, "validate")
    with folder as work:
        checked = check_folder(plan, root, year, options)
        written = [
            write_csv(findings_table(checked.findings), work),
            write_csv(status_table(checked.files), work),
        ]
        written += _feedback(checked, root, work, (options or Options()).limits)
        folder.commit()
    return Outcome(checked, _final(written, work, out))


def run(
    master: Path,
    root: Path,
    year: int,
    out: Path,
    options: Options | None = None,
    run_at: datetime | None = None,
) -> Outcome:
    """Validate, aggregate, and write the committee workbook with its CSV files.

    Everything is written into a new folder that replaces DIR only when complete; the run is
    recorded in the history store after that, so a store never holds a run without its outputs."""

    def write(work: Path, checked: Checked, tables: list[Table], run_at: datetime) -> list[Path]:
        plan = checked.plan
        received = sum(1 for f in checked.files if f.status == L.SUBMITTED)
        info = RunInfo(plan, year, run_at, received, len(plan.departments(year)))
        written = [write_committee_workbook(workbook_path(work, plan, year), info, tables)]
        written += [write_csv(table, work) for table in tables]
        limits = (options or Options()).limits
        return written + _feedback(checked, root, work, limits)

    return _produce(master, root, year, out, options, run_at, "run", write)


def publish(
    master: Path,
    root: Path,
    year: int,
    out: Path,
    options: Options | None = None,
    run_at: datetime | None = None,
) -> Outcome:
    """The same figures as `run` (and recorded in the store the same way), written for the
    public: web pages, the PDF report and the open data, DIR replaced as a whole."""
    from pipeline.publish import write_publication

    def write(work: Path, checked: Checked, tables: list[Table], run_at: datetime) -> list[Path]:
        return write_publication(checked.plan, year, run_at, tables, work)

    return _produce(master, root, year, out, options, run_at, "publish", write)


Writer = Callable[[Path, Checked, list[Table], datetime], list[Path]]


def _produce(
    master: Path,
    root: Path,
    year: int,
    out: Path,
    options: Options | None,
    run_at: datetime | None,
    command: str,
    write: Writer,
) -> Outcome:
    """Check the folder, compute the figures and the committee's tables, let `write` put its
    files into the new folder, swap it in for DIR, then record the run (with a store)."""
    options = options or Options()
    check_paths(root, out)
    plan = plan_for(master, year)
    run_at = years.in_japan(run_at) if run_at else years.now()
    folder = OutputFolder(out, command)
    with folder as work:
        checked = check_folder(plan, root, year, options)
        started = time.perf_counter()
        trend: list[TrendRow] = []
        record: RunRecord | None = None
        if options.store is None:
            figures = compute(plan, year, checked.counted, checked.state, options.percent)
        else:
            with Store(options.store) as store:
                past = store.past_values(plan.plan_id, year - 1)
                figures = compute(plan, year, checked.counted, checked.state, options.percent, past)
                record = run_record(plan, master, checked, figures, run_at, options)
                decision = store.decide(record)
                trend = store.trend(plan.plan_id, record if decision.official else None)
        tables = committee_tables(plan, figures, checked.files, checked.findings, trend)
        writing = time.perf_counter()
        checked.timings["aggregate"] = writing - started
        written = write(work, checked, tables, run_at)
        recorded: list[Recorded] = []
        if record is not None and options.store is not None:
            store_path, pending = options.store, record

            def record_run() -> None:
                with Store(store_path) as store:
                    recorded.append(store.record_run(pending))

            folder.commit(record_run)
        else:
            folder.commit()
        checked.timings["write"] = time.perf_counter() - writing
    return Outcome(checked, _final(written, work, out), figures, *recorded[:1])


def _final(written: list[Path], work: Path, out: Path) -> list[Path]:
    """Where the files written into the work folder are once it has replaced DIR."""
    return [out / p.relative_to(work) for p in written]


def run_record(
    plan: Plan, master: Path, checked: Checked, figures: Figures, run_at: datetime, options: Options
) -> RunRecord:
    """What the history store keeps of a run; its digest identifies the inputs."""
    hashes = {f.file: f.sha256 for f in checked.files if f.sha256}
    inputs = [plan.fingerprint, checked.year, options.percent, sorted(hashes.items())]
    digest = hashlib.sha256(json.dumps(inputs, ensure_ascii=False).encode()).hexdigest()
    files = [
        FileRecord(
            f.department,
            f.status,
            f.file,
            f.sha256,
            years.iso_japan(f.saved_at),
            f.read,
            f.counted,
            f.rejected,
        )
        for f in checked.files
    ]
    findings = [
        (f.file, f.sheet, f.cell, f.number, f.rule, f.severity, f.value, f.message)
        for f in checked.findings
    ]
    results = [
        ResultRecord(
            row.project.number,
            row.target.name if row.target else "",
            row.target.unit if row.target else "",
            row.target.direction if row.target else "",
            _recorded(row.target_value if row.target else row.schedule),
            _recorded(row.actual),
            _recorded(row.rate),
            row.grade or "",
            row.department,
            row.source,
            hashes.get(row.source, ""),
        )
        for row in figures.listing
        if (row.target is not None or row.schedule is not None)
        and row.source
        and not row.project.is_relisting
    ]
    summary = [
        SummaryRecord(
            r.scope,
            r.code,
            r.targets_set,
            r.projects_with_targets,
            {g.code: n for g, n in zip(plan.grades, r.counts, strict=True)},
            {g.code: _recorded(s) for g, s in zip(plan.grades, r.shares, strict=True)},
            r.ungraded,
            _recorded(r.average_rate),
            r.average_count,
        )
        for r in figures.summary.rows
    ]
    return RunRecord(
        plan.plan_id,
        checked.year,
        years.in_japan(run_at).isoformat(),
        master.name,
        plan.fingerprint,
        __version__,
        digest,
        files,
        findings,
        results,
        summary,
        checked.rows_counted,
        checked.other_year,
    )


def _recorded(value: object) -> str:
    """How a figure is kept in the store: plain decimal text ('' for none)."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _feedback(checked: Checked, root: Path, out: Path, limits: Limits) -> list[Path]:
    """One 指摘事項 workbook per department: for its file in use, else its rejected file."""
    status = {row.file: row.status for row in checked.files}
    by_file: dict[str, list[Finding]] = {}
    for f in checked.findings:
        by_file.setdefault(f.file, []).append(f)
    chosen: dict[str, tuple[Submission, list[Finding]]] = {}
    for submission, identity in checked.submissions:
        path = submission.file.path
        own = by_file.get(path, [])
        if identity.claimed is None or status.get(path) == L.SUPERSEDED or not own:
            continue
        if checked.other_year is not None and all(f.rule == "F08" for f in own):
            continue  # the secretariat's --year was wrong, not the department's file
        if identity.claimed not in chosen or status.get(path) == L.SUBMITTED:
            chosen[identity.claimed] = (submission, own)
    jobs = [
        (
            out / L.FEEDBACK_SHEET,
            s.source or root / s.file.path,
            s.file,
            dept,
            checked.year,
            own,
            checked.plan.file_part(dept),
        )
        for dept, (s, own) in chosen.items()
    ]
    # the copy is made from the untrusted file itself: in a worker, under the reading limits
    return list(isolated_map(_write_feedback, _write_listing_only, jobs, limits))


FeedbackJob = tuple[Path, Path, SubmittedFile, str, int, list[Finding], str]


def _write_feedback(job: FeedbackJob) -> Path:
    from pipeline.report.feedback import write_feedback  # openpyxl: only when there is feedback

    return write_feedback(*job)


def _write_listing_only(job: FeedbackJob, reason: str) -> Path:
    """Where copying the department's own sheet failed: the 指摘事項 sheet alone."""
    from pipeline.report.feedback import feedback_path, write_feedback

    out, source, file, department, year, own, part = job
    final = feedback_path(out, department, year, part)
    for leftover in final.parent.glob(f".{final.name}.*.part"):  # of the stopped worker
        leftover.unlink(missing_ok=True)
    return write_feedback(out, source, replace(file, readable=False), department, year, own, part)
