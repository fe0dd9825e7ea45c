"""Run the pandera schema once over the merged rows and turn its failures into findings."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import pandera.pandas as pa

from pipeline import labels as L
from pipeline.messages import RULES, cell_finding
from pipeline.model import FILE, GRADE_CODE, ROW, Finding, Plan, SubmittedFile
from schemas.submission import RULE_COLUMNS, submission_schema


def check_values(
    typed: pd.DataFrame, plan: Plan, files: Mapping[str, SubmittedFile]
) -> list[Finding]:
    """Value rules of the typed rows (schemas/submission.py, run once on the merged
    frame) as findings on their cells."""
    if typed.empty:
        return []
    schema = submission_schema(tuple(g.code for g in plan.grades), plan.by_project)
    try:
        schema.validate(typed, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return _findings(errors.failure_cases, typed, plan, files)
    return []


def _findings(
    failures: pd.DataFrame, typed: pd.DataFrame, plan: Plan, files: Mapping[str, SubmittedFile]
) -> list[Finding]:
    grades = "".join(f"「{g.code}」" for g in plan.grades)
    choices = "".join(f"「{c}」" for c in L.OUTLOOK_CHOICES)
    out: dict[tuple[object, str], Finding] = {}
    for check, index in failures[["check", "index"]].itertuples(index=False):
        code = _rule_code(str(check))
        if code is None or index is None or pd.isna(index):
            raise RuntimeError(f"schema failure without a rule code: {check}")
        record = typed.loc[index]
        label = RULE_COLUMNS[code]
        file = files[str(record[FILE])]
        out[index, code] = cell_finding(
            code,
            file,
            int(record[ROW]),
            label,
            str(record[L.NUMBER] or ""),
            value=_shown(record[label]),
            grades=grades,
            choices=choices,
            grade=record[GRADE_CODE],
        )
    return sorted(out.values(), key=lambda f: (f.file, f.row or 0, f.rule))


def _rule_code(check: str) -> str | None:
    return check if check in RULES else None


def _shown(value: object) -> str:
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
