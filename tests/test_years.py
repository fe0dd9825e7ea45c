"""Fiscal years as people write them (西暦, FY, 和暦, full-width) and as shinchoku shows them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.years import YearError, display, era_name, file_label, parse_fiscal_year


@pytest.mark.parametrize(
    ("typed", "year"),
    [
        (2024, 2024),
        (2024.0, 2024),
        ("2024", 2024),
        ("2024年度", 2024),
        ("FY2024", 2024),
        ("fy 2024", 2024),
        ("令和6年度", 2024),
        ("R6", 2024),
        ("r6", 2024),
        ("H31", 2019),
        ("平成31年度", 2019),
        ("令和元年度", 2019),
        ("平成32年度", 2020),  # the seed writes this
        ("２０２４年度", 2024),
        ("Ｒ６", 2024),
    ],
)
def test_every_accepted_way_of_writing_a_year_is_read(typed: object, year: int) -> None:
    assert parse_fiscal_year(typed) == year


@pytest.mark.parametrize("typed", ["abc", "", True, "R0", "令和", 1800])
def test_things_that_are_not_a_year_are_refused(typed: object) -> None:
    with pytest.raises(YearError):
        parse_fiscal_year(typed)


@pytest.mark.parametrize(
    ("year", "shown"),
    [
        (2024, "令和6年度（2024年度）"),
        (2019, "令和元年度（2019年度）"),
        (2018, "平成30年度（2018年度）"),
    ],
)
def test_year_is_shown_in_era_and_western_form(year: int, shown: str) -> None:
    assert display(year) == shown


def test_file_names_use_the_western_year() -> None:
    assert file_label(2024) == "2024年度"


@given(st.integers(min_value=1990, max_value=2100))
def test_every_way_shinchoku_writes_a_year_reads_back(year: int) -> None:
    assert parse_fiscal_year(era_name(year)) == year
    assert parse_fiscal_year(file_label(year)) == year
    assert parse_fiscal_year(f"FY{year}") == year


@given(st.one_of(st.text(), st.integers(), st.floats(), st.none()))
def test_any_cell_value_gives_a_year_or_a_year_error(value: object) -> None:
    try:
        year = parse_fiscal_year(value)
    except YearError:
        return
    assert isinstance(year, int)
