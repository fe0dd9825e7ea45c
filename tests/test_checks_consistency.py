"""checks.consistency.check_consistency, called directly on rated rows: C01 (self-grade two or
more steps from the grade its rate suggests), C02 (no rate: zero denominator), C03 (a grade
without a result) — each on its cell, quoting what the user typed and the rate shown."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.checks.consistency import check_consistency
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    PLAN_NUMBER,
    RATE_SHOWN,
    ROW,
    TARGET_SEQ,
    ZERO_DENOMINATOR,
    Finding,
    Plan,
)
from schemas.frames import RatedRows
from tests.checkplan import LETTERS, PATH, YEAR, make_plan, submitted
from tests.stageframes import complete

OTHER = "進捗状況_B課_2025年度.xlsx"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


FILES = {
    PATH: submitted(),
    OTHER: submitted(path=OTHER, columns=[(label, letter * 2) for label, letter in LETTERS]),
}


def _row(
    row: int,
    grade: str | None,
    rate: str | None,
    actual: object = Decimal(1),
    *,
    target: tuple[str | None, int | None] = ("1-(1)-①", 1),
    zero: bool = False,
    path: str = PATH,
) -> dict[str, object]:
    number, seq = target
    return {
        FILE: path,
        ROW: row,
        PLAN_NUMBER: number,
        TARGET_SEQ: seq,
        L.NUMBER: number,
        ACTUAL_VALUE: actual,
        GRADE_CODE: grade,
        RATE_SHOWN: None if rate is None else Decimal(rate),
        ZERO_DENOMINATOR: zero,
    }


def _check(plan: Plan, *rows: dict[str, object], year: int = YEAR) -> list[Finding]:
    frame = pd.DataFrame(list(rows), dtype=object)
    frame.index = pd.RangeIndex(30, 30 + len(frame))
    return check_consistency(complete(frame, RatedRows), plan, year, FILES)


def _where(findings: list[Finding]) -> list[tuple[str, str, str, str, str]]:
    return [(f.rule, f.file, f.cell, f.number, f.value) for f in findings]


@pytest.mark.parametrize(
    ("grade", "rate", "suggested"),
    [("A", "79.9", "C"), ("A", "0.0", "C"), ("C", "100.0", "A"), ("C", "150.0", "A")],
)
def test_a_grade_two_steps_from_its_suggestion_is_c01_quoting_both(
    plan: Plan, grade: str, rate: str, suggested: str
) -> None:
    [c01] = _check(plan, _row(7, grade, rate))
    assert _where([c01]) == [("C01", PATH, "J7", "1-(1)-①", grade)]
    assert f"自己評価「{grade}」が達成率 {rate}% の目安「{suggested}」と2段階以上" in c01.message
    assert (c01.sheet, c01.severity) == (L.PROGRESS_SHEET, L.WARNING)


@pytest.mark.parametrize(
    ("grade", "rate"),
    [("A", "80.0"), ("A", "100.0"), ("B", "0.0"), ("B", "120.0"), ("C", "99.9"), (None, "0.0")],
)
def test_a_grade_at_most_one_step_away_is_no_warning(
    plan: Plan, grade: str | None, rate: str
) -> None:
    assert _check(plan, _row(7, grade, rate)) == []


def test_a_row_without_a_rate_gets_no_c01(plan: Plan) -> None:
    assert _check(plan, _row(7, "A", None)) == []


def test_a_zero_denominator_is_c02_on_the_result(plan: Plan) -> None:
    [c02] = _check(plan, _row(9, "A", None, Decimal(900), target=("1-(1)-①", 3), zero=True))
    assert _where([c02]) == [("C02", PATH, "H9", "1-(1)-①", "900")]
    assert "分母が0になるため達成率を計算できません" in c02.message


def test_a_grade_without_a_result_is_c03_quoting_the_grade(plan: Plan) -> None:
    [c03] = _check(plan, _row(8, "B", None, None, target=("1-(1)-①", 2)))
    assert _where([c03]) == [("C03", PATH, "H8", "1-(1)-①", "B")]
    assert "自己評価「B」が付いています" in c03.message


def test_no_c03_without_a_grade_for_qualitative_or_targets_without_a_value(plan: Plan) -> None:
    rows = [
        _row(7, None, None, None),  # no grade either
        _row(10, "A", None, None, target=("1-(1)-②", 1)),  # 定性: the result is text
        _row(11, "A", None, None, target=("1-(1)-③", 0)),  # a project without targets
    ]
    assert _check(plan, *rows) == []
    # 参加者数 has a target only from 2025: in 2024 a grade without a result is not C03
    later = _row(8, "A", None, None, target=("1-(1)-④", 2), path=OTHER)
    assert _check(plan, later, year=YEAR - 1) == []
    assert _where(_check(plan, later)) == [("C03", OTHER, "HH8", "1-(1)-④", "A")]


def test_each_row_gets_its_own_warnings_in_row_order(plan: Plan) -> None:
    rows = [
        _row(11, "A", None, None, target=("1-(1)-③", 0)),  # no target: nothing to compare
        _row(7, "C", "120.0"),
        _row(9, "A", None, Decimal(0), target=("1-(1)-①", 3), zero=True),
        _row(8, "A", None, None, target=("1-(1)-①", 2)),
        _row(7, "A", "10.0", path=OTHER, target=("1-(1)-④", 1)),
    ]
    assert _where(_check(plan, *rows)) == [
        ("C01", PATH, "J7", "1-(1)-①", "C"),
        ("C02", PATH, "H9", "1-(1)-①", "0"),
        ("C03", PATH, "H8", "1-(1)-①", "A"),
        ("C01", OTHER, "JJ7", "1-(1)-④", "A"),
    ]


def test_a_numeric_row_graded_far_off_and_without_a_result_is_both(plan: Plan) -> None:
    """C03 then C01 on the same row: a 0.0 % rate (no result typed as 0) graded A."""
    rows = [_row(7, "A", "0.0", None)]
    assert [f.rule for f in _check(plan, *rows)] == ["C03", "C01"]
