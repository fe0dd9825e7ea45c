"""Warnings where a counted row's figures and its self-grade disagree."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline import labels as L
from pipeline.messages import finding
from pipeline.model import (
    ACTUAL_VALUE, FILE, GRADE_CODE, PLAN_NUMBER, ROW, TARGET_SEQ, Finding, Plan, SubmittedFile,
)
from pipeline.rates import achievement, round_half_up, suggested_grade


def check_consistency(rows: pd.DataFrame, plan: Plan, year: int,
                      files: Mapping[str, SubmittedFile]) -> list[Finding]:  # fmt: skip
    """C01: self-grade two or more steps from the suggested grade; C02: zero denominator."""
    findings: list[Finding] = []
    targets = {(t.number, t.seq): t for t in plan.targets}
    for record in rows.to_dict("records"):
        target = targets.get((record[PLAN_NUMBER], record[TARGET_SEQ]))
        if target is None:
            continue
        rate = achievement(target.direction, target.baseline, target.value_for(year), record[ACTUAL_VALUE])
        file = files[str(record[FILE])]

        def at(code: str, label: str, **params: object) -> Finding:
            return finding(code, file=file.path, sheet=L.PROGRESS_SHEET, number=target.number,
                           cell=f"{file.column(label)}{record[ROW]}", **params)  # fmt: skip

        if rate.zero_denominator:
            findings.append(at("C02", L.ACTUAL, value=record[ACTUAL_VALUE]))
        grade = record[GRADE_CODE]
        if rate.value is None or grade not in {g.code for g in plan.grades}:
            continue
        shown = round_half_up(rate.value)
        suggested = suggested_grade(plan.grades, shown)
        if abs(plan.grade_rank(str(grade)) - plan.grade_rank(suggested.code)) >= 2:
            findings.append(at("C01", L.GRADE, value=grade, rate=shown, suggested=suggested.code))
    return findings
