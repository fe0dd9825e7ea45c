"""提出状況's columns are declared once (model.STATUS_COLUMNS): the workbook sheet, 提出状況.csv
and Report.files read the same declaration, so they cannot drift apart."""

from __future__ import annotations

from dataclasses import fields

from pipeline import labels as L
from pipeline.model import FILE_COLUMNS, STATUS_COLUMNS, FileRow
from pipeline.report.tables import status_table


def test_each_column_shows_a_field_of_the_line_in_its_order() -> None:
    assert [c.field for c in STATUS_COLUMNS] == [f.name for f in fields(FileRow)]


def test_the_sheet_and_the_csv_are_the_declaration() -> None:
    row = FileRow("A課", L.SUBMITTED, "a.xlsx", "2025-05-20T09:00:00Z", "記入 太郎", "0" * 64,
                  3, 2, 1, 1, 0)  # fmt: skip
    table = status_table([row])
    assert [c.name for c in table.columns] == [c.name for c in STATUS_COLUMNS]
    assert tuple(c.name for c in table.columns if c.in_csv) == FILE_COLUMNS
    assert FILE_COLUMNS[:3] == (L.STATUS_DEPARTMENT, L.STATUS, L.STATUS_FILE)
    assert L.STATUS_SAVED not in FILE_COLUMNS and L.WRITER not in FILE_COLUMNS
    assert table.rows == [
        ("A課", L.SUBMITTED, "a.xlsx", "2025/05/20 18:00:00", "記入 太郎", "0" * 64, 3, 2, 1, 1, 0)
    ]
