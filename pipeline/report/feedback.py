"""Feedback for a department: a copy of its own submission with the cells in question
highlighted and commented, plus a 指摘事項 sheet listing every finding with a link to its cell.

The submission itself is never touched: openpyxl reads it (safely: defusedxml is installed) and
the copy is written under a new name. Text is always stored as text, never as a formula.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from pipeline import labels as L
from pipeline import years
from pipeline.model import Finding, SubmittedFile
from pipeline.text import safe_filename_part
from pipeline.xlsx import FONT, atomic_path, cut_text

_FILLS = {
    L.ERROR: PatternFill("solid", fgColor="FFC7CE"),
    L.WARNING: PatternFill("solid", fgColor="FFEB9C"),
    L.INFO: PatternFill("solid", fgColor="DDEBF7"),
}
_HEADER = (
    L.FINDING_SEVERITY,
    L.FINDING_CELL,
    L.NUMBER,
    L.FINDING_RULE,
    L.FINDING_VALUE,
    L.FINDING_MESSAGE,
    L.FINDING_FILE,
)


def feedback_path(out_dir: Path, department: str, year: int) -> Path:
    return (
        out_dir
        / f"{L.FEEDBACK_SHEET}_{safe_filename_part(department)}_{years.file_label(year)}.xlsx"
    )


def set_text(cell: Cell, value: object) -> None:
    """Store a value as literal text (openpyxl would make '=…' a formula)."""
    text, _ = cut_text("" if value is None else str(value))
    cell.value = text
    cell.data_type = "s"


def write_feedback(
    out_dir: Path,
    source: Path,
    file: SubmittedFile,
    department: str,
    year: int,
    findings: Sequence[Finding],
) -> Path:
    book = _copy_of(source, file)
    progress = book[L.PROGRESS_SHEET] if L.PROGRESS_SHEET in book.sheetnames else None
    if progress is not None:
        _mark_cells(progress, findings)
    _findings_sheet(book, findings, has_progress=progress is not None)
    path = feedback_path(out_dir, department, year)
    with atomic_path(path) as temporary:
        book.save(temporary)
    return path


def _copy_of(source: Path, file: SubmittedFile) -> Workbook:
    if file.readable and file.kind in ("xlsx", "xlsm"):
        try:
            return load_workbook(source, keep_vba=False, keep_links=False, rich_text=False)
        except Exception:  # unreadable by openpyxl although calamine could: list findings only
            pass
    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    return book


def _mark_cells(sheet: Worksheet, findings: Sequence[Finding]) -> None:
    by_cell: dict[str, list[Finding]] = {}
    for f in findings:
        if f.sheet == L.PROGRESS_SHEET and f.cell:
            by_cell.setdefault(f.cell, []).append(f)
    for ref, items in by_cell.items():
        cell = sheet[ref]
        worst = min(items, key=lambda f: (L.ERROR, L.WARNING, L.INFO).index(f.severity))
        cell.fill = _FILLS[worst.severity]
        text = "\n".join(f"【{f.severity} {f.rule}】{f.message}" for f in items)
        comment = Comment(text[:30000], "shinchoku")
        comment.width, comment.height = 360, 40 + 18 * len(text) // 20
        cell.comment = comment


def _findings_sheet(book: Workbook, findings: Sequence[Finding], has_progress: bool) -> None:
    sheet = book.create_sheet(L.FEEDBACK_SHEET, 0)
    bold = Font(name=FONT, bold=True)
    for c, label in enumerate(_HEADER, start=1):
        cell = sheet.cell(row=1, column=c)
        set_text(cell, label)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r, f in enumerate(findings, start=2):
        values = (f.severity, f.cell, f.number, f.rule, f.value, f.message, f.file)
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            set_text(cell, value)
            cell.font = Font(name=FONT)
            cell.alignment = Alignment(wrap_text=c in (5, 6), vertical="top")
        if has_progress and f.cell and f.sheet == L.PROGRESS_SHEET:
            link = sheet.cell(row=r, column=2)
            link.hyperlink = f"#'{L.PROGRESS_SHEET}'!{f.cell}"
            link.font = Font(name=FONT, color="0563C1", underline="single")
        sheet.cell(row=r, column=1).fill = _FILLS[f.severity]
    for c, width in enumerate((8, 8, 12, 6, 20, 70, 30), start=1):
        sheet.column_dimensions[chr(64 + c)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:G{max(len(findings) + 1, 2)}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    book.active = 0
