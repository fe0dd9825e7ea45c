"""Warnings where a counted row's figures and its self-grade disagree."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline import labels as L
from pipeline.messages import finding
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    PLAN_NUMBER,
    ROW,
    TARGET_SEQ,
    Finding,
    Plan,
    SubmittedFile,
)
from pipeline.rates import achievement, round_half_up, suggested_grade


def check_consistency(
    rows: pd.DataFrame, plan: Plan, year: int, files: Mapping[str, SubmittedFile]
) -> list[Finding]:
    """C01: self-grade two or more steps from the suggested grade; C02: zero denominator."""
    findings: list[Finding] = []
    targets = {(t.number, t.seq): t for t in plan.targets}
    for record in rows.to_dict("records"):
        target = targets.get((record[PLAN_NUMBER], record[TARGET_SEQ]))
        if target is None:
            continue
        rate = achievement(
            target.direction, target.baseline, target.value_for(year), record[ACTUAL_VALUE]
        )
        file = files[str(record[FILE])]
        where = {"file": file.path, "sheet": L.PROGRESS_SHEET, "number": target.number}
        cell = f"{file.column(L.ACTUAL)}{record[ROW]}"
        if rate.zero_denominator:
            findings.append(finding("C02", cell=cell, value=record[ACTUAL_VALUE], **where))
        grade = record[GRADE_CODE]
        numeric = target.direction != L.DIRECTION_QUALITATIVE and target.value_for(year) is not None
        if numeric and record[ACTUAL_VALUE] is None and grade is not None:
            findings.append(finding("C03", cell=cell, value=grade, **where))
        if rate.value is None or grade not in {g.code for g in plan.grades}:
            continue
        shown = round_half_up(rate.value)
        suggested = suggested_grade(plan.grades, shown)
        if abs(plan.grade_rank(str(grade)) - plan.grade_rank(suggested.code)) >= 2:
            cell = f"{file.column(L.GRADE)}{record[ROW]}"
            findings.append(
                finding(
                    "C01", cell=cell, value=grade, rate=shown, suggested=suggested.code, **where
                )
            )
    return findings
