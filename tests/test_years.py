"""Fiscal years as people write them (西暦, FY, 和暦, full-width) and as shinchoku shows them."""

import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.years import (
    JST,
    MAX_YEAR,
    MIN_YEAR,
    YearError,
    display,
    era_name,
    file_label,
    in_japan,
    iso_japan,
    local_time,
    now,
    parse_fiscal_year,
    shown,
)


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
        ("２０２４ 年 度", 2024),  # spaces anywhere, as people space out words
        ("令和 ６ 年 度", 2024),
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
    assert MIN_YEAR <= year <= MAX_YEAR
    # a year read is one shinchoku can write back and read again
    assert parse_fiscal_year(era_name(year)) == year
    assert parse_fiscal_year(file_label(year)) == year
    if isinstance(value, int | float):
        assert year == value
    elif isinstance(value, str) and re.search(r"\d{4}", value):
        assert str(year) in unicodedata.normalize("NFKC", value)


@pytest.mark.parametrize("typed", [1949, 2201, "1949年度", "2201", "R183", "FY12345"])
def test_years_outside_the_plausible_range_are_refused(typed: object) -> None:
    with pytest.raises(YearError):
        parse_fiscal_year(typed)


@pytest.mark.parametrize("typed", [1950, 2200, "昭和25年度", "s25"])
def test_years_at_the_edges_of_the_range_are_read(typed: object) -> None:
    assert parse_fiscal_year(typed) in (1950, 2200)


@pytest.mark.parametrize(
    ("year", "era"),
    [(1988, "昭和63年度"), (1989, "平成元年度"), (2019, "令和元年度"), (2020, "令和2年度")],
)
def test_era_boundaries(year: int, era: str) -> None:
    assert era_name(year) == era
    assert parse_fiscal_year(era) == year


def test_era_year_zero_is_refused() -> None:
    for typed in ("H0", "平成0年度", "S0"):
        with pytest.raises(YearError):
            parse_fiscal_year(typed)


def test_a_refused_year_names_what_was_typed() -> None:
    for typed in ("来年", 1800, "R0", True):
        with pytest.raises(YearError) as raised:
            parse_fiscal_year(typed)
        assert str(typed) in str(raised.value)


# --- times: every time a user sees is Japan time, whatever the machine's zone -----------------


@pytest.mark.parametrize(
    ("iso", "japan"),
    [
        ("2025-05-20T09:00:00Z", "2025-05-20T18:00:00+09:00"),  # docProps: UTC with Z
        ("2025-05-20T09:00:00", "2025-05-20T18:00:00+09:00"),  # no zone: UTC (file times)
        ("2025-12-31T20:30:00.987654+00:00", "2026-01-01T05:30:00+09:00"),  # next day, seconds
        ("2025-05-20T18:00:00+09:00", "2025-05-20T18:00:00+09:00"),  # Japan time stays
        ("2025-05-20T05:00:00-04:00", "2025-05-20T18:00:00+09:00"),
        ("", ""),
        ("保存日時なし", "保存日時なし"),  # not a time: shown as written
    ],
)
def test_iso_times_are_given_in_japan_time(iso: str, japan: str) -> None:
    assert iso_japan(iso) == japan


@pytest.mark.parametrize(
    ("iso", "shown_as"),
    [
        ("2025-12-31T20:30:00Z", "2026/01/01 05:30:00"),
        ("2025-12-31T20:30:00", "2026/01/01 05:30:00"),
        ("2025-06-30T14:05:09+09:00", "2025/06/30 14:05:09"),
        ("", ""),
        ("昨日", "昨日"),
    ],
)
def test_saved_times_are_shown_in_japan_time(iso: str, shown_as: str) -> None:
    assert local_time(iso) == shown_as


def test_a_moment_is_taken_to_japan_time_and_a_naive_one_is_japan_time_already() -> None:
    naive = datetime(2025, 6, 30, 14, 5, 9)
    assert in_japan(naive) == datetime(2025, 6, 30, 14, 5, 9, tzinfo=JST)
    assert in_japan(naive).utcoffset() == timedelta(hours=9)
    utc = datetime(2025, 6, 30, 5, 5, 9, tzinfo=UTC)
    assert in_japan(utc).isoformat() == "2025-06-30T14:05:09+09:00"
    assert shown(utc) == "2025/06/30 14:05:09"


def test_now_is_japan_time_to_the_second() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    moment = now()
    after = datetime.now(UTC)
    assert moment.utcoffset() == timedelta(hours=9)
    assert moment.microsecond == 0
    assert before <= moment <= after
