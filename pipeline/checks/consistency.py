"""Warnings where a counted row's figures and its self-grade disagree."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from pipeline import labels as L
from pipeline.frames import tuples
from pipeline.messages import cell_finding
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    PLAN_NUMBER,
    RATE_SHOWN,
    ROW,
    TARGET_SEQ,
    Finding,
    Plan,
    SubmittedFile,
)
from pipeline.model import (
    ZERO_DENOMINATOR as ZERO,
)
from pipeline.rates import Suggestions


def check_consistency(
    rows: pd.DataFrame, plan: Plan, year: int, files: Mapping[str, SubmittedFile]
) -> list[Finding]:
    """C01: self-grade two or more steps from the suggested grade; C02: zero denominator;
    C03: a grade without a number. `rows` carry their rates (schemas.frames.RatedRows, from
    rates.with_rates)."""
    findings: list[Finding] = []
    suggestions = Suggestions(plan)
    columns = (PLAN_NUMBER, TARGET_SEQ, FILE, ROW, ACTUAL_VALUE, GRADE_CODE, RATE_SHOWN, ZERO)
    for number, seq, path, row, actual, grade, shown, zero in tuples(rows, columns):
        target = plan.target(number, seq)
        if target is None:
            continue
        file = files[path]
        at = (file, int(row))
        if zero:
            findings.append(cell_finding("C02", *at, L.ACTUAL, target.number, value=actual))
        numeric = target.direction != L.DIRECTION_QUALITATIVE and target.value_for(year) is not None
        if numeric and actual is None and grade is not None:
            findings.append(cell_finding("C03", *at, L.ACTUAL, target.number, value=grade))
        if shown is None:
            continue
        suggested = suggestions.grade(shown)
        if suggestions.far(grade, suggested):
            findings.append(
                cell_finding(
                    "C01", *at, L.GRADE, target.number, value=grade, rate=shown, suggested=suggested
                )
            )
    return findings
