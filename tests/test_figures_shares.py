"""Grade shares (%) in the committee tables: half-up, or largest remainder summing to 100.0."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.figures import shares
from pipeline.model import PercentMethod


@pytest.mark.parametrize(
    ("counts", "method", "expected"),
    [
        ((44, 20, 7), "half-up", ("62.0", "28.2", "9.9")),
        ((44, 20, 7), "largest-remainder", ("62.0", "28.2", "9.8")),  # Sendai H29 全体
        ((49, 17, 3), "half-up", ("71.0", "24.6", "4.3")),
        ((59, 17, 0), "half-up", ("77.6", "22.4", "0.0")),
        ((59, 17, 0), "largest-remainder", ("77.6", "22.4", "0.0")),
        ((1, 1, 1), "largest-remainder", ("33.4", "33.3", "33.3")),
    ],
)
def test_shares_match_published_figures(
    counts: tuple[int, ...], method: PercentMethod, expected: tuple[str, ...]
) -> None:
    assert tuple(str(s) for s in shares(counts, method)) == expected


@pytest.mark.parametrize("method", ["half-up", "largest-remainder"])
def test_nothing_graded_gives_blank_shares(method: PercentMethod) -> None:
    assert shares((0, 0, 0), method) == (None, None, None)


def graded(counts: list[int]) -> list[Decimal]:
    result = shares(counts, "largest-remainder")
    assert all(s is not None for s in result)
    return [s for s in result if s is not None]


some_graded = st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8).filter(
    lambda counts: sum(counts) > 0
)


@given(some_graded)
def test_largest_remainder_row_sums_to_exactly_100_and_stays_close(counts: list[int]) -> None:
    result = graded(counts)
    assert sum(result, Decimal(0)) == Decimal("100.0")
    for share, count in zip(result, counts, strict=True):
        assert abs(Fraction(share) - Fraction(count * 100, sum(counts))) < Fraction(1, 10)


@given(st.integers(min_value=1, max_value=1000), st.integers(min_value=2, max_value=9))
def test_largest_remainder_ties_go_to_the_earlier_grade(n: int, grades: int) -> None:
    result = graded([n] * grades)
    assert result == sorted(result, reverse=True)
