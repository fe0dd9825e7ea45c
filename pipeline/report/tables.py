"""Figures, statuses and findings as plain tables: the one shape both the workbook and the CSV
files are written from, so that a sheet and its CSV can never disagree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from pipeline import labels as L
from pipeline.figures import Figures, LevelTable, ListingRow
from pipeline.model import Finding, Plan
from pipeline.years import local_time

Kind = Literal["text", "int", "number", "percent", "wrap"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = "text"
    in_csv: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[object, ...]]


@dataclass(frozen=True)
class FileRow:
    """One line of 提出状況."""

    department: str
    status: str
    file: str
    saved_at: str
    writer: str
    sha256: str
    read: int | None
    counted: int | None
    rejected: int | None
    errors: int | None
    warnings: int | None


def summary_table(name: str, plan: Plan, table: LevelTable) -> Table:
    columns = [
        Column(L.SCOPE, "wrap"),
        Column(L.CODE),
        Column(L.TARGETS_SET, "int"),
        Column(L.PROJECTS_WITH_TARGETS, "int"),
    ]
    for grade in plan.grades:
        columns += [Column(grade.code, "int"), Column(grade.code + L.SHARE_SUFFIX, "percent")]
    columns += [
        Column(L.UNGRADED, "int"),
        Column(L.AVERAGE_RATE, "percent"),
        Column(L.AVERAGE_COUNT, "int"),
    ]
    rows = []
    for row in table.rows:
        cells: list[object] = [row.scope, row.code, row.targets_set, row.projects_with_targets]
        for count, share in zip(row.counts, row.shares, strict=True):
            cells += [count, share]
        cells += [row.ungraded, row.average_rate, row.average_count]
        rows.append(tuple(cells))
    return Table(name, tuple(columns), rows)


def listing_columns(plan: Plan) -> tuple[Column, ...]:
    levels = [c for label in plan.levels for c in (Column(label), Column(f"{label}名", "wrap"))]
    return (
        *levels,
        Column(L.NUMBER),
        Column(L.PROJECT_NAME, "wrap"),
        Column(L.PROJECT_DEPARTMENT, "wrap"),
        Column(L.TARGET_NAME, "wrap"),
        Column(L.UNIT),
        Column(L.DIRECTION),
        Column(L.TARGET, "number"),
        Column(L.ACTUAL, "number"),
        Column(L.RATE, "percent"),
        Column(L.GRADE),
        Column(L.FLOOR_GUIDE),
        Column(L.NOTE, "wrap"),
        Column(L.WORK_DONE, "wrap"),
        Column(L.ISSUES, "wrap"),
        Column(L.OUTLOOK),
    )


def listing_rows(rows: Sequence[ListingRow]) -> list[tuple[object, ...]]:
    out = []
    for row in rows:
        levels = [v for node in row.nodes for v in (node.code, node.name)]
        target = row.target
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


def status_table(rows: Sequence[FileRow]) -> Table:
    columns = (
        Column(L.STATUS_DEPARTMENT, "wrap"),
        Column(L.STATUS),
        Column(L.STATUS_FILE, "wrap"),
        Column(L.STATUS_SAVED, in_csv=False),
        Column(L.WRITER, in_csv=False),
        Column(L.STATUS_SHA),
        Column(L.STATUS_READ, "int"),
        Column(L.STATUS_COUNTED, "int"),
        Column(L.STATUS_REJECTED, "int"),
        Column(L.STATUS_ERRORS, "int"),
        Column(L.STATUS_WARNINGS, "int"),
    )
    data = [
        (
            r.department,
            r.status,
            r.file,
            local_time(r.saved_at),
            r.writer,
            r.sha256,
            r.read,
            r.counted,
            r.rejected,
            r.errors,
            r.warnings,
        )
        for r in rows
    ]
    return Table(L.STATUS_SHEET, columns, data)


def findings_table(findings: Sequence[Finding]) -> Table:
    columns = (
        Column(L.FINDING_FILE, "wrap"),
        Column(L.FINDING_SHEET),
        Column(L.FINDING_CELL),
        Column(L.NUMBER),
        Column(L.FINDING_RULE),
        Column(L.FINDING_SEVERITY),
        Column(L.FINDING_VALUE, "wrap"),
        Column(L.FINDING_MESSAGE, "wrap"),
    )
    rows = [
        (f.file, f.sheet, f.cell, f.number, f.rule, f.severity, f.value, f.message)
        for f in findings
    ]
    return Table(L.FINDINGS_SHEET, columns, rows)


def committee_tables(
    plan: Plan, figures: Figures, files: Sequence[FileRow], findings: Sequence[Finding]
) -> list[Table]:
    """概要, one table per level, 事業一覧, 提出状況, 検証結果 — in sheet order."""
    tables = [summary_table(L.SUMMARY_SHEET, plan, figures.summary)]
    tables += [summary_table(t.name, plan, t) for t in figures.tables]
    tables.append(Table(L.LISTING_SHEET, listing_columns(plan), listing_rows(figures.listing)))
    tables += [status_table(files), findings_table(findings)]
    return tables


def plain_number(value: Decimal) -> str:
    """Decimal without exponent or trailing zeros: 1200.0 -> '1200', 0.50 -> '0.5'."""
    text = format(value.normalize(), "f")
    return text
