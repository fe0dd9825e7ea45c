"""Run the pandera schema once over the merged rows and turn its failures into findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import pandas as pd

from pipeline import labels as L
from pipeline.messages import RULES, cell_finding
from pipeline.model import FILE, GRADE_CODE, ROW, Finding, Plan, SubmittedFile
from schemas.submission import RULE_COLUMNS, SchemaErrors, submission_schema

_schema = lru_cache(maxsize=4)(submission_schema)  # built once per plan's grades


def warm_up(plan: Plan, year: int | None = None) -> None:
    """Load pandera and build the plan's schema and the stage frames' (~0.3 s) while the
    workers still read: the batch calls this on the first file read. With `year`, what is
    graded that year too (Plan.units: 120,000 targets at 2,000 departments, ~0.3 s), which
    the batch needs once every file is read."""
    from schemas.frames import MatchedRows, RatedRows, TypedRows, schema_of

    if year is not None:
        plan.units(year)
    _schema(tuple(g.code for g in plan.grades), plan.by_project)
    for model in (MatchedRows, TypedRows, RatedRows):
        schema_of(model)


def check_values(
    typed: pd.DataFrame,
    plan: Plan,
    files: Mapping[str, SubmittedFile],
    reported: Sequence[Finding] = (),
) -> list[Finding]:
    """Value rules of the typed rows (schemas.frames.TypedRows; the rules in
    schemas/submission.py, run once on the merged frame) as findings on their cells; a cell
    whose formula or error value was reported (V03, V04 in `reported`) is not reported again
    as empty."""
    if typed.empty:
        return []
    schema = _schema(tuple(g.code for g in plan.grades), plan.by_project)
    try:
        schema.validate(typed, lazy=True)
    except SchemaErrors as errors:
        unreadable = {(f.file, f.row, f.column) for f in reported if f.rule in ("V03", "V04")}
        found = _findings(errors.failure_cases, typed, plan, files)
        return [f for f in found if (f.file, f.row, f.column) not in unreadable]
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
