"""The CSV files beside the committee workbook: UTF-8 with BOM, CRLF, one header row.

Text cells starting with = + - @ tab or CR get a leading ' (OWASP CSV injection guidance);
numbers never do. Empty figures are empty cells. Output is byte-identical for the same inputs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from pipeline.report.tables import Table, plain_number
from pipeline.text import safe_filename_part
from pipeline.xlsx import atomic_path

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object, kind: str) -> str:
    """A value as its CSV text: figures as plain decimals (percent with one decimal), empty for
    none, text guarded against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, Decimal):
        return f"{value:.1f}" if kind == "percent" else plain_number(value)
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def _cells(row: tuple[object, ...], kept: Sequence[tuple[int, str]]) -> list[str]:
    """csv_cell of each kept cell, the common cases (text, none, whole numbers) inline."""
    out = []
    for i, kind in kept:
        value = row[i]
        if type(value) is str:
            out.append("'" + value if value.startswith(_DANGEROUS_START) else value)
        elif value is None:
            out.append("")
        elif type(value) is int:
            out.append(str(value))
        else:
            out.append(csv_cell(value, kind))
    return out


def csv_text(table: Table) -> str:
    """The CSV text of `table` (without the BOM): its header and rows, CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    kept = [(i, c.kind) for i, c in enumerate(table.columns) if c.in_csv]
    writer.writerow([table.columns[i].name for i, _ in kept])
    writer.writerows(_cells(row, kept) for row in table.rows)
    return buffer.getvalue()


def write_csv(table: Table, out_dir: Path) -> Path:
    """The table as `<name>.csv` in `out_dir` (written whole or not at all); its path."""
    path = out_dir / f"{safe_filename_part(table.name)}.csv"  # a level named in the master
    with atomic_path(path) as temporary:
        temporary.write_bytes(("\ufeff" + csv_text(table)).encode("utf-8"))
    return path
