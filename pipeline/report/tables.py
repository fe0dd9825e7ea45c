"""Figures, statuses and findings as plain tables: the one shape both the workbook and the CSV
files are written from, so that a sheet and its CSV can never disagree."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal

from pipeline import labels as L
from pipeline import years
from pipeline.model import (
    FINDING_COLUMNS,
    STATUS_COLUMNS,
    Breakdown,
    Column,
    Figures,
    FileReport,
    FileRow,
    Finding,
    LevelTable,
    ListingRow,
    Plan,
    SummaryRow,
    Table,
    TrendRow,
    from_record,
)
from pipeline.years import local_time


def count_columns(plan: Plan) -> tuple[Column, ...]:
    """The columns of a summary row from 設定目標数 (or 評価対象事業数) on. A plan graded per
    project counts projects and has no 達成率."""
    if plan.by_project:
        columns = [Column(L.PROJECTS_EVALUATED, "int")]
    else:
        columns = [Column(L.TARGETS_SET, "int"), Column(L.PROJECTS_WITH_TARGETS, "int")]
    for grade in plan.grades:
        columns += [Column(grade.code, "int"), Column(grade.code + L.SHARE_SUFFIX, "percent")]
    columns.append(Column(L.UNGRADED, "int"))
    if not plan.by_project:
        columns += [Column(L.AVERAGE_RATE, "percent"), Column(L.AVERAGE_COUNT, "int")]
    return tuple(columns)


def count_cells(plan: Plan, row: SummaryRow) -> list[object]:
    """A summary row's values for count_columns."""
    cells: list[object] = [row.targets_set]
    if not plan.by_project:
        cells.append(row.projects_with_targets)
    for count, share in zip(row.counts, row.shares, strict=True):
        cells += [count, share]
    cells.append(row.ungraded)
    if not plan.by_project:
        cells += [row.average_rate, row.average_count]
    return cells


def summary_table(name: str, plan: Plan, table: LevelTable) -> Table:
    """概要 or a table per level: one row per entry of the level, with its counts."""
    columns = (Column(L.SCOPE, "wrap"), Column(L.CODE), *count_columns(plan))
    rows = [(row.scope, row.code, *count_cells(plan, row)) for row in table.rows]
    return Table(name, columns, rows)


def breakdown_table(plan: Plan, breakdown: Breakdown) -> Table:
    """区分別, 予定別, 取組主体別: their own first columns, then the summary's count columns."""
    columns = (*(Column(k, "wrap") for k in breakdown.keys), *count_columns(plan))
    rows = [(*values, *count_cells(plan, row)) for values, row in breakdown.rows]
    return Table(breakdown.name, columns, rows)


def listing_columns(plan: Plan, with_past: bool = False) -> tuple[Column, ...]:
    """The columns of 事業一覧 (per target, or per project for plans graded so)."""
    levels = [c for label in plan.levels for c in (Column(label), Column(f"{label}名", "wrap"))]
    head = (
        *levels,
        Column(L.NUMBER),
        Column(L.PROJECT_NAME, "wrap"),
        Column(L.PROJECT_DEPARTMENT, "wrap"),
    )
    texts = (
        Column(L.NOTE, "wrap"),
        Column(L.WORK_DONE, "wrap"),
        Column(L.ISSUES, "wrap"),
        Column(L.OUTLOOK),
    )
    if plan.by_project:
        return (
            *head,
            Column(L.PROJECT_CATEGORY),
            Column(L.SCHEDULE),
            *(Column(actor) for actor in plan.actors),
            *((Column(L.TARGETS_SHOWN, "wrap"),) if plan.targets else ()),
            Column(L.GRADE),
            *texts,
            Column(L.PARTNERS, "wrap"),
        )
    past = (Column(L.PREV_ACTUAL, "number"), Column(L.PREV_RATE, "percent")) if with_past else ()
    return (
        *head,
        Column(L.TARGET_NAME, "wrap"),
        Column(L.UNIT),
        Column(L.DIRECTION),
        Column(L.TARGET, "number"),
        *past,
        Column(L.ACTUAL, "number"),
        Column(L.RATE, "percent"),
        Column(L.GRADE),
        Column(L.FLOOR_GUIDE),
        *texts,
    )


def project_listing_rows(
    plan: Plan, year: int, rows: Sequence[ListingRow]
) -> list[tuple[object, ...]]:
    """事業一覧 of a plan graded per project: one line per project (re-listings too)."""
    out: list[tuple[object, ...]] = []
    for row in rows:
        main = plan.project(row.project.relisted_from or row.project.number) or row.project
        out.append(
            (
                *(v for node in row.nodes for v in (node.code, node.name)),
                row.project.number,
                row.project.name,
                row.department,
                main.category or None,
                row.schedule or None,
                *(mark or None for mark in main.marks),
                *((plan.targets_shown(main.number, year) or None,) if plan.targets else ()),
                row.grade,
                "・".join(row.notes) or None,
                row.work_done,
                row.issues,
                row.outlook,
                row.partners,
            )
        )
    return out


