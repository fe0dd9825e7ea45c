"""Matching keys, column widths and file-name parts for Japanese text."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.text import display_width, file_name_parts, key, safe_filename_part
from tests.builders import windows_valid

BANNED = '\\/:*?"<>|'


def test_full_width_and_half_width_numbers_match() -> None:
    assert key("１―（１）―①") == key("1-(1)-①")


@pytest.mark.parametrize("dash", [*map(chr, range(0x2010, 0x2016)), "\u2212", "\u30fc", "\uff0d"])
def test_every_kind_of_dash_matches_a_hyphen(dash: str) -> None:
    assert key(f"1{dash}2") == "1-2"


def test_spaces_around_a_value_are_ignored_including_full_width() -> None:
    assert key("\u3000 市民協働推進課 \u3000") == "市民協働推進課"


def test_empty_cell_has_empty_key() -> None:
    assert key(None) == ""


@pytest.mark.parametrize(
    ("text", "width"), [("abc", 3), ("進捗", 4), ("Ａ１", 4), ("ｱｲ", 2), ("A-進", 4), ("", 0)]
)
def test_wide_characters_count_double_for_column_widths(text: str, width: int) -> None:
    assert display_width(text) == width


def test_characters_not_allowed_in_file_names_become_full_width_underscore() -> None:
    assert safe_filename_part('a\\b/c:d*e?f"g<h>i|j') == "a＿b＿c＿d＿e＿f＿g＿h＿i＿j"


def test_department_names_stay_readable_in_file_names() -> None:
    assert safe_filename_part("市民局 協働推進課") == "市民局 協働推進課"


@given(st.text())
def test_key_of_a_key_is_the_same_key(text: str) -> None:
    assert key(key(text)) == key(text)


@given(st.text())
def test_file_name_part_is_never_empty_nor_has_banned_characters(text: str) -> None:
    part = safe_filename_part(text)
    assert part
    assert not any(ch in BANNED for ch in part)


def test_canonical_spells_equal_numbers_as_written_whatever_came_before() -> None:
    from decimal import Decimal

    from pipeline.text import canonical

    assert [canonical(Decimal("0")), canonical(Decimal("-0"))] == ["0", "-0"]
    assert [canonical(-0.0), canonical(0.0), canonical(66000.0)] == ["-0", "0", "66000"]


@pytest.mark.parametrize(
    ("name", "part"),
    [
        ("CON", "CON＿"),
        ("aux.課", "aux.課＿"),
        ("Com1", "Com1＿"),
        ("総務課.", "総務課"),
        ("課 ", "課"),
    ],
)
def test_device_names_and_trailing_dots_are_mapped(name: str, part: str) -> None:
    assert safe_filename_part(name) == part


def test_a_very_long_name_is_cut_to_fit_a_file_name() -> None:
    part = safe_filename_part("とても長い課の名前" * 40)
    assert windows_valid(f"進捗状況_{part}_2024年度.xlsx")
    assert windows_valid(f"指摘事項_{part}_2024年度.xlsx")


@given(st.lists(st.text(max_size=120), max_size=12))
def test_file_name_parts_are_valid_and_unique_as_windows_compares(names: list[str]) -> None:
    parts = file_name_parts(names)
    assert set(parts) == set(names)
    for part in parts.values():
        assert windows_valid(f"進捗状況_{part}_2024年度.xlsx"), part
        assert windows_valid(part), part
    folded = [p.casefold() for p in parts.values()]
    assert len(folded) == len(set(folded))
