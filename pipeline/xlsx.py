"""Shared rules for every workbook shinchoku writes with xlsxwriter.

Text is always written as text (never a formula or URL), every write's return code is checked,
text over Excel's cell limit is cut visibly, and files appear under their final name only when
complete (written to a temporary name, then renamed).
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from pipeline.errors import OutputError

CELL_TEXT_LIMIT = 32_767
EXCEL_MAX_ROWS = 1_048_576  # rows on one sheet, the header included
# From this many rows a workbook streams each row to disk as it is complete (flat memory, slower:
# strings are written inline); below it, xlsxwriter's in-memory mode (60,000 rows: twice as fast).
STREAM_FROM_ROWS = 200_000
CUT_MARK = "…（32,767文字を超えたため以下省略）"
FONT = "BIZ UDPゴシック"  # shipped with Windows 10+, designed for public documents
HEADER = {  # a table's header cells, in every workbook shinchoku writes
    "bold": True,
    "bg_color": "#DDEBF7",
    "text_wrap": True,
    "align": "center",
    "valign": "vcenter",
}


class WriteError(OSError):
    """xlsxwriter refused a write (returned a negative code)."""


def cut_text(text: str) -> tuple[str, bool]:
    """Text that fits one cell, and whether it was cut (the cut is marked in the text itself)."""
    if len(text) <= CELL_TEXT_LIMIT:
        return text, False
    return text[: CELL_TEXT_LIMIT - len(CUT_MARK)] + CUT_MARK, True


def write_cell(sheet: Worksheet, row: int, col: int, value: object, fmt: Any = None) -> bool:
    """Write a value: numbers as numbers, everything else as literal text. True if text was cut."""
    was_cut = False
    if type(value) is str and 0 < len(value) <= CELL_TEXT_LIMIT:  # most cells: checked first
        code = sheet.write_string(row, col, value, fmt)
    elif value is None or value == "":
        code = sheet.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        code = sheet.write_number(row, col, value, fmt)
    else:
        text, was_cut = cut_text(str(value))
        code = sheet.write_string(row, col, text, fmt)
    if code < 0:
        raise WriteError(f"xlsxwriter could not write {sheet.name}!R{row + 1}C{col + 1} ({code})")
    return was_cut


@contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """A temporary path beside `final`, renamed onto it only when the block succeeds.

    A `final` that cannot be replaced (on Windows: open in Excel) raises OutputError and leaves
    both the old file and the folder as they were."""
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OutputError.from_os_error(final, error) from None
    temporary = final.with_name(f".{final.name}.{os.getpid()}.part")
    try:
        yield temporary
        try:
            os.replace(temporary, final)
        except OSError as error:
            raise OutputError.from_os_error(final, error) from None
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def new_workbook(final: Path, constant_memory: bool = False) -> Iterator[xlsxwriter.Workbook]:
    """An xlsxwriter workbook with safe options, written atomically to `final`.

    With `constant_memory` each row goes to disk once the next row starts, so memory stays flat
    however long the sheet; rows must then be written top to bottom."""
    with atomic_path(final) as temporary:
        book = xlsxwriter.Workbook(
            str(temporary),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "constant_memory": constant_memory,
            },
        )
        try:
            yield book
        finally:
            book.close()
