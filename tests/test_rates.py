"""達成率: the formulas, exact half-up rounding (四捨五入) and the suggested grade."""

import decimal
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline import labels as L
from pipeline.model import Grade, Plan
from pipeline.rates import Rate, Suggestions, achievement, round_half_up, suggested_grade
from tests.checkplan import make_plan

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


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """The grades A (100), B (80), C of tests/checkplan.py."""
    return make_plan(tmp_path_factory.mktemp("plan"))


@pytest.mark.parametrize(
    ("shown", "code"),
    [
        ("100.0", "A"),
        ("99.9", "B"),
        ("80.0", "B"),
        ("79.9", "C"),
        ("0.0", "C"),
        ("-5.0", "C"),
        ("250.0", "A"),
    ],
)
def test_suggestions_give_the_grade_whose_floor_the_shown_rate_reaches(
    plan: Plan, shown: str, code: str
) -> None:
    suggestions = Suggestions(plan)
    assert suggestions.grade(D(shown)) == code
    assert suggestions.grade(D(shown)) == code  # asked again: the same grade
    assert suggestions.grade(None) is None  # no rate: nothing suggested


def test_one_suggestions_object_answers_each_rate_and_pair_for_itself(plan: Plan) -> None:
    """Reused for every row of a run: a rate or pair answered earlier must not answer for the
    next one (a cache keyed wrongly would give every row the first row's grade or warning)."""
    suggestions = Suggestions(plan)
    assert [suggestions.grade(D(r)) for r in ("100.0", "85.0", "10.0", "100.00")] == [
        "A",
        "B",
        "C",
        "A",  # 100.00 equals 100.0: the same grade
    ]
    # two grade steps apart (C01) and not, in each direction, asked in turn
    asked = [("A", "C"), ("A", "A"), ("C", "A"), ("B", "C"), ("A", "B"), ("C", "A")]
    assert [suggestions.far(g, s) for g, s in asked] == [True, False, True, False, False, True]
    assert suggestions.far("A", None) is False  # no rate, no suggestion: no warning
    assert suggestions.far("Z", "C") is False  # not a grade of the plan (V06 says so)


def test_an_unhashable_grade_is_answered_not_raised(plan: Plan) -> None:
    suggestions = Suggestions(plan)
    assert suggestions.far(["A"], "C") is False
    assert suggestions.far({"A": 1}, "A") is False


_rates = st.one_of(
    st.none(),
    st.decimals(min_value=-200, max_value=300, places=1, allow_nan=False),
    st.sampled_from([D("80.0"), D("79.9"), D("100.0"), D("99.9"), D("80"), D("100.00")]),
)


@given(st.lists(st.tuples(_rates, st.sampled_from(["A", "B", "C", "", "Z", None])), max_size=30))
def test_suggestions_agree_with_the_plain_rules_for_any_rows(
    plan: Plan, rows: list[tuple[Decimal | None, str | None]]
) -> None:
    """However many rows one Suggestions object answers, in any order: the grade is
    suggested_grade's and the warning is Plan.far_from_suggested's, row by row."""
    suggestions = Suggestions(plan)
    for shown, grade in rows:
        expected = None if shown is None else suggested_grade(plan.grades, shown).code
        assert suggestions.grade(shown) == expected
        assert suggestions.far(grade, expected) == plan.far_from_suggested(grade, expected)
