"""Feedback for a department: a copy of its own submission with the cells in question
highlighted and commented, plus a 指摘事項 sheet listing every finding with a link to its cell.

The submission itself is never touched: openpyxl reads it (safely: defusedxml is installed) and
the copy is written under a new name. Text is always stored as text, never as a formula.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet
from xlsxwriter.utility import xl_col_to_name

from pipeline import labels as L
from pipeline import years
from pipeline.ingest.cells import column_index
from pipeline.ingest.limits import Limits
from pipeline.ingest.pool import isolated_map
from pipeline.model import Finding, Report, SubmittedFile
from pipeline.text import display_width, key, safe_filename_part
from pipeline.xlsx import FONT, atomic_path, cut_text

_MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"

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


def feedback_path(out_dir: Path, department: str, year: int, part: str | None = None) -> Path:
    """Where `department`'s feedback goes; `part` is its name in file names (Plan.file_part:
    valid on Windows and unique in the plan), else made from the name alone."""
    part = part or safe_filename_part(department)
    return out_dir / f"{L.FEEDBACK_SHEET}_{part}_{years.file_label(year)}.xlsx"


def set_text(cell: Cell, value: object) -> None:
    """Store a value as literal text (openpyxl would make '=…' a formula)."""
    text, _ = cut_text("" if value is None else str(value))
    cell.value = text
    cell.data_type = "s"


def write_all_feedback(report: Report, root: Path, out: Path, limits: Limits) -> list[Path]:
    """One 指摘事項 workbook per department with findings: for its file in use, else for its
    rejected file. A superseded file gets none, nor a file whose only fault is the
    secretariat's wrong --year."""
    by_file: dict[str, list[Finding]] = {}
    for f in report.finding_list:
        by_file.setdefault(f.file, []).append(f)
    chosen: dict[str, tuple[Path, SubmittedFile, list[Finding]]] = {}
    for file_report in report.file_reports:
        file, claimed, status = file_report.file, file_report.claimed, file_report.status
        own = by_file.get(file.path, [])
        if claimed is None or status == L.SUPERSEDED or not own:
            continue
        if report.other_year is not None and all(f.rule == "F08" for f in own):
            continue  # the secretariat's --year was wrong, not the department's file
        if claimed not in chosen or status == L.SUBMITTED:
            chosen[claimed] = (file_report.source or root / file.path, file, own)
    folder = out / L.FEEDBACK_SHEET
    jobs = [
        (folder, source, file, department, report.year, own, report.plan.file_part(department))
        for department, (source, file, own) in chosen.items()
    ]
    # the copy is made from the untrusted file itself: in a worker, under the reading limits
    return list(isolated_map(_write_job, _write_listing_only, jobs, limits))


FeedbackJob = tuple[Path, Path, SubmittedFile, str, int, list[Finding], str]


def _write_job(job: FeedbackJob) -> Path:
    return write_feedback(*job)


def _write_listing_only(job: FeedbackJob, reason: str) -> Path:
    """Where copying the department's own sheet failed: the 指摘事項 sheet alone."""
    out, source, file, department, year, own, part = job
    final = feedback_path(out, department, year, part)
    for leftover in final.parent.glob(f".{final.name}.*.part"):  # of the stopped worker
        leftover.unlink(missing_ok=True)
    return write_feedback(out, source, replace(file, readable=False), department, year, own, part)


def write_feedback(
    out_dir: Path,
    source: Path,
    file: SubmittedFile,
    department: str,
    year: int,
    findings: Sequence[Finding],
    part: str | None = None,
) -> Path:
    """Write `department`'s 指摘事項 workbook: a copy of its file with the cells in
    question marked, and the list of its findings."""
    book = _copy_of(source, file)
    name = next((n for n in book.sheetnames if key(n) == key(L.PROGRESS_SHEET)), None)
    progress = book[name] if name is not None else None
    if progress is not None:
        _mark_cells(progress, findings)
    title = f"指摘事項　{department}　{years.display(year)}"
    _findings_sheet(book, findings, name, title)
    path = feedback_path(out_dir, department, year, part)
    with atomic_path(path) as temporary:
        book.save(temporary)
    return path


def _copy_of(source: Path, file: SubmittedFile) -> Workbook:
    if file.readable and file.kind in ("xlsx", "xlsm"):
        try:
            return load_workbook(
                _transitional(source), keep_vba=False, keep_links=False, rich_text=False
            )
        except Exception:  # unreadable by openpyxl although calamine could: list findings only
            pass
    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    return book


_STRICT = (
    (b"http://purl.oclc.org/ooxml/spreadsheetml/main", _MAIN),
    (b"http://purl.oclc.org/ooxml/officeDocument/relationships", _RELATIONSHIPS),
)


