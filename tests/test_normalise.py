"""Reading 実績値, 自己評価 and 今後の方向性 the way departments type them."""

import datetime as dt
import re
import unicodedata
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.model import Grade
from pipeline.normalise import Parsed, parse_choice, parse_grade, parse_number

GRADES = (
    Grade("A", "着実に進捗した", Decimal(100)),
    Grade("B", "概ね進捗した", Decimal(80)),
    Grade("C", "進捗が遅れている", None),
)


def to_half_width(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


def to_full_width(text: str) -> str:
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in text)


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [
        ("１，２００", "", Decimal("1200")),
        ("1,200件", "件", Decimal(1200)),
        ("1,200 件", "件", Decimal(1200)),
        (40, "%", Decimal(40)),
        ("40%", "%", Decimal(40)),
        ("△5", "", Decimal(-5)),
        ("1e3", "", Decimal(1000)),
    ],
)
def test_numbers_are_read_as_typed_with_units_and_separators(
    typed: object, unit: str, value: Decimal
) -> None:
    parsed = parse_number(typed, unit)
    assert parsed.value == value
    assert parsed.warning == ""


@pytest.mark.parametrize(
    ("typed", "unit", "value"), [("1.2万", "", Decimal(12000)), ("3千人", "人", Decimal(3000))]
)
def test_man_and_sen_multipliers_are_applied_with_a_warning(
    typed: str, unit: str, value: Decimal
) -> None:
    parsed = parse_number(typed, unit)
    assert (parsed.value, parsed.warning) == (value, "V10")


@pytest.mark.parametrize("typed", ["－", "-", "ー", "—", "", None])
def test_dash_or_blank_means_no_value(typed: object) -> None:
    assert parse_number(typed, "件").value is None


def test_text_like_mishuukei_is_kept_so_validation_can_quote_it() -> None:
    assert parse_number("未集計", "件").value == "未集計"


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        (dt.datetime(2024, 4, 1, 9, 0), "2024-04-01T09:00:00"),
        (dt.date(2024, 4, 1), "2024-04-01"),
        (True, "True"),
    ],
)
def test_dates_and_booleans_are_not_numbers(typed: object, quoted: str) -> None:
    """Kept as text, so that the finding quotes what the cell showed (not 45383 or 1)."""
    assert parse_number(typed, "件") == Parsed(quoted)


def test_percent_formatted_fraction_is_read_as_percent_with_a_warning() -> None:
    parsed = parse_number(0.4, "%", percent_format=True)
    assert (parsed.value, parsed.warning) == (Decimal(40), "V11")


def test_percent_format_does_not_change_a_non_percent_unit() -> None:
    parsed = parse_number(0.4, "人", percent_format=True)
    assert (parsed.value, parsed.warning) == (Decimal("0.4"), "")


def test_float_cell_keeps_its_decimal_value_not_the_binary_expansion() -> None:
    assert parse_number(0.1).value == Decimal("0.1")


def test_huge_exponent_typed_as_text_is_read_exactly_for_the_size_check() -> None:
    # validation refuses it (V14) by its size, so the value must be the number typed
    assert parse_number("1e1000000").value == Decimal("1E+1000000")


def test_long_numbers_are_not_rounded() -> None:
    n = 12345678901234567890123456789012
    assert parse_number(str(n)).value == n


def test_enormous_integer_is_kept_exactly() -> None:
    assert parse_number(10**5000).value == Decimal(10) ** 5000


@pytest.mark.parametrize("typed", ["Ａ", "a", "A評価", " A ", "着実に進捗した"])
def test_grade_is_recognised_however_it_is_typed(typed: str) -> None:
    assert parse_grade(typed, GRADES) == "A"


def test_unknown_grade_is_returned_as_typed() -> None:
    assert parse_grade("D", GRADES) == "D"


@pytest.mark.parametrize("typed", ["", None])
def test_blank_grade_is_no_grade(typed: object) -> None:
    assert parse_grade(typed, GRADES) is None


def test_outlook_with_half_width_middle_dot_matches_the_list() -> None:
    assert parse_choice("改善･見直し", ("継続", "改善・見直し")) == "改善・見直し"


@given(
    st.one_of(
        st.text(),
        st.integers(min_value=-(10**300), max_value=10**300),
        st.floats(),
        st.none(),
        st.booleans(),
    ),
    st.sampled_from(["", "件", "人", "%", "万人"]),
    st.booleans(),
)
def test_any_cell_value_is_a_number_no_value_or_quoted_as_typed(
    raw: object, unit: str, percent: bool
) -> None:
    parsed = parse_number(raw, unit, percent)
    value = parsed.value
    if isinstance(raw, bool):
        assert value == str(raw)
    elif isinstance(raw, int):
        assert value == Decimal(raw)
    elif isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            assert value == str(raw)  # NaN and infinities are quoted, never counted
        elif percent and unit == "%":
            assert (value, parsed.warning) == (Decimal(str(raw)) * 100, "V11")
        else:
            assert value == Decimal(str(raw))
    elif raw is None:
        assert value is None
    elif isinstance(value, str):
        assert value == raw  # not understood: quoted exactly as typed
    elif isinstance(value, Decimal):
        assert value.is_finite()
        # what shinchoku shows of the number reads back as the same number
        assert parse_number(format(value, "f"), unit).value == value


