"""達成率: the formulas, exact half-up rounding (四捨五入) and the suggested grade."""

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import labels as L
from pipeline.model import Grade
from pipeline.rates import Rate, achievement, round_half_up, suggested_grade

D = Decimal


def test_increase_rate_is_actual_over_target() -> None:
    assert achievement(L.DIRECTION_UP, None, D(200), D(150)) == Rate(Fraction(75))


def test_decrease_rate_with_baseline_measures_progress_from_baseline() -> None:
    rate = achievement(L.DIRECTION_DOWN, D(100), D(60), D(80))
    assert rate == Rate(Fraction(50))  # (100-80)/(100-60)*100


def test_decrease_rate_without_baseline_is_target_over_actual() -> None:
    assert achievement(L.DIRECTION_DOWN, None, D(30), D(40)) == Rate(Fraction(75))


@pytest.mark.parametrize(
    ("direction", "baseline", "target", "actual"),
    [
        (L.DIRECTION_UP, None, D(0), D(5)),
        (L.DIRECTION_DOWN, D(50), D(50), D(40)),
        (L.DIRECTION_DOWN, None, D(10), D(0)),
    ],
)
def test_zero_denominator_leaves_rate_blank_and_says_why(
    direction: str, baseline: Decimal | None, target: Decimal, actual: Decimal
) -> None:
    assert achievement(direction, baseline, target, actual) == Rate(None, zero_denominator=True)


@pytest.mark.parametrize(
    ("target", "actual"), [("実施", D(1)), (D(10), "未集計"), (D(10), None), (10, D(5))]
)
def test_no_rate_without_two_numbers(target: object, actual: object) -> None:
    assert achievement(L.DIRECTION_UP, None, target, actual) == Rate(None)


def test_no_rate_for_qualitative_targets() -> None:
    assert achievement(L.DIRECTION_QUALITATIVE, None, D(1), D(1)).value is None


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Fraction(1, 20), "0.1"),
        (Fraction("62.45"), "62.5"),
        (Fraction("0.05"), "0.1"),
        (Fraction(1, 3) * 100, "33.3"),
        (Fraction(2, 3) * 100, "66.7"),
        (Fraction("-0.05"), "-0.1"),
        (Fraction("-62.45"), "-62.5"),
        (Fraction("0.04"), "0.0"),
        (Fraction(100), "100.0"),
    ],
)
def test_rates_are_rounded_half_up_exactly(value: Fraction, shown: str) -> None:
    assert str(round_half_up(value)) == shown


def expected_half_up(x: Fraction) -> Decimal:
    with decimal.localcontext(prec=60):
        exact = Decimal(x.numerator) / Decimal(x.denominator)
        return exact.quantize(Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


@given(
    st.fractions(min_value=Fraction(-(10**12)), max_value=Fraction(10**12), max_denominator=10**6)
)
def test_half_up_matches_decimal_rounding_for_any_fraction(x: Fraction) -> None:
    assert round_half_up(x) == expected_half_up(x)


def test_half_up_keeps_every_digit_of_a_huge_rate() -> None:
    x = Fraction(12345678901234567890123456789012)
    assert round_half_up(x) == expected_half_up(x)


GRADES = (
    Grade("A", "着実に進捗した", D(100)),
    Grade("B", "概ね進捗した", D(80)),
    Grade("C", "進捗が遅れている", None),
)


@pytest.mark.parametrize(
    ("rate", "code"), [("100.0", "A"), ("99.9", "B"), ("80.0", "B"), ("79.9", "C"), ("-5.0", "C")]
)
def test_suggested_grade_is_the_best_floor_reached(rate: str, code: str) -> None:
    assert suggested_grade(GRADES, D(rate)).code == code


_decimals = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False)


@given(_decimals, _decimals, st.one_of(st.none(), _decimals))
def test_rates_equal_the_formulas_in_exact_fractions(
    target: Decimal, actual: Decimal, baseline: Decimal | None
) -> None:
    """Whatever the numbers, each direction's rate is exactly its SPEC formula."""
    up = achievement(L.DIRECTION_UP, None, target, actual)
    assert up.value == (None if target == 0 else Fraction(actual) / Fraction(target) * 100)
    down = achievement(L.DIRECTION_DOWN, baseline, target, actual)
    if baseline is None:
        top, bottom = Fraction(target), Fraction(actual)
    else:
        top, bottom = Fraction(baseline - actual), Fraction(baseline - target)
    assert down.value == (None if bottom == 0 else top / bottom * 100)
    assert down.zero_denominator == (bottom == 0)


_fractions = st.fractions(
    min_value=Fraction(-(10**6)), max_value=Fraction(10**6), max_denominator=10**4
)


@given(st.lists(_fractions, max_size=50), _fractions.filter(lambda f: f > 0))
def test_clipping_and_summing_are_exact(values: list[Fraction], cap: Fraction) -> None:
    from pipeline.rates import clipped, exact_sum

    assert exact_sum(values) == sum(values, Fraction(0))
    assert [clipped(v, cap) for v in values] == [min(max(v, Fraction(0)), cap) for v in values]


@pytest.mark.parametrize(
    ("value", "places", "shown"),
    [
        (Fraction(12345, 1000), 2, "12.35"),
        (Fraction(-5, 1000), 2, "-0.01"),
        (Fraction(7, 2), 0, "4"),
    ],
)
def test_half_up_rounds_to_any_number_of_places(value: Fraction, places: int, shown: str) -> None:
    assert round_half_up(value, places) == Decimal(shown)
