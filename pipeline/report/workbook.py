"""The committee workbook (集計結果): summary with native 100% stacked bar charts, one sheet per
level, 事業一覧, 提出状況, 検証結果 — print-ready on A4 landscape."""

from __future__ import annotations

import io
import math
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any, TypeVar

from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from pipeline import labels as L
from pipeline import years
from pipeline.model import Plan, Report, Table
from pipeline.report.deflating import DeflatingText, Parts, deflated_parts
from pipeline.text import display_width
from pipeline.xlsx import (
    CELL_TEXT_LIMIT,
    EXCEL_MAX_ROWS,
    FONT,
    HEADER,
    STREAM_FROM_ROWS,
    WriteError,
    cut_text,
    new_workbook,
    write_cell,
)

T = TypeVar("T")
_COLORS = ("#2F5597", "#70AD47", "#ED7D31", "#A5A5A5", "#FFC000", "#5B9BD5")
_NUM_FORMATS = {"int": "#,##0", "percent": "0.0%", "number": "#,##0.###"}
_MAX_WIDTH = {"wrap": 9, "text": 20, "int": 8, "number": 8, "percent": 8}


@dataclass(frozen=True)
class RunInfo:
    """What the workbook says of the run: plan, year, time, files received of expected."""

    plan: Plan
    year: int
    run_at: datetime
    received: int
    expected: int


def workbook_path(out_dir: Path, plan: Plan, year: int) -> Path:
    """Where the committee workbook goes: 集計結果_<plan id>_<year>.xlsx."""
    return out_dir / f"集計結果_{plan.plan_id}_{years.file_label(year)}.xlsx"


def write_run_workbook(
    out_dir: Path, report: Report, tables: Sequence[Table], run_at: datetime
) -> Path:
    """The committee workbook of a run into `out_dir`, its title page from the report."""
    plan, year = report.plan, report.year
    info = RunInfo(plan, year, run_at, report.departments_used, report.departments_expected)
    return write_committee_workbook(workbook_path(out_dir, plan, year), info, tables)


def write_committee_workbook(
    path: Path, info: RunInfo, tables: Sequence[Table], max_rows: int = EXCEL_MAX_ROWS
) -> Path:
    """Every table in one workbook at `path` (written whole or not at all); 事業一覧 continues on
    事業一覧(2), … past `max_rows`."""
    total_rows = sum(len(t.rows) for t in tables)
    streamed = total_rows >= STREAM_FROM_ROWS
    with deflated_parts() as parts, new_workbook(path, constant_memory=streamed) as book:
        book.set_properties(
            {
                "title": f"{info.plan.name} 集計結果 {years.display(info.year)}",
                "created": years.in_japan(info.run_at).astimezone(UTC).replace(tzinfo=None),
            }
        )
        styles = _Styles(book)
        lowest = info.plan.lowest_grade.code
        for table in tables:
            if table.name == L.SUMMARY_SHEET:
                _summary_sheet(book, styles, info, table)
            elif table.name in {L.per_level(label) for label in info.plan.levels}:
                _level_sheet(book, styles, info, table)
            elif table.name in BREAKDOWNS:
                _breakdown_sheet(book, styles, info, table)
            elif table.name == L.TREND_SHEET:
                _trend_sheet(book, styles, info, table)
            elif table.name == L.LISTING_SHEET:
                for part, rows in enumerate(_chunks(table.rows, max_rows - 1)):
                    name = table.name if part == 0 else f"{table.name}({part + 1})"
                    sheet = _plain_sheet(book, styles, Table(name, table.columns, rows))
                    _highlight_lowest(sheet, styles, table, len(rows), lowest)
            else:
                _plain_sheet(book, styles, table)
        for sheet in book.worksheets():  # the table sheets deflated on the second core
            if isinstance(sheet, _TableSheet):
                sheet.parts = parts
    return path


