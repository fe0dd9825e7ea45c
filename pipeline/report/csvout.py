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

from pipeline.model import Table
from pipeline.report.tables import plain_number
from pipeline.text import safe_filename_part
from pipeline.xlsx import atomic_path

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_TEXTS = frozenset({str, type(None)})


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


def _column(values: Sequence[object], kind: str) -> list[str]:
    """csv_cell of each value of a column; texts and decimals worked out once per distinct
    value (equal Decimals spell alike here: both ways of spelling them normalise)."""
    if _TEXTS.issuperset(map(type, values)):  # texts and blanks: a text per distinct value
        known = {v: "" if v is None else csv_cell(v, kind) for v in dict.fromkeys(values)}
        return list(map(known.__getitem__, values))
    texts: dict[str, str] = {}
    numbers: dict[Decimal, str] = {}
    out: list[str] = []
    append = out.append
    for value in values:
        kind_of = value.__class__
        if kind_of is str:
            text = texts.get(value)  # type: ignore[call-overload]
            if text is None:
                text = texts[value] = csv_cell(value, kind)  # type: ignore[index]
            append(text)
        elif value is None:
            append("")
        elif kind_of is int:
            append(str(value))
        elif kind_of is Decimal:
            text = numbers.get(value)  # type: ignore[call-overload]
            if text is None:
                text = numbers[value] = csv_cell(value, kind)  # type: ignore[index]
            append(text)
        else:
            append(csv_cell(value, kind))
    return out


def csv_text(table: Table) -> str:
    """The CSV text of `table` (without the BOM): its header and rows, CRLF; the cells made a
    column at a time."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    kept = [(i, c.kind) for i, c in enumerate(table.columns) if c.in_csv]
    writer.writerow([table.columns[i].name for i, _ in kept])
    if table.rows:
        columns = list(zip(*table.rows, strict=True))
        writer.writerows(zip(*(_column(columns[i], kind) for i, kind in kept), strict=True))
    return buffer.getvalue()


def csv_path(name: str, out_dir: Path) -> Path:
    """Where write_csv writes the table called `name` (a level named in the master, made safe)."""
    return out_dir / f"{safe_filename_part(name)}.csv"


def write_csv(table: Table, out_dir: Path) -> Path:
    """The table as `<name>.csv` in `out_dir` (written whole or not at all); its path."""
    path = csv_path(table.name, out_dir)
    with atomic_path(path) as temporary:
        temporary.write_bytes(("\ufeff" + csv_text(table)).encode("utf-8"))
    return path