def listing_rows(rows: Sequence[ListingRow], with_past: bool = False) -> list[tuple[object, ...]]:
    """事業一覧 of a plan graded per target: one line per target (re-listings too)."""
    out = []
    for row in rows:
        levels = [v for node in row.nodes for v in (node.code, node.name)]
        target = row.target
        past = (
            (from_record(row.past.actual), from_record(row.past.rate)) if row.past else (None, None)
        )
        out.append(
            (
                *levels,
                row.project.number,
                row.project.name,
                row.department,
                target.name if target else None,
                target.unit if target else None,
                target.direction if target else None,
                row.target_value,
                *(past if with_past else ()),
                row.actual,
                row.rate,
                row.grade,
                row.suggested,
                "・".join(row.notes) or None,
                row.work_done,
                row.issues,
                row.outlook,
            )
        )
    return out


def status_rows(
    report_files: Sequence[FileReport],
    plan: Plan,
    year: int,
    counted_per_file: Mapping[str, int],
    findings: Sequence[Finding],
    notes: Sequence[Finding],
) -> list[FileRow]:
    """The lines of 提出状況: each department of the year (its file in use, or 未提出), then
    every other file read (superseded, of no department), then files that are no workbook."""
    severity = Counter[tuple[str, str]]((f.file, f.severity) for f in findings)
    reports = {r.file.path: r for r in report_files}
    used = {r.department: r for r in reports.values() if r.status == L.SUBMITTED and r.department}

    def row(department: str, file_report: FileReport) -> FileRow:
        file, read = file_report.file, len(file_report.rows_read)
        kept = counted_per_file.get(file.path, 0)
        return FileRow(
            department,
            file_report.status,
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
        in_use = used.get(department)
        if in_use is None:
            rows.append(
                FileRow(department, L.NOT_SUBMITTED, "", "", "", "", None, None, None, None, None)
            )
        else:
            rows.append(row(department, in_use))
    rows += [row(r.claimed or "", r) for r in reports.values() if r.status != L.SUBMITTED]
    rows += [FileRow("", L.OUT_OF_PLAN, n.file, "", "", "", 0, 0, 0, 0, 0) for n in notes]
    return rows


def status_table(rows: Sequence[FileRow]) -> Table:
    """提出状況 as a table (model.STATUS_COLUMNS: 保存日時 and 記入者 in the workbook only),
    the saved time in Japan time."""
    columns = tuple(Column(c.name, c.kind, c.in_csv) for c in STATUS_COLUMNS)
    shown = (replace(r, saved_at=local_time(r.saved_at)) for r in rows)
    data = [tuple(getattr(r, c.field) for c in STATUS_COLUMNS) for r in shown]
    return Table(L.STATUS_SHEET, columns, data)


def findings_table(findings: Sequence[Finding]) -> Table:
    """検証結果 as a table, each finding's place spelled as A1 text."""
    wrapped = (L.FINDING_FILE, L.FINDING_VALUE, L.FINDING_MESSAGE)
    columns = tuple(Column(n, "wrap" if n in wrapped else "text") for n in FINDING_COLUMNS)
    rows = [f.as_row() for f in findings]
    return Table(L.FINDINGS_SHEET, columns, rows)


def committee_tables(
    plan: Plan,
    figures: Figures,
    files: Sequence[FileRow],
    findings: Sequence[Finding],
    trend: Sequence[TrendRow] = (),
) -> list[Table]:
    """概要, a table per level, 推移 (with a store), 事業一覧, 提出状況, 検証結果."""
    tables = [summary_table(L.SUMMARY_SHEET, plan, figures.summary)]
    tables += [summary_table(t.name, plan, t) for t in figures.tables]
    tables += [breakdown_table(plan, b) for b in figures.breakdowns]
    if trend:
        tables.append(trend_table(plan, trend))
    past = figures.with_past
    rows = (
        project_listing_rows(plan, figures.year, figures.listing)
        if plan.by_project
        else listing_rows(figures.listing, past)
    )
    listing = Table(L.LISTING_SHEET, listing_columns(plan, past), rows)
    tables += [listing, status_table(files), findings_table(findings)]
    return tables


def trend_table(plan: Plan, trend: Sequence[TrendRow]) -> Table:
    """推移: the summary of every year on record (全体 and the top level), oldest first."""
    base = summary_table(L.TREND_SHEET, plan, LevelTable(plan.levels[0], ()))
    columns = (
        Column(L.YEAR),
        Column(L.ERA_YEAR, in_csv=False),
        *base.columns,
        Column(L.MASTER_VERSION, in_csv=False),
    )
    rows = []
    scopes = list(dict.fromkeys(item.summary.scope for item in trend))  # 全体 first, then in order
    for item in sorted(trend, key=lambda t: (scopes.index(t.summary.scope), t.year)):
        s = item.summary
        cells: list[object] = [item.year, years.era_name(item.year), s.scope, s.code or None]
        cells.append(s.targets_set)
        if not plan.by_project:
            cells.append(s.projects_with_targets)
        for grade in plan.grades:
            share = s.shares.get(grade.code)
            cells += [s.counts.get(grade.code, 0), Decimal(share) if share else None]
        cells.append(s.ungraded)
        if not plan.by_project:
            cells += [Decimal(s.average_rate) if s.average_rate else None, s.average_count]
        changed = "" if item.master_fingerprint == plan.fingerprint else "（現行と異なる）"
        cells.append(item.master_fingerprint[:12] + changed)
        rows.append(tuple(cells))
    return Table(L.TREND_SHEET, columns, rows)


def plain_number(value: Decimal) -> str:
    """Decimal without exponent or trailing zeros: 1200.0 -> '1200', 0.50 -> '0.5'."""
    text = format(value.normalize(), "f")
    return text