BREAKDOWNS = (L.CATEGORY_BREAKDOWN, L.SCHEDULE_BREAKDOWN, L.ACTOR_BREAKDOWN)
_BREAKDOWN_NOTES = {
    L.CATEGORY_BREAKDOWN: "区分（新規・拡充・継続）ごとの集計。",
    L.SCHEDULE_BREAKDOWN: "今年度の予定（予定シート）ごとの集計。",
    L.ACTOR_BREAKDOWN: "取組主体と役割（◎中心となる主体、○参加・協力）ごとの集計。"
    "一つの事業は印のある主体ごとに数えるため、行の合計は全体の数を超えます。",
}


def _chunks(rows: Sequence[T], size: int) -> list[list[T]]:
    """`rows` in runs of `size` (one empty run for no rows: a sheet is written even so)."""
    return [list(rows[i : i + size]) for i in range(0, len(rows), size)] or [[]]


def _chart_spans(rows: Sequence[int]) -> list[tuple[int, int]]:
    """(first, last) sheet rows of each chart: `rows` in runs of _BARS_PER_CHART bars."""
    return [(run[0], run[-1]) for run in _chunks(rows, _BARS_PER_CHART) if run]


class _Styles:
    def __init__(self, book: Any) -> None:
        base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "top"}
        add = book.add_format
        self.title = add({"font_name": FONT, "bold": True, "font_size": 14})
        self.plain = add({"font_name": FONT, "font_size": 10})
        self.header = add({**base, **HEADER})
        self.by_kind = {
            "text": add(base),
            "wrap": add({**base, "text_wrap": True}),
            **{kind: add({**base, "num_format": f}) for kind, f in _NUM_FORMATS.items()},
        }
        total = {
            "font_name": FONT,
            "font_size": 10,
            "border": 1,
            "bold": True,
            "bg_color": "#F2F2F2",
        }
        self.total_by_kind = {
            kind: add({**total, "num_format": _NUM_FORMATS.get(kind, "General")})
            for kind in self.by_kind
        }  # the 全体 row of a summary table
        self.lowest = add({"bg_color": "#FCE4D6"})


# widest a column may get, by its label (else by its kind): long text wraps instead
_NAME_WIDTH = {  # narrow enough that 事業一覧 prints on A3 (at 82 % or more)
    L.SCOPE: 26,
    L.PROJECT_NAME: 11,
    L.TARGET_NAME: 10,
    L.PROJECT_DEPARTMENT: 8,
    L.NOTE: 8,
    L.WORK_DONE: 16,
    L.ISSUES: 10,
    L.FINDING_MESSAGE: 44,
    L.FINDING_VALUE: 14,
    L.STATUS_FILE: 20,
    L.STATUS_SHA: 12,
    L.OUTLOOK: 8,
}
_LINE_HEIGHT = 13.5  # points per line of 10-point text


def _write_table(
    sheet: Any,
    styles: _Styles,
    table: Table,
    first_row: int,
    first_formats: Sequence[Any] | None = None,
    label: Callable[[tuple[object, ...]], str] | None = None,
) -> list[float]:
    """Header and rows, top to bottom (the workbook streams rows to disk as they complete).
    `first_formats` styles the first data row (the 全体 row); `label` adds a chart label to each
    row in the column after the next. Returns the column widths."""
    for c, column in enumerate(table.columns):
        write_cell(sheet, first_row, c, column.name, styles.header)
    widths = _widths(table)
    for c, width in enumerate(widths):
        sheet.set_column(c, c, width)
    header_lines = max(_lines(column.name, widths[c]) for c, column in enumerate(table.columns))
    if header_lines > 1:
        sheet.set_row(first_row, header_lines * _LINE_HEIGHT + 2)
    formats = [styles.by_kind[column.kind] for column in table.columns]
    percent = [column.kind == "percent" for column in table.columns]
    wrapped = [(c, widths[c]) for c, column in enumerate(table.columns) if column.kind == "wrap"]
    if isinstance(sheet, _TableSheet) and first_formats is None and label is None:
        sheet.set_body(first_row + 1, table.rows, formats, percent, wrapped)
        return widths
    for r, row in enumerate(table.rows, start=first_row + 1):
        lines = _row_lines(row, wrapped)
        if lines > 1:
            sheet.set_row(r, lines * _LINE_HEIGHT + 2)
        shown = first_formats if first_formats and r == first_row + 1 else formats
        for c, value in enumerate(row):
            if isinstance(value, Decimal):
                value = float(value / 100) if percent[c] else float(value)
            write_cell(sheet, r, c, value, shown[c])
        if label is not None:
            write_cell(sheet, r, len(table.columns) + 1, label(row))
    return widths


