"""Rows against the template they came from: edited locked cells, rows added, removed, duplicated,
or belonging to another department. Only the rows concerned are rejected; the rest is read."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from pipeline import labels as L
from pipeline.messages import cell_finding, finding
from pipeline.model import (
    PLAN_NUMBER,
    ROW,
    TARGET_SEQ,
    ExpectedRow,
    Finding,
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


def match_rows(
    file: SubmittedFile, rows: pd.DataFrame, plan: PlanFacts, department: str, year: int
) -> Matched:
    """Match each row to the department's template rows (整理番号 and 指標名); locked cells
    that were changed, rows added, moved or missing are findings (I01-I05, F19)."""
    expected = plan.expected_rows(department, year)
    by_key = {r.row_key: r for r in expected}
    wanted: dict[tuple[str, str], tuple[tuple[str, object, str], ...]] = {}
    seen: dict[tuple[str, str], int] = {}
    findings: list[Finding] = []
    if rows.empty:  # every row deleted: one clear message besides each missing row's I03
        findings.append(finding("F19", file=file.path, sheet=L.PROGRESS_SHEET))
    columns = {str(c): rows[c].tolist() for c in rows.columns}
    numbers, names, sheet_rows = columns[L.NUMBER], columns[L.TARGET_NAME], columns[ROW]
    seqs: list[object] = []
    plan_numbers: list[object] = []
    for i, (number, name) in enumerate(zip(numbers, names, strict=True)):
        row_key = (key(number), key(name))
        found = by_key.get(row_key) or _renamed_target(row_key, expected, seen)
        if found is not None and found.row_key not in wanted:
            wanted[found.row_key] = _locked(found)
        cells = _Cells(columns, i)
        problems = _row_problems(file, cells, found, row_key, seen, plan, department, wanted)
        findings += problems
        if found is not None and not any(p.rule in ("I02", "I04", "I05") for p in problems):
            seen[found.row_key] = sheet_rows[i]
        ok = found is not None and not problems
        seqs.append(found.target_seq if ok and found else None)
        plan_numbers.append(found.number if ok and found else None)
    for row in expected:
        if row.row_key not in seen:
            shown = f"{row.number} {row.target_name}".strip()
            findings.append(
                finding(
                    "I03", file=file.path, sheet=L.PROGRESS_SHEET, number=row.number, value=shown
                )
            )
    return Matched(_with_match(rows, seqs, plan_numbers), tuple(findings))


class _Cells:
    """Row `i` of the columns read, looked up by label (a record without building a dict)."""

    __slots__ = ("_columns", "_i")

    def __init__(self, columns: dict[str, list[object]], i: int) -> None:
        self._columns, self._i = columns, i

    def __getitem__(self, label: str) -> object:
        return self._columns[label][self._i]


def _with_match(rows: pd.DataFrame, seqs: list[object], numbers: list[object]) -> pd.DataFrame:
    """The rows with TARGET_SEQ and PLAN_NUMBER after them (object columns, None: unmatched),
    built in one go rather than a copy widened twice."""
    matched = pd.DataFrame({TARGET_SEQ: seqs, PLAN_NUMBER: numbers}, index=rows.index, dtype=object)
    return pd.concat([rows, matched], axis=1)


def _renamed_target(
    row_key: tuple[str, str], expected: list[ExpectedRow], seen: dict[tuple[str, str], int]
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
    seen: dict[tuple[str, str], int],
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
            shown = "" if value is None else value
            problems.append(
                at("I01", label, value=record[label], column=label, expected=shown or "空欄")
            )
    return problems


def _locked(row: ExpectedRow) -> tuple[tuple[str, object, str], ...]:
    """The compared locked cells of a template row: (label, value, canonical spelling), in
    the template's order (a text cell equal to its value needs no spelling: same key)."""
    cells = zip(row.locked_labels, row.locked, row.spellings, strict=True)
    compared = (*_COMPARED, *(label for label, _ in row.extras))
    return tuple(cell for cell in cells if cell[0] in compared)
