"""Batch rules over the set of files: one file per department, 未提出, unreported projects."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pandas as pd

from pipeline import labels as L
from pipeline import years
from pipeline.frames import matched_frame
from pipeline.ingest.reader import empty_rows
from pipeline.messages import finding
from pipeline.model import (
    PLAN_NUMBER,
    TARGET_SEQ,
    FileReport,
    Finding,
    PlainMatched,
    Plan,
    Project,
    SubmittedFile,
    Target,
    UsedFiles,
)
from pipeline.text import key
from pipeline.years import local_time


@dataclass(frozen=True)
class Candidate:
    """A file read, and the department it was tied to."""

    file: SubmittedFile
    department: str | None  # None: not tied to the plan (its findings say why)


@dataclass(frozen=True)
class Selection:
    """Which file counts for each department, each file's status, and why."""

    used: dict[str, SubmittedFile]  # department -> the file counted for it
    status: dict[str, str]  # file path -> 提出 / 差替え前 / 対象外
    findings: tuple[Finding, ...]


def _recency(file: SubmittedFile) -> tuple[datetime, datetime, str]:
    return _instant(file.saved_at), _instant(file.modified_at), file.path


def _instant(iso: str) -> datetime:
    """An ISO time as a UTC instant (a workbook may write '+09:00'); unknown: the earliest."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def select_files(candidates: Iterable[Candidate], plan: Plan, year: int | None = None) -> Selection:
    """Newest file per department expected in `year` (saved time, then file time, then path);
    the rest superseded."""
    by_department: dict[str, list[SubmittedFile]] = {}
    status: dict[str, str] = {}
    for candidate in candidates:
        if candidate.department is None:
            status[candidate.file.path] = L.OUT_OF_PLAN
        else:
            by_department.setdefault(candidate.department, []).append(candidate.file)
    used: dict[str, SubmittedFile] = {}
    findings: list[Finding] = []
    for department in plan.departments(year):
        files = sorted(by_department.get(department, []), key=_recency, reverse=True)
        if not files:
            findings.append(finding("B01", department=department, number="", value=department))
            continue
        newest, older = files[0], files[1:]
        used[department] = newest
        status[newest.path] = L.SUBMITTED
        for file in older:
            status[file.path] = L.SUPERSEDED
            findings.append(
                finding("B03", file=file.path, other=newest.path, reason=_why(newest, file))
            )
    return Selection(used, status, tuple(findings))


def _why(newer: SubmittedFile, older: SubmittedFile) -> str:
    if _instant(newer.saved_at) != _instant(older.saved_at):
        new, old = local_time(newer.saved_at) or "不明", local_time(older.saved_at) or "不明"
        return f"ブックの保存日時 {new} が {old} より新しい"
    if newer.modified_at != older.modified_at:
        new, old = local_time(newer.modified_at), local_time(older.modified_at)
        return f"ファイルの更新日時 {new} が {old} より新しい"
    return "保存日時が同じため、パス名の順で後のファイルを採用"


def use_files(reports: Sequence[FileReport], plan: Plan, year: int) -> UsedFiles:
    """Choose each department's file (select_files), keep the findings that count (value
    findings only where the rows are used: a superseded or rejected file is one finding) and
    merge the rows of the files in use (UsedFiles.rows: schemas.frames.MatchedRows)."""
    selection = select_files((Candidate(r.file, r.department) for r in reports), plan, year)
    findings = list(selection.findings)
    matched: list[PlainMatched] = []
    kept: list[FileReport] = []
    for report in reports:
        status = selection.status.get(report.file.path, L.OUT_OF_PLAN)
        in_use = status == L.SUBMITTED
        findings += [f for f in report.findings if in_use or not f.rule.startswith("V")]
        if in_use and report.matched is not None:
            findings += report.row_findings
            matched.append(report.matched)
        kept.append(replace(report, status=status, matched=None))  # rows live on in `rows` only
    rows = matched_frame(matched) if matched else _no_rows(plan)  # one frame of every file's
    present = {k for n in _distinct(rows[L.NUMBER].tolist()) if (k := key(n))}
    files = {r.file.path: r.file for r in kept}
    return UsedFiles(kept, findings, rows, files, selection.used, present)


def _distinct(values: list[object]) -> Iterable[object]:
    """Each value once when all are texts (keys made once per distinct 整理番号); else every
    value (12 and 12.0 are equal, but not their keys)."""
    return dict.fromkeys(values) if {str, type(None)}.issuperset(map(type, values)) else values


def _no_rows(plan: Plan) -> pd.DataFrame:
    frame = empty_rows(plan.layout())
    frame[TARGET_SEQ] = pd.Series(dtype=object)
    frame[PLAN_NUMBER] = pd.Series(dtype=object)
    return frame


def unreported(
    plan: Plan,
    year: int,
    reported: set[tuple[str, int]],
    submitted: Iterable[str],
    explained: AbstractSet[str] = frozenset(),
) -> list[Finding]:
    """B02 for each project of a department that did submit, graded this year (a target with
    a value, or planned when graded per project) and with no reported row for any of it. One
    explanation per mistake: a department that did not submit is one B01, and a project in
    `explained` (keys of 整理番号 present in a file, though rejected) gets no B02 — its rows' own
    findings say what is wrong."""
    departments = set(submitted)
    due: dict[str, list[tuple[Project, Target | None]]] = {}
    for project, target in plan.units(year):
        if project.department in departments and key(project.number) not in explained:
            due.setdefault(project.number, []).append((project, target))
    findings: list[Finding] = []
    for number, units in due.items():
        if not any((number, t.seq if t else 0) in reported for _, t in units):
            names = "、".join(t.name if t else p.name for p, t in units)
            findings.append(finding("B02", number=number, value=names))
    return findings


def secretariat_mistakes(
    folder: str,
    year: int,
    reports: Sequence[FileReport],
    workbooks: int,
    counted: int,
    findings: list[Finding],
) -> tuple[int | None, list[Finding]]:
    """One エラー for a mistake of the secretariat: files mostly of one other year (B05, the
    likely --year; a folder holding several years' files, none of them most, is not that
    mistake: each file keeps its F08), no workbook (B06), no row counted (B07). The 未提出 it
    causes are not reported too; each file keeps the finding that says why it was not used.
    Returns the other year, if that is the mistake, and the findings."""
    if workbooks == 0:
        kept = [f for f in findings if f.rule != "B01"]  # every department 未提出: same mistake
        return None, [*kept, finding("B06", value=folder)]
    readable = [r.file for r in reports if r.file.readable]
    wrong_year = {f.file for f in findings if f.rule == "F08"}
    years_found = Counter(
        y
        for file in readable
        if file.path in wrong_year and (y := _year_of(file.meta_value(L.META_YEAR))) is not None
    )
    other, n = years_found.most_common(1)[0] if years_found else (None, 0)
    if other is not None and n * 2 > len(readable):  # most files are of one other year
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
