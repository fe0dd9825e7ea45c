"""Fill a template the way a department does (openpyxl, by header label): for the demo and tests."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.text import key

RowKey = tuple[str, str]  # (整理番号, 指標名) as keys


_TIMES = re.compile(rb"(<dcterms:(?:modified|created)[^>]*>)[^<]*(</dcterms:(?:modified|created)>)")


class Formula(str):
    """A value to enter as a formula (plain strings are entered as text)."""


def fill_template(
    template: Path,
    dest: Path,
    values: Mapping[RowKey, Mapping[str, object]],
    writer: str | None = None,
    contact: str | None = None,
    saved_at: datetime | None = None,
) -> Path:
    """Copy `template` to `dest` with `values[(number, target)][label]` typed into its rows.

    記入者 and 連絡先 are filled as a department does: `writer` / `contact` when given ('' leaves
    them blank), else what the file holds, else a sample name and extension."""
    book = load_workbook(template)
    sheet = book[L.PROGRESS_SHEET]
    header_row, columns = _header(sheet)
    for row in range(header_row + 1, sheet.max_row + 1):
        number = sheet.cell(row, columns[L.NUMBER]).value
        name_at = columns.get(L.TARGET_NAME)  # none in a plan graded per project
        target = sheet.cell(row, name_at).value if name_at else None
        typed = values.get((key(number), key(target)))
        for label, value in (typed or {}).items():
            cell = sheet.cell(row, columns[label])
            cell.value = value  # type: ignore[assignment]
            if isinstance(value, str) and not isinstance(value, Formula):
                cell.data_type = "s"  # text stays text, as typed after an apostrophe
    for label, value, sample in ((L.WRITER, writer, "進捗 太郎"), (L.CONTACT, contact, "1234")):
        _fill_labelled(sheet, header_row, label, value, sample)
    dest.parent.mkdir(parents=True, exist_ok=True)
    book.save(dest)
    if saved_at is not None:
        set_saved_time(dest, saved_at)
    return dest


def set_saved_time(path: Path, when: datetime) -> None:
    """Set the workbook's own saved time (docProps/core.xml), as Excel does when it saves.

    openpyxl always stamps 'now' on save, so the zip is rewritten with the wanted time.
    """
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(path) as source:
        parts = [(info, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts:
            if info.filename == "docProps/core.xml":  # created too, so that samples are stable
                data = _TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", data)
            info.date_time = when.timetuple()[:6]
            target.writestr(info, data)


def _header(sheet: object) -> tuple[int, dict[str, int]]:
    for row in sheet.iter_rows(min_row=1, max_row=40):  # type: ignore[attr-defined]
        labels = {key(c.value): c.column for c in row if c.value is not None}
        if key(L.NUMBER) in labels:
            return row[0].row, {
                label: labels[key(label)]
                for label in (*L.TEMPLATE_COLUMNS, L.PARTNERS)
                if key(label) in labels
            }
    raise ValueError("header row not found")


def _fill_labelled(
    sheet: object, header_row: int, label: str, value: str | None, sample: str
) -> None:
    for row in sheet.iter_rows(min_row=1, max_row=header_row - 1):  # type: ignore[attr-defined]
        for cell in row:
            if key(cell.value) == key(label):
                target = sheet.cell(cell.row, cell.column + 1)  # type: ignore[attr-defined]
                target.value = value if value is not None else (target.value or sample)
                return