def _row_lines(row: tuple[object, ...], wrapped: Sequence[tuple[int, float]]) -> int:
    """How many lines the row's tallest wrapped cell takes."""
    lines = 1
    for c, width in wrapped:
        value = row[c]
        if _may_wrap(value, width):
            lines = max(lines, _lines(value, width))
    return lines


def _heights(
    columns: Sequence[Sequence[object]], wrapped: Sequence[tuple[int, float]]
) -> list[str]:
    """Each row's height attribute ('' for one line), from its tallest wrapped cell; a column
    at a time, each distinct value measured once (names and notes repeat)."""
    lines = [1] * (len(columns[0]) if columns else 0)
    for c, width in wrapped:
        known: dict[object, int] = {}
        for i, value in enumerate(columns[c]):
            if value is None:
                continue
            n = known.get(value) if value.__class__ is str else None
            if n is None:
                n = _lines(value, width) if _may_wrap(value, width) else 1
                if value.__class__ is str:
                    known[value] = n
            if n > lines[i]:
                lines[i] = n
    return [_height_attribute(n) for n in lines]


@lru_cache(maxsize=256)
def _height_attribute(lines: int) -> str:
    """A row's height attribute as xlsxwriter spells set_row's (in points, rounded to pixels)."""
    if lines <= 1:
        return ""
    ht = int((lines * _LINE_HEIGHT + 2) * 4.0 / 3.0 + 0.5) * 0.75
    return f' ht="{ht:.16g}" customHeight="1"'


def _column_texts(values: Sequence[object]) -> list[str | None]:
    """_text_of each value of a column, each distinct text worked out once."""
    known: dict[object, str | None] = {}
    texts: list[str | None] = []
    append = texts.append
    for value in values:
        kind = value.__class__
        if kind is str:
            if value in known:
                append(known[value])
            else:
                append(known.setdefault(value, _text_of(value)))
        elif value is None or kind is Decimal or kind is int:
            append(None)  # a number (a Decimal becomes one when written) or empty
        else:
            append(_text_of(value))
    return texts


_PLAIN = frozenset({str, type(None)})  # a column of texts and blanks: each value its own cell
# kinds of value whose cells hold no text but for str (not bool, whose text is 'True', nor
# float: an infinite one's is 'inf')
_COUNTABLE = frozenset({str, type(None), int, Decimal})


def _share_texts(columns: Sequence[Sequence[object]], index: dict[str, int], table: Any) -> int:
    """Add each text of a chunk's cells to the shared strings (`index`: text -> its number, in
    the order write_string would give them: row by row, left to right); the number of text
    cells. A chunk of texts, blanks, ints and Decimals (whose cells hold no text) is taken
    in one pass: its texts counted in the order they first appear row by row."""
    if not all(_COUNTABLE.issuperset(map(type, column)) for column in columns):
        count = 0
        for row in zip(*(_column_texts(column) for column in columns), strict=True):
            for text in row:
                if text is not None:
                    count += 1
                    if text not in index:
                        index[text] = table.unique_count
                        table.unique_count += 1
        return count
    flat = chain.from_iterable(zip(*columns, strict=True))  # row by row
    cells = Counter([v for v in flat if v.__class__ is str])  # in the order first seen
    count = 0
    for value, n in cells.items():
        text = _text_of(value)
        if text is not None:
            count += n
            if text not in index:
                index[text] = table.unique_count
                table.unique_count += 1
    return count


_CHUNK = 4096  # rows turned into columns at a time: little memory beside the table's own rows


def _row_chunks(
    rows: Sequence[tuple[object, ...]],
) -> Iterator[tuple[int, list[tuple[object, ...]]]]:
    """(index of its first row, its columns) for each run of _CHUNK rows."""
    for start in range(0, len(rows), _CHUNK):
        yield start, list(zip(*rows[start : start + _CHUNK], strict=True))


