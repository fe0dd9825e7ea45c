"""The committee workbook's table bodies, written a column and _CHUNK rows at a time
(report/workbook.py `_TableSheet`), hold exactly what writing cell by cell holds: values,
styles and row heights, across chunk boundaries, in both the in-memory and streaming modes."""

from __future__ import annotations

import math
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pipeline.model import Column, Table
from pipeline.report import workbook
from pipeline.xlsx import CELL_TEXT_LIMIT, CUT_MARK, WriteError, new_workbook
from tests.test_workbook_text import _cells as excel_cells

CHUNK = 64  # the writer's chunk made small, so that a small table spans several
ROWS = 300
COLUMNS = (
    Column("番号"),
    Column("名前", "wrap"),
    Column("件数", "int"),
    Column("値", "number"),
    Column("率", "percent"),
    Column("メモ", "wrap"),
)


def _table() -> Table:
    """Messy rows: repeated and unique text, long text that wraps onto several lines, numbers,
    Decimals (percent and plain), None, '' and text that needs escaping."""
    rows = []
    for i in range(ROWS):
        note = None if i % 7 else "とても長い説明の文章です。" * (1 + i % 5)
        rows.append(
            (
                f"1-{i}",
                ["市民局", "A&B <課>", "_x0041_ 課", " 前後に空白 "][i % 4],
                i,
                Decimal(i) / 8 if i % 3 else None,
                Decimal(i % 200) if i % 5 else "",
                note,
            )
        )
    return Table("一覧", COLUMNS, rows)


def _write(path: Path, table: Table, streamed: bool, by_cell: bool) -> None:
    with new_workbook(path, constant_memory=streamed) as book:
        styles = workbook._Styles(book)
        sheet: Any = (
            book.add_worksheet(table.name)
            if by_cell
            else book.add_worksheet(table.name, worksheet_class=workbook._TableSheet)
        )
        workbook._write_table(sheet, styles, table, 0)


def _cells(path: Path) -> tuple[list[list[tuple[object, ...]]], dict[int, float | None]]:
    sheet = load_workbook(path)["一覧"]
    cells = [[(c.value, c.number_format, c.style_id) for c in row] for row in sheet.iter_rows()]
    heights = {r: d.height for r, d in sheet.row_dimensions.items() if d.height is not None}
    return cells, heights


@pytest.mark.parametrize("streamed", [False, True])
def test_a_body_written_by_columns_equals_one_written_cell_by_cell(
    tmp_path: Path, streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "_CHUNK", CHUNK)
    table = _table()
    _write(tmp_path / "columns.xlsx", table, streamed, by_cell=False)
    _write(tmp_path / "cells.xlsx", table, streamed, by_cell=True)
    by_columns, heights = _cells(tmp_path / "columns.xlsx")
    by_cells, expected_heights = _cells(tmp_path / "cells.xlsx")
    assert len(by_columns) == ROWS + 1
    assert by_columns == by_cells
    assert heights == expected_heights
    assert len([h for r, h in heights.items() if r > 3 * CHUNK]) > 10  # chunks further down
    assert by_columns[2][1][0] == "A&B <課>"  # escaped in the XML, read back as typed


BIG = 2_500  # rows: three chunks of 1,000 and a part of one
LONG = "長" * (CELL_TEXT_LIMIT + 10)


def _mixed(i: int) -> tuple[object, ...]:
    """A row whose columns each mix kinds, as a listing's columns do: None, '', ints, Decimals,
    floats, bools, repeated and unique text, line breaks, text over a cell's limit."""
    texts = [
        "市民局",
        "A&B <課>",
        "_x0041_ 課",
        " 前後に空白 ",
        "一行目\n二行目\n三行目",
        "=SUM(A1)",
    ]
    mixed: list[object] = [None, "", i, Decimal(i) / 8, f"独自の文 {i}", texts[i % 6]]
    return (
        f"1-{i}",
        mixed[i % 6],
        mixed[(i + 1) % 6] if i % 97 else LONG,
        [Decimal(i % 300) / 3, None, i * 1000, 1.5, float("nan"), True][i % 6],
        [Decimal(i % 200), None, "", Decimal("33.3"), i % 101, "－"][i % 6],
        texts[i % 5] * (1 + i % 4) if i % 3 else None,
    )


