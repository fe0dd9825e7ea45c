"""Rows against the template they came from: edited locked cells, rows added, removed, duplicated,
or belonging to another department. Only the rows concerned are rejected; the rest is read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np
import pandas as pd

from pipeline import labels as L
from pipeline.messages import cell_finding, finding
from pipeline.model import (
    PLAN_NUMBER,
    RAW_DTYPES,
    ROW,
    TARGET_SEQ,
    ExpectedRow,
    Finding,
    PlainMatched,
    PlanFacts,
    SubmittedFile,
)
from pipeline.text import canonical, key

_COMPARED = (L.PROJECT_NAME, L.UNIT, L.DIRECTION, L.BASELINE, L.TARGET)


@dataclass(frozen=True)
class Matched:
    """A file's rows matched to the plan, and what did not match."""

    rows: pd.DataFrame  # the submission's rows with TARGET_SEQ and PLAN_NUMBER (None: unmatched)
    findings: tuple[Finding, ...]


def plain_rows(
    rows: pd.DataFrame,
) -> tuple[list[list[object]], tuple[str, ...], dict[str, str]]:
    """A frame of raw rows as a worker has them: lists (one conversion), the columns, and the
    dtypes of the columns not of objects."""
    dtypes = {str(c): str(t) for c, t in rows.dtypes.items() if t != np.dtype(object)}
    return rows.to_numpy(dtype=object).tolist(), tuple(map(str, rows.columns)), dtypes


@dataclass(frozen=True)
class MatchedPlain:
    """Matched, its rows as lists (as a worker sends them back: see match_grid)."""

    rows: PlainMatched
    findings: tuple[Finding, ...]


def match_rows(
    file: SubmittedFile, rows: pd.DataFrame, plan: PlanFacts, department: str, year: int
) -> Matched:
    """Match each row to the department's template rows (整理番号 and 指標名); locked cells
    that were changed, rows added, moved or missing are findings (I01-I05, F19). On a frame
    of raw rows (see match_grid); the matched rows a frame, with the rows' index."""
    grid, columns, dtypes = plain_rows(rows)
    matched = match_grid(file, grid, columns, plan, department, year, dtypes)
    frame = matched.rows.frame()
    frame.index = rows.index  # rows keep their place in the merge
    return Matched(frame, matched.findings)


def match_grid(
    file: SubmittedFile,
    rows: list[list[object]],
    columns: Sequence[str],
    plan: PlanFacts,
    department: str,
    year: int,
    dtypes: Mapping[str, str] = RAW_DTYPES,
) -> MatchedPlain:
    """match_rows on raw rows as a worker reads them (lists in the order of `columns`; see
    model.PlainSubmission), the matched rows as lists too (no frame made here)."""
    expected = plan.expected_rows(department, year)
    by_key = {r.row_key: r for r in expected}
    wanted: dict[tuple[str, str], tuple[tuple[str, object, str], ...]] = {}
    seen: dict[tuple[str, str], object] = {}  # row key -> the sheet row it was seen on
    findings: list[Finding] = []
    if not rows:  # every row deleted: one clear message besides each missing row's I03
        findings.append(finding("F19", file=file.path, sheet=L.PROGRESS_SHEET))
    at = {c: j for j, c in enumerate(columns)}
    number_at, name_at, row_at = at[L.NUMBER], at[L.TARGET_NAME], at[ROW]
    matched: list[list[object]] = []
    for values in rows:
        row_key = (key(values[number_at]), key(values[name_at]))
        found = by_key.get(row_key) or _renamed_target(row_key, expected, seen)
        if found is not None and found.row_key not in wanted:
            wanted[found.row_key] = _locked(found)
        cells = _Cells(values, at)
        problems = _row_problems(file, cells, found, row_key, seen, plan, department, wanted)
        findings += problems
        if found is not None and not any(p.rule in ("I02", "I04", "I05") for p in problems):
            seen[found.row_key] = values[row_at]
        ok = found is not None and not problems
        matched.append(
            [*values, found.target_seq, found.number] if ok and found else [*values, None, None]
        )
    for row in expected:
        if row.row_key not in seen:
            shown = f"{row.number} {row.target_name}".strip()
            findings.append(
                finding(
                    "I03", file=file.path, sheet=L.PROGRESS_SHEET, number=row.number, value=shown
                )
            )
    return MatchedPlain(
        PlainMatched((*columns, TARGET_SEQ, PLAN_NUMBER), matched, dtypes), tuple(findings)
    )