class _TableSheet(Worksheet):  # type: ignore[misc]
    """A worksheet whose table body is written straight from the table's rows as XML when the
    workbook closes, instead of a cell object per cell (xlsxwriter's way, ~10 µs and ~100 bytes
    a cell): the same cells — numbers, text as shared or inline strings, blanks with their
    format — and row heights. Cells above the body (the header) are written the usual way. The
    rows are taken _CHUNK at a time, each chunk a column at a time (each distinct text of a
    column worked out once)."""

    def __init__(self) -> None:
        super().__init__()
        self._body: _Body | None = None
        self._shared: dict[str, int] | None = None  # the shared strings' index, in-memory mode
        self.parts: Parts | None = None  # given: the sheet's XML deflated as it is written

    def _set_xml_writer(self, filename: Any) -> None:
        if self.parts is None or not isinstance(filename, str):
            super()._set_xml_writer(filename)
            return
        me: Any = self
        me.internal_fh = True  # closed (handed to the zip) when the sheet is written
        me.fh = DeflatingText(filename, self.parts)

    def set_body(
        self,
        first_row: int,
        rows: Sequence[tuple[object, ...]],
        formats: list[Any],
        percent: list[bool],
        wrapped: Sequence[tuple[int, float]],
    ) -> None:
        """Rows from `first_row` down, cell c in formats[c]; a percent column's Decimal is
        divided by 100; wrapped: (column, width) of the columns whose text wraps (row heights).
        In-memory mode, the texts go to the workbook's shared strings now (as write_string
        would put them, row by row), before it is closed."""
        if not rows:
            return
        self._body = _Body(first_row, rows, formats, percent, wrapped)
        last_row, last_col = first_row + len(rows) - 1, len(formats) - 1
        if last_row >= self.xls_rowmax:
            raise WriteError(f"{self.name}: {len(rows)} rows do not fit on one sheet")
        me: Any = self  # xlsxwriter's own attributes are untyped
        me.dim_rowmin = 0 if me.dim_rowmin is None else me.dim_rowmin
        me.dim_colmin = 0 if me.dim_colmin is None else me.dim_colmin
        me.dim_rowmax = max(me.dim_rowmax or 0, last_row)
        me.dim_colmax = max(me.dim_colmax or 0, last_col)
        if not me.constant_memory:
            table = me.str_table
            self._shared = index = table.string_table  # text -> index (emptied at close)
            count = 0
            for _, columns in _row_chunks(rows):
                count += _share_texts(columns, index, table)
            table.count += count

    def _write_rows(self) -> None:  # in-memory mode: the rows above the body, then the body
        if self._body is None:
            super()._write_rows()
            return
        me: Any = self
        last = me.dim_rowmax
        me.dim_rowmax = self._body.first_row - 1
        super()._write_rows()
        me.dim_rowmax = last
        self._write_body(self._shared)

    def _write_optimized_sheet_data(self) -> None:  # streaming mode: the same, from its file
        if self._body is None:
            super()._write_optimized_sheet_data()
            return
        me: Any = self
        written, deferred = me.fh, io.StringIO()
        me.fh = deferred  # the base closes sheetData: keep its output and append the body
        super()._write_optimized_sheet_data()
        me.fh = written
        written.write(deferred.getvalue().removesuffix("</sheetData>"))
        self._write_body(None)
        written.write("</sheetData>")

    def _write_body(self, shared: dict[str, int] | None) -> None:
        """The body's rows as XML: texts by their shared-string index (`shared`), or inline
        (streaming mode, as xlsxwriter writes them there). Each cell's XML after its reference
        is made a column at a time; a row is then one str.format."""
        body = self._body
        assert body is not None
        self._body = None  # the rows are no longer needed here
        row = '<row r="{0}"{1}>'
        for c in range(len(body.formats)):
            row += f'<c r="{xl_col_to_name(c)}{{0}}{{{c + 2}}}'
        spell = (row + "</row>").format
        write = vars(self)["fh"].write
        styles = [f' s="{f._get_xf_index()}"' if f is not None else "" for f in body.formats]
        for start, columns in _row_chunks(body.rows):
            cells = [
                _cell_xml(column, style, percent, shared)
                for column, style, percent in zip(columns, styles, body.percent, strict=True)
            ]
            first = body.first_row + 1 + start
            heights = _heights(columns, body.wrapped)
            write(
                "".join(
                    spell(first + i, *parts)
                    for i, parts in enumerate(zip(heights, *cells, strict=True))
                )
            )


