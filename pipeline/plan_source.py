"""The bundled plan master is kept as CSV text (reviewable in git) and built into .xlsx here."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path

from pipeline import labels as L
from pipeline.text import display_width
from pipeline.xlsx import EXCEL_MAX_ROWS, FONT, STREAM_FROM_ROWS, new_workbook, write_cell

SHEETS = (
    L.MASTER_PLAN_SHEET,
    L.MASTER_TREE_SHEET,
    L.MASTER_PROJECT_SHEET,
    L.MASTER_TARGET_SHEET,
    L.MASTER_SCHEDULE_SHEET,
)
OPTIONAL_SHEETS = (L.MASTER_TARGET_SHEET, L.MASTER_SCHEDULE_SHEET)  # a plan may do without
_TEXT_COLUMNS = {L.NUMBER, L.TREE_CODE, L.TREE_PARENT, L.PROJECT_NODE, L.PROJECT_RELISTED_FROM}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_FIXED_TIME = datetime(2021, 4, 1)  # document properties fixed so that builds are byte-stable


def read_source(folder: Path) -> dict[str, list[list[str]]]:
    """Each sheet's rows (header first) from `<folder>/<sheet>.csv`."""
    sheets: dict[str, list[list[str]]] = {}
    for name in SHEETS:
        path = folder / f"{name}.csv"
        if name in OPTIONAL_SHEETS and not path.exists():
            continue
        with path.open(encoding="utf-8-sig", newline="") as handle:
            sheets[name] = [row for row in csv.reader(handle) if any(cell.strip() for cell in row)]
    return sheets


def cell_value(column: str, text: str) -> str | int | float | None:
    """What a CSV cell becomes in the workbook: numbers as numbers, codes and text as text."""
    if text == "":
        return None
    if column not in _TEXT_COLUMNS and _NUMBER.match(text):
        return int(text) if "." not in text else float(text)
    return text


def build_master(folder: Path, out: Path) -> Path:
    """Write the plan master workbook for the CSV source in `folder`."""
    return write_master(read_source(folder), out)


def _width(rows: list[list[str]], c: int) -> int:
    return min(max(max(display_width(str(r[c])) for r in rows if c < len(r)) + 2, 8), 60)


def write_master(
    sheets: dict[str, list[list[str]]], out: Path, max_rows: int = EXCEL_MAX_ROWS
) -> Path:
    """Write a plan master from rows of text (header first), one list per sheet."""
    out.parent.mkdir(parents=True, exist_ok=True)
    total = sum(len(rows) for rows in sheets.values())
    with new_workbook(out, constant_memory=total >= STREAM_FROM_ROWS) as book:
        book.set_properties({"title": "計画マスタ", "created": _FIXED_TIME})
        header = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_name": FONT}
        )
        body = book.add_format({"font_name": FONT, "valign": "top"})
        for name, rows in sheets.items():
            columns, data = rows[0], rows[1:]
            widths = [_width(rows[:2000], c) for c in range(len(columns))]
            size = (EXCEL_MAX_ROWS if name == L.MASTER_PLAN_SHEET else max_rows) - 1
            for part in range(0, max(len(data), 1), size):
                # a list longer than a sheet continues on 指標(2), … (read back by plan.py)
                title = name if part == 0 else f"{name}({part // size + 1})"
                sheet = book.add_worksheet(title)
                for c, label in enumerate(columns):
                    write_cell(sheet, 0, c, label, header)
                    sheet.set_column(c, c, widths[c], body)
                for r, row in enumerate(data[part : part + size], start=1):
                    for c, text in enumerate(row):
                        write_cell(sheet, r, c, cell_value(columns[c], str(text)))
                sheet.freeze_panes(1, 0)
    return out