class _Cells:
    """One row's values looked up by column label (a record without building a dict)."""

    __slots__ = ("_at", "_values")

    def __init__(self, values: list[object], at: dict[str, int]) -> None:
        self._values, self._at = values, at

    def __getitem__(self, label: str) -> object:
        return self._values[self._at[label]]


def _renamed_target(
    row_key: tuple[str, str], expected: list[ExpectedRow], seen: dict[tuple[str, str], object]
) -> ExpectedRow | None:
    """A row whose 指標名 was edited: its project has exactly one target row not yet seen."""
    number, _ = row_key
    open_rows = [r for r in expected if r.row_key[0] == number and r.row_key not in seen]
    candidates = [r for r in open_rows if r.row_key[1] != row_key[1]]
    return candidates[0] if len(candidates) == 1 and len(open_rows) == 1 else None


def _row_problems(
    file: SubmittedFile,
    record: _Cells,
    found: ExpectedRow | None,
    row_key: tuple[str, str],
    seen: dict[tuple[str, str], object],
    plan: PlanFacts,
    department: str,
    wanted: dict[tuple[str, str], tuple[tuple[str, object, str], ...]],
) -> list[Finding]:
    row = int(str(record[ROW]))
    number = str(record[L.NUMBER] or "")

    def at(code: str, label: str, **params: object) -> Finding:
        return cell_finding(code, file, row, label, number, **params)

    if found is None:
        owner = plan.project(number)
        if owner is not None and key(owner.department) != key(department):
            return [at("I05", L.NUMBER, value=owner.department)]
        return [at("I02", L.NUMBER, value=f"{number} {record[L.TARGET_NAME] or ''}".strip())]
    if found.row_key in seen:
        return [at("I04", L.NUMBER, value=number, other=f"{seen[found.row_key]}行目と同じ")]
    problems: list[Finding] = []
    if found.row_key != row_key:
        problems.append(
            at(
                "I01",
                L.TARGET_NAME,
                value=record[L.TARGET_NAME],
                column=L.TARGET_NAME,
                expected=found.target_name,
            )
        )
    for label, value, spelling in wanted[found.row_key]:
        cell = record[label]
        if not (type(cell) is str and cell == value) and canonical(cell) != spelling:
            # a number as the template shows it (the master's 800 is read as 800.0)
            shown = spelling if isinstance(value, Decimal) else "" if value is None else value
            problems.append(
                at("I01", label, value=record[label], column=label, expected=shown or "空欄")
            )
    return problems


def _locked(row: ExpectedRow) -> tuple[tuple[str, object, str], ...]:
    """The compared locked cells of a template row: (label, value, canonical spelling), in
    the template's order (a text cell equal to its value needs no spelling: same key)."""
    labels = row.locked_labels if row.extras else L.LOCKED_COLUMNS
    locked, spellings = row.locked, row.spellings
    return tuple((labels[i], locked[i], spellings[i]) for i in _compared_at(labels))


@lru_cache(maxsize=64)
def _compared_at(labels: tuple[str, ...]) -> tuple[int, ...]:
    """Where the compared cells are among a template row's locked cells: the target layout's
    (_COMPARED) and a plan graded per project's extras (after LOCKED_COLUMNS)."""
    extras = labels[len(L.LOCKED_COLUMNS) :]
    return tuple(i for i, label in enumerate(labels) if label in (*_COMPARED, *extras))