@dataclass(frozen=True)
class _Body:
    """A table body waiting for the workbook to close."""

    first_row: int
    rows: Sequence[tuple[object, ...]]
    formats: list[Any]
    percent: list[bool]
    wrapped: Sequence[tuple[int, float]]


def _cell_xml(
    values: Sequence[object], style: str, percent: bool, shared: dict[str, int] | None
) -> list[str]:
    """Each cell of a column after its reference: the style, then the shared string's index,
    the inline string, the number, or nothing (a blank). One pass; each distinct text (and
    each distinct str value) is spelled once."""
    blank = f'"{style}/>'
    by_text: dict[str, str] = {}
    by_value: dict[object, str] = {}  # a str value -> its cell (names and notes repeat)

    def text_cell(text: str) -> str:
        cell = by_text.get(text)
        if cell is None:
            if shared is not None:
                cell = f'"{style} t="s"><v>{shared[text]}</v></c>'
            else:
                cell = f'"{style} t="inlineStr">{_inline(text)}</c>'
            by_text[text] = cell
        return cell

    if _PLAIN.issuperset(map(type, values)):  # texts and blanks: a cell per distinct value
        by_value = {
            v: blank if v is None else _str_cell(v, text_cell, blank) for v in dict.fromkeys(values)
        }
        return list(map(by_value.__getitem__, values))
    out: list[str] = []
    append = out.append
    for value in values:
        kind = value.__class__
        if kind is str:
            cell = by_value.get(value)
            if cell is None:
                text = _text_of(value)
                cell = blank if text is None else text_cell(text)
                by_value[value] = cell
            append(cell)
        elif value is None:
            append(blank)
        elif kind is int:
            append(f'"{style}><v>{value:.16G}</v></c>')
        elif isinstance(value, Decimal):
            number = float(value / 100) if percent else float(value)
            append(f'"{style}><v>{number:.16G}</v></c>')
        else:  # other kinds, as _column_texts and _text_of take them
            text = _text_of(value)
            if text is not None:
                append(text_cell(text))
            elif value == "":
                append(blank)
            else:
                if isinstance(value, Decimal):
                    value = float(value / 100) if percent else float(value)
                append(f'"{style}><v>{value:.16G}</v></c>')
    return out


def _str_cell(value: object, text_cell: Callable[[str], str], blank: str) -> str:
    text = _text_of(value)
    return blank if text is None else text_cell(text)


def _text_of(value: object) -> str | None:
    """The text a cell holds as write_cell writes it (cut to a cell's limit); None for a number
    or an empty cell."""
    if type(value) is str:
        return (value if len(value) <= CELL_TEXT_LIMIT else cut_text(value)[0]) or None
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return None
    if isinstance(value, Decimal):
        return None  # converted to a number before it is written
    return cut_text(str(value))[0]


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPED = re.compile("(_x[0-9a-fA-F]{4}_)")


_PLAIN_TEXT = re.compile("[^&<>_\\x00-\\x1f\\ufffe\\uffff]*")  # no character to escape


def _inline(text: str) -> str:
    """An inline string's <is> element, escaped as xlsxwriter escapes text: _xHHHH_ look-alikes
    and control characters in Excel's _xHHHH_ form, & < > as entities, leading or trailing
    space kept."""
    if _PLAIN_TEXT.fullmatch(text) and not (text[0].isspace() or text[-1].isspace()):
        return f"<is><t>{text}</t></is>"  # most cells: nothing to escape or keep
    if "_x" in text:
        text = _ESCAPED.sub(r"_x005F\1", text)
    if _CONTROL.search(text):
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _widths(table: Table) -> list[float]:
    widths: list[float] = []
    for c, column in enumerate(table.columns):
        sample = table.rows[:2000]
        header = min(display_width(column.name), _HEADER_WIDTH) + 1  # a long heading wraps
        longest = max([header, *(display_width(_shown(r[c])) + 2 for r in sample)])
        cap = _NAME_WIDTH.get(column.name, _MAX_WIDTH[column.kind])
        widths.append(min(max(longest, 6), cap))
    return widths