@given(
    st.from_regex(
        r"[△▲-]?[0-9０-９,，.]{1,12}([eE][+-]?[0-9]{1,3})?[万千]?\s?[件人%％]?", fullmatch=True
    ),
    st.sampled_from(["", "件", "人", "%"]),
)
def test_number_like_text_is_read_as_its_digits_or_quoted(raw: str, unit: str) -> None:
    value = parse_number(raw, unit).value
    if isinstance(value, str):
        assert value == raw
    elif isinstance(value, Decimal):
        typed = to_half_width(raw)
        negative = typed.startswith(("△", "▲", "-"))
        assert (value < 0) == (negative and value != 0)
        # the digits typed, less only well-placed thousands separators, are the digits read
        digits = re.sub(r"[^0-9]", "", typed.split("e")[0].split("E")[0].split(".")[0])
        if not re.search("[eE万千]", typed):
            assert int(abs(value)) == int(digits or "0")
    else:
        assert value is None


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(["件", "人", "回", "%", ""]),
)
def test_number_with_separators_and_unit_reads_back(n: int, unit: str) -> None:
    typed = f"{n:,}{unit}"
    assert parse_number(typed, unit).value == n
    assert parse_number(to_full_width(typed), unit).value == n


@pytest.mark.parametrize("typed", ["1,5", "12,00", "1,2345", "1,234,5", "１，５", "1,5件"])
def test_a_comma_that_is_not_a_thousands_separator_is_not_a_number(typed: str) -> None:
    # '1,5' may mean 1.5 (a European decimal comma) or a slip: never silently 15
    assert parse_number(typed, "件").value == typed


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1,234.5", Decimal("1234.5")), ("-1,200", Decimal(-1200)), ("▲1,200", Decimal(-1200))],
)
def test_thousands_separators_with_decimals_and_signs(typed: str, value: Decimal) -> None:
    assert parse_number(typed).value == value


@pytest.mark.parametrize("typed", ["nan", "inf", "-Infinity", "1e", "e3", "1..2", "1.2.3"])
def test_words_python_reads_as_numbers_are_not_numbers(typed: str) -> None:
    assert parse_number(typed).value == typed


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**9), max_value=10**9
    )
)
def test_a_number_shown_by_shinchoku_reads_back(number: Decimal) -> None:
    shown = format(number, "f")
    assert parse_number(shown).value == number
    assert parse_number(to_full_width(shown)).value == number
    if number < 0:
        assert parse_number("△" + format(-number, "f")).value == number


@pytest.mark.parametrize("typed", ["Ａ 評価", "評価Ａ", "評価 a", "A評価 "])
def test_grade_with_the_word_hyouka_and_spaces_is_recognised(typed: str) -> None:
    assert parse_grade(typed, GRADES) == "A"


@pytest.mark.parametrize("typed", ["改善 ・ 見直し", " 継続 ", "廃止・ 終了"])
def test_outlook_typed_with_spaces_matches_the_list(typed: str) -> None:
    choices = ("継続", "改善・見直し", "廃止・終了")
    assert parse_choice(typed, choices) == next(c for c in choices if c[:2] in typed)


def test_outlook_not_in_the_list_is_returned_as_typed() -> None:
    assert parse_choice(" 検討中 ", ("継続",)) == "検討中"


@pytest.mark.parametrize(
    ("typed", "unit", "value"),
    [("12 回 / 年", "回/年", Decimal(12)), ("12回/年", "回 / 年", Decimal(12))],
)
def test_a_unit_with_spaces_is_stripped_however_it_is_spaced(
    typed: str, unit: str, value: Decimal
) -> None:
    assert parse_number(typed, unit).value == value


@pytest.mark.parametrize("raw", [float("nan"), float("inf"), float("-inf"), Decimal("NaN")])
def test_not_a_number_cells_are_quoted_not_dropped(raw: object) -> None:
    assert parse_number(raw, "件").value == str(raw)


def test_a_date_cell_is_quoted_in_iso_form() -> None:
    assert parse_number(dt.datetime(2024, 4, 1, 9, 0)).value == "2024-04-01T09:00:00"
    assert parse_number(dt.date(2024, 4, 1)).value == "2024-04-01"
    assert parse_number(True).value == "True"


def test_percent_format_is_only_applied_when_the_cell_has_it() -> None:
    assert parse_number(0.4, "%") == parse_number(0.4, "%", percent_format=False)
    assert parse_number(0.4, "%").value == Decimal("0.4")


def test_a_multiplier_past_the_decimal_range_is_quoted() -> None:
    typed = "9e999999999999999999万"
    assert parse_number(typed).value == typed
