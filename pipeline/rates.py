"""Achievement rate (達成率), exact rounding, and the grade a rate suggests.

Computed in exact fractions (never binary floats) and rounded half-up (四捨五入) only for display.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

import pandas as pd

from pipeline import labels as L
from pipeline.frames import tuples
from pipeline.model import (
    ACTUAL_VALUE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
    ZERO_DENOMINATOR,
    Grade,
    Plan,
)


@dataclass(frozen=True)
class Rate:
    """A computed rate, or why there is none."""

    value: Fraction | None
    zero_denominator: bool = False


def achievement(direction: str, baseline: Decimal | None, target: object, actual: object) -> Rate:
    """増加: actual/target*100; 減少: (base-actual)/(base-target)*100, or target/actual*100."""
    if not isinstance(target, Decimal) or not isinstance(actual, Decimal):
        return Rate(None)
    if direction == L.DIRECTION_UP:
        numerator, denominator = actual, target
    elif direction == L.DIRECTION_DOWN and baseline is not None:
        numerator, denominator = baseline - actual, baseline - target
    elif direction == L.DIRECTION_DOWN:
        numerator, denominator = target, actual
    else:
        return Rate(None)
    if denominator == 0:
        return Rate(None, zero_denominator=True)
    (n, d), (m, e) = numerator.as_integer_ratio(), denominator.as_integer_ratio()
    return Rate(Fraction(n * e * 100, d * m))  # (n/d) / (m/e) * 100, made in one step


def round_half_up(value: Fraction, places: int = 1) -> Decimal:
    """Exact half-up rounding (away from zero on a tie), e.g. 0.05 -> 0.1, -0.05 -> -0.1."""
    scale = 10**places
    n, d = value.numerator, value.denominator  # d > 0
    magnitude = (2 * abs(n) * scale + d) // (2 * d)  # floor(|value| * scale + 1/2), in integers
    signed = magnitude if n >= 0 else -magnitude
    return Decimal(f"{signed}E-{places}")  # exact: no context rounding


def suggested_grade(grades: tuple[Grade, ...], rate: Decimal) -> Grade:
    """The best grade whose floor the one-decimal rate reaches; below every floor, the lowest."""
    for grade in grades:
        if grade.floor is not None and rate >= grade.floor:
            return grade
    return grades[-1]


class Suggestions:
    """suggested_grade and Plan.far_from_suggested for a plan, each worked out once per
    distinct rate or pair of grades: they run for every row (validation and listing alike)."""

    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._codes: dict[Decimal, str] = {}
        self._far: dict[tuple[object, str | None], bool] = {}

    def grade(self, shown: Decimal | None) -> str | None:
        """The code of the grade the shown rate suggests; None without a rate."""
        if shown is None:
            return None
        code = self._codes.get(shown)  # equal rates suggest alike, however spelled
        if code is None:
            code = self._codes[shown] = suggested_grade(self._plan.grades, shown).code
        return code

    def far(self, grade: object, suggested: str | None) -> bool:
        """Plan.far_from_suggested(grade, suggested)."""
        pair = (grade, suggested)
        try:
            found = self._far.get(pair)
        except TypeError:  # an unhashable grade: not one of the plan's
            return self._plan.far_from_suggested(grade, suggested)
        if found is None:
            found = self._far[pair] = self._plan.far_from_suggested(grade, suggested)
        return found


def clipped(value: Fraction, cap: Fraction) -> Fraction:
    """The rate as averaged: within [0, 達成率上限] (compared in integers: this runs per row)."""
    if value.numerator < 0:
        return Fraction(0)
    if value.numerator * cap.denominator > cap.numerator * value.denominator:
        return cap
    return value


def exact_sum(values: Iterable[Fraction]) -> Fraction:
    """The exact sum, adding numerators over each distinct denominator first (rates share few
    denominators, and integer additions are far cheaper than Fraction ones)."""
    by_denominator: dict[int, int] = {}
    for value in values:
        d = value.denominator
        by_denominator[d] = by_denominator.get(d, 0) + value.numerator
    return sum((Fraction(n, d) for d, n in by_denominator.items()), Fraction(0))


_Rated = tuple[Fraction | None, Decimal | None, bool]  # a rate, as shown, zero denominator


def _rate_of(
    facts: tuple[str, Decimal | None, object, object], known: dict[object, _Rated]
) -> _Rated:
    """achievement(*facts) as (rate, shown, zero denominator), each distinct case worked out
    once (equal numbers give equal rates, however spelled)."""
    try:
        found = known.get(facts)
    except TypeError:  # not hashable, so not a number: worked out as it is, not kept
        return _worked_out(facts)
    if found is None:
        found = known[facts] = _worked_out(facts)
    return found


def _worked_out(facts: tuple[str, Decimal | None, object, object]) -> _Rated:
    rate = achievement(*facts)
    value = rate.value
    return value, None if value is None else round_half_up(value), rate.zero_denominator


def with_rates(rows: pd.DataFrame, plan: Plan, year: int) -> pd.DataFrame:
    """`rows` (matched to the plan) with RATE, RATE_SHOWN and ZERO_DENOMINATOR: each row's rate
    is computed once here, for validation and for the figures alike (schemas.frames: TypedRows
    -> RatedRows)."""
    from schemas.frames import check_rated  # pandera: imported while the files were read

    exact: list[Fraction | None] = []
    shown: list[Decimal | None] = []
    zero: list[bool] = []
    known: dict[object, _Rated] = {}
    for number, seq, actual in tuples(rows, (PLAN_NUMBER, TARGET_SEQ, ACTUAL_VALUE)):
        target = plan.target(str(number), int(seq)) if number is not None else None
        if target is None:
            exact.append(None)
            shown.append(None)
            zero.append(False)
            continue
        found = _rate_of((target.direction, target.baseline, target.value_for(year), actual), known)
        exact.append(found[0])
        shown.append(found[1])
        zero.append(found[2])
    rated = rows.copy(deep=False)  # copy-on-write (pandas 3): the new columns are its own
    rated[RATE] = pd.Series(exact, index=rows.index, dtype=object)
    rated[RATE_SHOWN] = pd.Series(shown, index=rows.index, dtype=object)
    rated[ZERO_DENOMINATOR] = pd.Series(zero, index=rows.index, dtype=bool)
    return check_rated(rated)