def _may_wrap(value: object, width: float) -> bool:
    """False when the value fits on one line even if every character is wide (and it has no
    line break)."""
    return value is not None and not (
        isinstance(value, str) and len(value) * 2 <= width - 1.5 and "\n" not in value
    )


def _lines(value: object, width: float) -> int:
    """Lines the value takes in a wrapped cell `width` wide."""
    text = _shown(value)
    if len(text) <= 64:  # names, numbers and short notes repeat from row to row
        return _short_lines(text, width)
    return _text_lines(text, width)


@lru_cache(maxsize=65536)
def _short_lines(text: str, width: float) -> int:
    return _text_lines(text, width)


def _text_lines(text: str, width: float) -> int:
    return sum(
        max(1, math.ceil(display_width(part) / max(width - 1.5, 1))) for part in text.split("\n")
    )


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:,}"
    return str(value)


# Printing. Widths are estimated as LibreOffice lays a sheet out (measured: 7.0 pt per width unit
# and 5 pt per column; Excel's are narrower), so what prints large enough there does in Excel too.
_PAPERS = ((9, 784.0), (8, 1148.0))  # A4, A3 landscape: printable width in points
_MIN_SCALE = 0.82  # fit to the page width only while 10-pt text stays at 8.2 pt or more
_HEADER_WIDTH = 6  # a heading wider than this wraps onto further lines
_CHART_WIDTH = 1000  # pixels (750 pt): within an A4 landscape page at 100 %
_BARS_PER_CHART = 10  # a longer table gets several charts, each on a page of its own
_ROW_PIXELS = 20  # default row height
_PAGE_HEIGHT = 420.0  # points of an A4 landscape page left for rows, less header and footer


def _print_setup(
    sheet: Any, header_row: int, widths: Sequence[float], last_row: int, repeat: bool = True
) -> None:
    """A4 landscape scaled to the page width; a sheet too wide for that at 82 % goes on A3, and
    one too wide even for A3 prints at 82 % with its further columns on the following pages.
    A scale rather than Excel's "fit to width", which ignores the page breaks above charts."""
    needed = sum(7.2 * width + 5 for width in widths)
    sheet.set_landscape()
    paper, usable = next((p for p in _PAPERS if p[1] >= needed * _MIN_SCALE), _PAPERS[-1])
    sheet.set_paper(paper)
    sheet.set_print_scale(max(round(_MIN_SCALE * 100), min(100, math.floor(usable / needed * 100))))
    sheet.print_area(0, 0, last_row, len(widths) - 1)  # not the hidden chart labels
    if repeat:
        sheet.repeat_rows(header_row)
    sheet.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)
    sheet.set_header(f'&L&"{FONT}"&A')
    sheet.set_footer("&C&P / &N ページ")


def _plain_sheet(book: Any, styles: _Styles, table: Table) -> Any:
    sheet = book.add_worksheet(table.name, worksheet_class=_TableSheet)
    widths = _write_table(sheet, styles, table, 0)
    last = max(len(table.rows), 1)
    sheet.autofilter(0, 0, last, len(table.columns) - 1)
    sheet.freeze_panes(1, 0)
    _print_setup(sheet, 0, widths, last)
    return sheet


def _highlight_lowest(sheet: Any, styles: _Styles, table: Table, count: int, lowest: str) -> None:
    if count == 0:
        return
    grade_col = next(i for i, c in enumerate(table.columns) if c.name == L.GRADE)
    letter = xl_col_to_name(grade_col)
    sheet.conditional_format(
        1,
        0,
        count,
        len(table.columns) - 1,
        {
            "type": "formula",
            "criteria": f'=${letter}2="{lowest}"',
            "format": styles.lowest,
        },
    )


