"""Rows against the template they came from: edited locked cells, rows added, removed, duplicated,
or belonging to another department. Only the rows concerned are rejected; the rest is read."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from pipeline import labels as L
from pipeline.frames import records
from pipeline.messages import cell_finding, finding
from pipeline.model import PLAN_NUMBER, ROW, TARGET_SEQ, ExpectedRow, Finding, Plan, SubmittedFile
from pipeline.text import canonical, key

_COMPARED = (L.PROJECT_NAME, L.UNIT, L.DIRECTION, L.BASELINE, L.TARGET)


@dataclass(frozen=True)
class Matched:
    """A file's rows matched to the plan, and what did not match."""

    rows: pd.DataFrame  # the submission's rows with TARGET_SEQ and PLAN_NUMBER (None: unmatched)
    findings: tuple[Finding, ...]


def match_rows(
    file: SubmittedFile, rows: pd.DataFrame, plan: Plan, department: str, year: int
) -> Matched:
    """Match each row to the department's template rows (整理番号 and 指標名); locked cells
    that were changed, rows added, moved or missing are findings (I01-I05, F19)."""
    expected = plan.expected_rows(department, year)
    by_key = {r.row_key: r for r in expected}
    wanted = {k: _locked(r) for k, r in by_key.items()}
    seen: dict[tuple[str, str], int] = {}
    findings: list[Finding] = []
    if rows.empty:  # every row deleted: one clear message besides each missing row's I03
        findings.append(finding("F19", file=file.path, sheet=L.PROGRESS_SHEET))
    seqs: list[object] = []
    numbers: list[object] = []
    for record in records(rows):
        row_key = (key(record[L.NUMBER]), key(record[L.TARGET_NAME]))
        found = by_key.get(row_key) or _renamed_target(row_key, expected, seen)
        problems = _row_problems(file, record, found, row_key, seen, plan, department, wanted)
        findings += problems
        if found is not None and not any(p.rule in ("I02", "I04", "I05") for p in problems):
            seen[found.row_key] = int(str(record[ROW]))
        ok = found is not None and not problems
        seqs.append(found.target_seq if ok and found else None)
        numbers.append(found.number if ok and found else None)
    for row in expected:
        if row.row_key not in seen:
            shown = f"{row.number} {row.target_name}".strip()
            findings.append(
                finding(
                    "I03", file=file.path, sheet=L.PROGRESS_SHEET, number=row.number, value=shown
                )
            )
    matched = rows.copy()
    matched[TARGET_SEQ] = pd.Series(seqs, index=rows.index, dtype=object)
    matched[PLAN_NUMBER] = pd.Series(numbers, index=rows.index, dtype=object)
    return Matched(matched, tuple(findings))


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
    record: dict[str, object],
    found: ExpectedRow | None,
    row_key: tuple[str, str],
    seen: dict[tuple[str, str], int],
    plan: Plan,
    department: str,
    wanted: dict[tuple[str, str], dict[str, tuple[object, str]]],
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
    for label, (value, spelling) in wanted[found.row_key].items():
        if canonical(record[label]) != spelling:
            # a number as the template shows it (the master's 800 is read as 800.0)
            shown = spelling if isinstance(value, Decimal) else "" if value is None else value
            problems.append(
                at("I01", label, value=record[label], column=label, expected=shown or "空欄")
            )
    return problems


def _locked(row: ExpectedRow) -> dict[str, tuple[object, str]]:
    """The compared locked cells of a template row: label -> (value, canonical spelling)."""
    cells = zip(row.locked_labels, row.locked, row.spellings, strict=True)
    compared = (*_COMPARED, *(label for label, _ in row.extras))
    return {label: (value, spelling) for label, value, spelling in cells if label in compared}