def _transitional(source: Path) -> Path | io.BytesIO:
    """openpyxl reads only transitional Open XML: a Strict file is handed over with the
    transitional namespaces (the same elements, other names)."""
    with zipfile.ZipFile(source) as archive:
        if _STRICT[0][0] not in archive.read(archive.getinfo("xl/workbook.xml")):
            return source
        copy = io.BytesIO()
        with zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
            for info in archive.infolist():
                data = archive.read(info)
                if info.filename.lower().endswith((".xml", ".rels")):
                    for strict, transitional in _STRICT:
                        data = data.replace(strict, transitional)
                out.writestr(info.filename, data)
    return copy


def _anchor(sheet: Worksheet, row: int, column: int) -> Cell:
    """The cell to mark: a merged range is marked at its top-left cell, where its value is."""
    at = (row, column)
    for merged in sheet.merged_cells.ranges:
        if merged.min_row <= at[0] <= merged.max_row and merged.min_col <= at[1] <= merged.max_col:
            row, column = merged.min_row, merged.min_col
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # a merged range's top-left is an ordinary cell
    return cell


def _mark_cells(sheet: Worksheet, findings: Sequence[Finding]) -> None:
    by_cell: dict[tuple[int, str], list[Finding]] = {}
    for f in findings:
        if f.sheet == L.PROGRESS_SHEET and f.row is not None and f.column:
            by_cell.setdefault((f.row, f.column), []).append(f)
    for (row, letter), items in by_cell.items():
        cell = _anchor(sheet, row, column_index(letter) + 1)
        worst = min(items, key=lambda f: (L.ERROR, L.WARNING, L.INFO).index(f.severity))
        cell.fill = _FILLS[worst.severity]
        text = "\n".join(f"【{f.severity} {f.rule}】{f.message}" for f in items)
        comment = Comment(text[:30000], "shinchoku")
        comment.width, comment.height = 360, 40 + 18 * len(text) // 20
        cell.comment = comment


def _findings_sheet(
    book: Workbook, findings: Sequence[Finding], progress: str | None, title: str
) -> None:
    sheet = book.create_sheet(L.FEEDBACK_SHEET, 0)
    counts = {s: sum(1 for f in findings if f.severity == s) for s in (L.ERROR, L.WARNING, L.INFO)}
    heading = (
        (title, Font(name=FONT, bold=True, size=14)),
        ("　".join(f"{s} {n} 件" for s, n in counts.items()), Font(name=FONT, bold=True)),
        (_INSTRUCTION, Font(name=FONT)),
    )
    for r, (text, font) in enumerate(heading, start=1):
        set_text(sheet.cell(row=r, column=1), text)
        sheet.cell(row=r, column=1).font = font
    top = len(heading) + 2
    for c, label in enumerate(_HEADER, start=1):
        cell = sheet.cell(row=top, column=c)
        set_text(cell, label)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for r, f in enumerate(findings, start=top + 1):
        values = (f.severity, f.cell, f.number, f.rule, f.value, f.message, f.file)
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c)
            set_text(cell, value)
            cell.font = Font(name=FONT)
            cell.alignment = Alignment(wrap_text=c in (5, 6, 7), vertical="top")
        if progress and f.cell and f.sheet == L.PROGRESS_SHEET:
            link = sheet.cell(row=r, column=2)
            link.hyperlink = f"#'{progress}'!{f.cell}"
            link.font = Font(name=FONT, color="0563C1", underline="single")
        sheet.cell(row=r, column=1).fill = _FILLS[f.severity]
        lines = max(_lines(f.message, 58), _lines(f.value, 18), _lines(f.file, 28))
        sheet.row_dimensions[r].height = lines * 13.5 + 3
    for c, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[xl_col_to_name(c - 1)].width = width
    sheet.freeze_panes = f"A{top + 1}"
    last = xl_col_to_name(len(_HEADER) - 1)
    sheet.auto_filter.ref = f"A{top}:{last}{max(len(findings) + top, top + 1)}"
    _print_setup(sheet, top)
    book.active = 0


_INSTRUCTION = (
    "エラーの行は集計に含まれていません。「進捗状況」シートの色付きセル（コメントに内容）を修正し、"
    "配布した様式のまま再提出してください。セル欄のリンクで該当セルに移動できます。"
)
_WIDTHS = (8, 8, 12, 6, 20, 60, 30)


def _lines(text: str, width: int) -> int:
    return max(1, -(-display_width(text) // width))


def _print_setup(sheet: Worksheet, header_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.print_title_rows = f"{header_row}:{header_row}"
    footer = sheet.HeaderFooter.oddFooter
    if footer is not None:
        footer.center.text = "&P / &N ページ"