_TABLE_TOP = 5  # 0-based row of the summary table's header on 概要 and level sheets


def _summary_sheet(book: Any, styles: _Styles, info: RunInfo, table: Table) -> None:
    sheet = book.add_worksheet(table.name)
    write_cell(sheet, 0, 0, f"{info.plan.name}　進捗状況の集計", styles.title)
    write_cell(sheet, 1, 0, f"年度: {years.display(info.year)}", styles.plain)
    write_cell(sheet, 2, 0, f"集計日時: {years.shown(info.run_at)}", styles.plain)
    write_cell(sheet, 3, 0, f"提出: {info.received} / {info.expected} 課", styles.plain)
    _summary_body(book, sheet, styles, info, table)


def _level_sheet(book: Any, styles: _Styles, info: RunInfo, table: Table) -> None:
    sheet = book.add_worksheet(table.name)
    write_cell(sheet, 0, 0, f"{table.name}の進捗状況　{years.display(info.year)}", styles.title)
    write_cell(sheet, 1, 0, _shares_note(info.plan), styles.plain)
    _summary_body(book, sheet, styles, info, table)


def _shares_note(plan: Plan) -> str:
    if plan.by_project:
        return "割合は評価済みの事業（今年度の予定がある事業）に対する比率。"
    return (
        "割合は評価済みの目標に対する比率。平均達成率は上限で頭打ちした達成率の平均"
        f"（上限 {plan.rate_cap}%）。"
    )


def _breakdown_sheet(book: Any, styles: _Styles, info: RunInfo, table: Table) -> None:
    """区分別, 予定別, 取組主体別: like a level's sheet, without a 全体 row."""
    sheet = book.add_worksheet(table.name)
    write_cell(sheet, 0, 0, f"{table.name}の進捗状況　{years.display(info.year)}", styles.title)
    note = _BREAKDOWN_NOTES.get(table.name, "") + _shares_note(info.plan)
    write_cell(sheet, 1, 0, note, styles.plain)
    _summary_body(book, sheet, styles, info, table, with_total=False)


def _summary_body(
    book: Any, sheet: Any, styles: _Styles, info: RunInfo, table: Table, with_total: bool = True
) -> None:
    total = [styles.total_by_kind[column.kind] for column in table.columns] if with_total else None
    labels = len(table.columns) + 1
    widths = _write_table(sheet, styles, table, _TABLE_TOP, total, _chart_label(table))
    sheet.set_column(labels, labels, 30, None, {"hidden": True})
    if not table.rows:
        _print_setup(sheet, _TABLE_TOP, widths, _TABLE_TOP + 1)
        sheet.freeze_panes(_TABLE_TOP + 1, 1)
        return
    first = _TABLE_TOP + 1
    spans = _chart_spans([first + i for i in range(len(table.rows))])
    title = f"評価区分の割合（{table.name}）"
    charts = [_share_chart(book, info, table, span, labels, title) for span in spans]
    for chart in charts:
        chart.show_hidden_data()
    last = _place_charts(sheet, charts, _TABLE_TOP + len(table.rows) + 2, spans, widths)
    _print_setup(sheet, _TABLE_TOP, widths, last, repeat=_taller_than_page(table, widths))
    sheet.freeze_panes(_TABLE_TOP + 1, 1)


def _place_charts(
    sheet: Any,
    charts: Sequence[Any],
    row: int,
    spans: Sequence[tuple[int, int]],
    widths: Sequence[float],
) -> int:
    """Each chart on a page of its own, below a page break, no wider than the table and short
    enough for the page, so that no chart is split or cut when printed. Returns the last row
    the charts cover."""
    breaks = []
    width = min(_CHART_WIDTH, sum(round(7 * w + 5) for w in widths))  # Excel's pixels
    for chart, (first, last) in zip(charts, spans, strict=True):
        height = 110 + 36 * (last - first + 1)  # pixels: title, legend and a bar per row
        chart.set_size({"width": width, "height": height})
        breaks.append(row)
        sheet.insert_chart(row, 0, chart)
        row += math.ceil(height / _ROW_PIXELS) + 2
    sheet.set_h_pagebreaks(breaks)
    return row


