"""The committee workbook's table bodies, written a column and _CHUNK rows at a time
(report/workbook.py `_TableSheet`), hold exactly what writing cell by cell holds: values,
styles and row heights, across chunk boundaries, in both the in-memory and streaming modes."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from pipeline.report import workbook
from pipeline.report.tables import Column, Table
from pipeline.xlsx import new_workbook

CHUNK = 64  # the writer's chunk made small, so that a small table spans several
ROWS = 300


def _table() -> Table:
    """Messy rows: repeated and unique text, long text that wraps onto several lines, numbers,
    Decimals (percent and plain), None, '' and text that needs escaping."""
    columns = (
        Column("番号"),
        Column("名前", "wrap"),
        Column("件数", "int"),
        Column("値", "number"),
        Column("率", "percent"),
        Column("メモ", "wrap"),
    )
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
    return Table("一覧", columns, rows)


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