def _read_back(value: object, percent: bool) -> object:
    """What Excel shows for a value written into the listing: numbers as numbers (a percent
    column's Decimal a fraction), every other value as its text (cut at a cell's limit)."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return float(value / 100) if percent else float(value)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    text = str(value)
    return (
        text if len(text) <= CELL_TEXT_LIMIT else text[: CELL_TEXT_LIMIT - len(CUT_MARK)] + CUT_MARK
    )


@pytest.mark.parametrize("streamed", [False, True])
def test_every_cell_of_a_long_mixed_listing_reads_back_as_the_row_given(
    tmp_path: Path, streamed: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Against the rows themselves, not the writer's other path: each cell's value as Excel
    reads it (tests/test_workbook_text.py's reader), the percent column's format, a taller row
    wherever a wrapped cell has line breaks."""
    monkeypatch.setattr(workbook, "_CHUNK", 1_000)
    rows = [_mixed(i) for i in range(BIG)]
    path = tmp_path / "listing.xlsx"
    _write(path, Table("一覧", COLUMNS, rows), streamed, by_cell=False)
    header, *body = excel_cells(path)
    assert header == [c.name for c in COLUMNS] and len(body) == BIG
    for i, (row, cells) in enumerate(zip(rows, body, strict=True)):
        assert len(cells) == len(COLUMNS), i
        for c, (value, cell) in enumerate(zip(row, cells, strict=True)):
            expected = _read_back(value, COLUMNS[c].kind == "percent")
            where = (i, c, value if value is not LONG else "LONG")
            if isinstance(expected, int | float):
                assert cell == pytest.approx(expected, rel=1e-12), where
            else:
                assert cell == expected, where
    sheet = load_workbook(path)["一覧"]
    for r, row in enumerate(rows, start=2):
        if isinstance(row[4], Decimal):
            assert sheet.cell(r, 5).number_format == "0.0%", r
        breaks = any(isinstance(row[c], str) and "\n" in row[c] for c in (1, 5))
        height = sheet.row_dimensions[r].height
        assert not breaks or (height is not None and height >= 3 * 13.5), r


def _xml(path: Path) -> tuple[str, list[str], tuple[str, str]]:
    """The sheet's <dimension ref>, its rows' numbers in order, and the shared strings'
    (count, uniqueCount): what Excel and readers in read-only mode take the used range, the
    rows and the string table from."""
    with zipfile.ZipFile(path) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        strings = archive.read("xl/sharedStrings.xml").decode()
    dimension = re.search(r'<dimension ref="([^"]+)"', sheet)
    counts = re.search(r'<sst [^>]*count="(\d+)" uniqueCount="(\d+)"', strings)
    assert dimension is not None and counts is not None
    return dimension.group(1), re.findall(r'<row r="(\d+)"', sheet), (counts[1], counts[2])


@pytest.mark.parametrize("rows", [ROWS, 1])
def test_the_used_range_rows_and_string_count_are_those_written_cell_by_cell(
    tmp_path: Path, rows: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In-memory mode: the <dimension> says exactly the table's extent (A1:F301), each row
    is written once, and the shared strings count every text cell — across chunks."""
    monkeypatch.setattr(workbook, "_CHUNK", CHUNK)
    table = Table("一覧", COLUMNS, _table().rows[:rows])
    _write(tmp_path / "columns.xlsx", table, False, by_cell=False)
    _write(tmp_path / "cells.xlsx", table, False, by_cell=True)
    by_columns = _xml(tmp_path / "columns.xlsx")
    assert by_columns == _xml(tmp_path / "cells.xlsx")
    assert by_columns[0] == f"A1:F{rows + 1}"
    assert by_columns[1] == [str(r) for r in range(1, rows + 2)]


def test_a_body_one_row_past_the_sheets_last_row_is_refused(tmp_path: Path) -> None:
    """The sheet's last row (xlsxwriter's xls_rowmax, made small here) may hold the body's
    last row; one more is a WriteError naming the sheet and the rows, not a file Excel repairs."""
    with new_workbook(tmp_path / "limit.xlsx", constant_memory=False) as book:
        styles = workbook._Styles(book)
        formats = [styles.by_kind[c.kind] for c in COLUMNS]
        fits: Any = book.add_worksheet("入る", worksheet_class=workbook._TableSheet)
        fits.xls_rowmax = 10
        fits.set_body(1, _table().rows[:9], formats, [False] * 6, [])  # 0-based rows 1-9
        over: Any = book.add_worksheet("一覧", worksheet_class=workbook._TableSheet)
        over.xls_rowmax = 10
        with pytest.raises(WriteError, match="一覧: 10 rows do not fit on one sheet"):
            over.set_body(1, _table().rows[:10], formats, [False] * 6, [])  # last row 10