def _taller_than_page(table: Table, widths: Sequence[float]) -> bool:
    """Whether a table with the rows above it may run onto a second A4 landscape page (its
    header is then repeated there, and above the charts)."""
    wrapped = [(c, widths[c]) for c, column in enumerate(table.columns) if column.kind == "wrap"]
    lines = sum(max([_lines(row[c], width) for c, width in wrapped] or [1]) for row in table.rows)
    return (_TABLE_TOP + 3 + lines) * _LINE_HEIGHT > _PAGE_HEIGHT


def _chart_label(table: Table) -> Callable[[tuple[object, ...]], str]:
    """Bar labels that say how much is graded ('全体（評価済 91/94）'), for a hidden column."""
    names = [c.name for c in table.columns]
    counted = L.PROJECTS_EVALUATED if L.PROJECTS_EVALUATED in names else L.TARGETS_SET
    targets_at, ungraded_at = names.index(counted), names.index(L.UNGRADED)
    shown = [i for i in range(targets_at) if names[i] != L.CODE]  # 区分; 取組主体 and 役割

    def label(row: tuple[object, ...]) -> str:
        targets, ungraded = row[targets_at], row[ungraded_at]
        name = " ".join(str(row[i]) for i in shown)
        return f"{name}（評価済 {int(str(targets)) - int(str(ungraded))}/{targets}）"

    return label


def _share_chart(
    book: Any, info: RunInfo, table: Table, rows: tuple[int, int], categories: int, title: str
) -> Any:
    """A native 100% stacked bar chart of grade shares for `rows` of a table's sheet."""
    chart = book.add_chart({"type": "bar", "subtype": "percent_stacked"})
    names = [c.name for c in table.columns]
    first, last = rows
    for i, grade in enumerate(info.plan.grades):
        col = names.index(grade.code + L.SHARE_SUFFIX)
        chart.add_series(
            {
                "name": f"{grade.code}（{grade.label}）",
                "categories": [table.name, first, categories, last, categories],
                "values": [table.name, first, col, last, col],
                "fill": {"color": _COLORS[i % len(_COLORS)]},
                "gap": 60,
                "data_labels": {
                    "value": True,
                    "num_format": "0.0%;;",  # no label on an empty segment
                    "font": {"name": FONT, "size": 10, "color": "white"},
                },
            }
        )
    chart.set_title({"name": title, "name_font": {"name": FONT, "size": 12}})
    chart.set_x_axis({"num_format": "0%", "num_font": {"name": FONT, "size": 10}, "max": 1})
    chart.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 10}})
    chart.set_legend({"position": "bottom", "font": {"name": FONT, "size": 10}})
    return chart


def _trend_sheet(book: Any, styles: _Styles, info: RunInfo, table: Table) -> None:
    """推移: every year on record, grouped by scope, with a chart of the 全体 rows by year."""
    sheet = book.add_worksheet(table.name)
    top = 3
    write_cell(sheet, 0, 0, f"{info.plan.name}　進捗状況の推移", styles.title)
    write_cell(
        sheet,
        1,
        0,
        "各年度の最新の集計を記録から表示。計画マスタ版が現行と異なる年度は、"
        "その年度の計画（目標の数など）で集計。",
        styles.plain,
    )
    widths = _write_table(sheet, styles, table, top)
    names = [c.name for c in table.columns]
    totals = [i for i, row in enumerate(table.rows) if row[names.index(L.SCOPE)] == L.TOTAL]
    spans = _chart_spans([top + 1 + i for i in totals])  # the 全体 rows, one per year
    era = names.index(L.ERA_YEAR)
    title = "評価区分の割合の推移（全体）"
    charts = [_share_chart(book, info, table, span, era, title) for span in spans]
    last = _place_charts(sheet, charts, top + len(table.rows) + 2, spans, widths)
    _print_setup(sheet, top, widths, last, repeat=_taller_than_page(table, widths))
    sheet.freeze_panes(top + 1, 0)
