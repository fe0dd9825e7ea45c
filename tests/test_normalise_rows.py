"""normalise.normalise over merged rows: each row's typed values, the warnings a person should
double-check (万/千, percent formats, text too long for a cell) at the 実績値 or text cell of
the file the row came from, and qualitative targets kept as text."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from pipeline import labels as L
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PERCENT,
    ROW,
    Grade,
    SubmittedFile,
)
from pipeline.normalise import CELL_TEXT_LIMIT, normalise
from schemas.frames import MatchedRows
from tests.stageframes import complete

GRADES = (
    Grade("A", "着実に進捗した", Decimal(100)),
    Grade("B", "概ね進捗した", Decimal(80)),
    Grade("C", "進捗が遅れている", None),
)
# the second file has its columns moved: 実績値 in J, 取組内容 in D
FILES = {
    "a.xlsx": SubmittedFile(
        "a.xlsx", 1, "", columns=((L.ACTUAL, "H"), (L.WORK_DONE, "K"), (L.ISSUES, "L"))
    ),
    "sub/b.xlsx": SubmittedFile(
        "sub/b.xlsx", 1, "", columns=((L.ACTUAL, "J"), (L.WORK_DONE, "D"), (L.ISSUES, "E"))
    ),
}
LONG = "長" * (CELL_TEXT_LIMIT + 1)
ROWS = [
    # file, row, 整理番号, 単位, 方向, 実績値, percent format, 自己評価, 方向性, 取組, 課題
    ("a.xlsx", 7, "1-1", "件", "増加", "１，２００件", False, "Ａ評価", "継続", " 実施 ", None),
    ("a.xlsx", 8, "1-2", "人", "増加", "1.2万", False, "b", "改善･見直し", "x", ""),
    ("a.xlsx", 9, "1-3", "%", "増加", 0.4, True, "C", "廃止", "y", "遅れ"),
    ("sub/b.xlsx", 7, "2-1", "", "定性", "  策定  ", False, "A", None, LONG, None),
    ("sub/b.xlsx", 8, "2-2", "件", "減少", float("nan"), False, None, "", "z", LONG),
    ("sub/b.xlsx", 9, "2-3", "人", "増加", "3千人", False, "着実に進捗した", "完了", "w", None),
    ("sub/b.xlsx", 10, None, None, "増加", "5千", False, 1, "完了", "v", None),
    ("sub/b.xlsx", 11, None, None, "増加", "5", False, True, "完了", "u", None),
]
COLUMNS = [FILE, ROW, L.NUMBER, L.UNIT, L.DIRECTION, L.ACTUAL, PERCENT, L.GRADE, L.OUTLOOK]
COLUMNS += [L.WORK_DONE, L.ISSUES]


def _matched(rows: list[tuple[object, ...]], index: list[int] | None = None) -> pd.DataFrame:
    """The rows as the batch hands them to normalise (schemas.frames.MatchedRows)."""
    return complete(pd.DataFrame(rows, columns=COLUMNS, index=index), MatchedRows)


def _typed() -> tuple[pd.DataFrame, list[tuple[str, str, str, str, str]]]:
    raw = _matched(ROWS, index=[100 + i for i in range(len(ROWS))])
    typed, findings = normalise(raw, GRADES, FILES)
    assert list(typed.index) == list(raw.index)
    return typed, [(f.rule, f.file, f.sheet, f.cell, f.number, f.value) for f in findings]


def test_each_row_gets_its_typed_values() -> None:
    typed, _ = _typed()
    assert typed[ACTUAL_VALUE].tolist() == [
        Decimal(1200),
        Decimal(12000),
        Decimal(40),
        "策定",  # qualitative: text, trimmed
        None,  # an empty cell pandas read as NaN is no value, not the text 'nan'
        Decimal(3000),
        Decimal(5000),
        Decimal(5),
    ]
    # 1 and True are different answers, though Python finds them equal
    assert typed[GRADE_CODE].tolist() == ["A", "B", "C", "A", None, "A", "1", "True"]
    assert typed[OUTLOOK_CHOICE].tolist()[:6] == [
        "継続",
        "改善・見直し",
        "廃止",
        None,
        None,
        "完了",
    ]
    assert typed[L.WORK_DONE].tolist()[:3] == ["実施", "x", "y"]
    assert typed[L.ISSUES].tolist()[:3] == [None, None, "遅れ"]
    assert typed[L.ACTUAL].tolist()[0] == "１，２００件"  # what was typed stays for quoting


def test_conversions_to_double_check_are_warned_at_the_files_own_cell() -> None:
    _, found = _typed()
    conversions = [f for f in found if f[0] in ("V10", "V11")]
    sheet = L.PROGRESS_SHEET
    assert conversions == [
        ("V10", "a.xlsx", sheet, "H8", "1-2", "1.2万"),
        ("V11", "a.xlsx", sheet, "H9", "1-3", "0.4"),
        ("V10", "sub/b.xlsx", sheet, "J9", "2-3", "3千人"),
        ("V10", "sub/b.xlsx", sheet, "J10", "", "5千"),
    ]
    _, findings = normalise(_matched(ROWS), GRADES, FILES)
    by_cell = {f.cell: f.message for f in findings}
    assert "を 12000 と読み取りました" in by_cell["H8"]
    assert "のため 40（%）と読み取りました" in by_cell["H9"]


def test_text_longer_than_a_cell_is_warned_with_its_length() -> None:
    _, findings = normalise(_matched(ROWS), GRADES, FILES)
    long = [(f.rule, f.file, f.sheet, f.cell, f.number) for f in findings if f.rule == "V13"]
    assert long == [
        ("V13", "sub/b.xlsx", L.PROGRESS_SHEET, "D7", "2-1"),
        ("V13", "sub/b.xlsx", L.PROGRESS_SHEET, "E8", "2-2"),
    ]
    message = next(f.message for f in findings if f.rule == "V13")
    assert f"{CELL_TEXT_LIMIT + 1:,} 文字" in message and L.WORK_DONE in message
    assert next(f.value for f in findings if f.rule == "V13") == "長" * 50 + "…"


def test_text_exactly_at_the_cell_limit_is_not_warned() -> None:
    rows = [(*ROWS[3][:9], "長" * CELL_TEXT_LIMIT, None)]
    _, findings = normalise(_matched(rows), GRADES, FILES)
    assert findings == []


def test_long_text_on_a_row_without_a_number_is_still_warned() -> None:
    rows = [("a.xlsx", 12, None, "件", "増加", 1, False, "A", "継続", LONG, None)]
    _, findings = normalise(_matched(rows), GRADES, FILES)
    assert [(f.rule, f.cell, f.number) for f in findings] == [("V13", "K12", "")]


def test_text_only_results_keep_blank_cells_as_no_value() -> None:
    # pandas would store all-text columns as strings and blanks as NaN; the figures read None
    rows = [
        ("a.xlsx", 7, "1-1", "", "定性", "策定", False, "A", "継続", "x", None),
        ("a.xlsx", 8, "1-2", "", "定性", None, False, None, None, "y", None),
    ]
    typed, _ = normalise(_matched(rows), GRADES, FILES)
    assert typed[ACTUAL_VALUE].tolist() == ["策定", None]
    assert typed[GRADE_CODE].tolist() == ["A", None]
    assert typed[ACTUAL_VALUE].dtype == object and typed[GRADE_CODE].dtype == object
