"""Plan + year -> one progress workbook (進捗状況シート) per department.

Locked cells hold what the plan says; the department edits only the yellow cells. Sheet protection
has no password: it prevents accidents, not attacks (the pipeline re-checks every locked cell).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_rowcol_to_cell

from pipeline import TEMPLATE_VERSION, years
from pipeline import labels as L
from pipeline.checks.request import plan_for
from pipeline.fingerprint import expected_fingerprint
from pipeline.model import ExpectedRow, PastResult, PastResults, Plan, from_record
from pipeline.outdir import mark_templates, refuse_overwrite
from pipeline.store import Store
from pipeline.text import display_width, safe_filename_part
from pipeline.xlsx import FONT, HEADER, new_workbook, write_cell

HEADER_ROW = 6  # 1-based row of the column labels; data starts below it
WRITER_CELL = "B3"
CONTACT_CELL = "E3"

# column label -> (min width, max width, wrap)
_WIDTHS: dict[str, tuple[int, int, bool]] = {
    L.NUMBER: (10, 14, False),
    L.PROJECT_NAME: (16, 30, True),
    L.TARGET_NAME: (16, 28, True),
    L.UNIT: (5, 8, False),
    L.DIRECTION: (5, 6, False),
    L.BASELINE: (8, 11, False),
    L.TARGET: (8, 11, True),
    L.PREV_ACTUAL: (9, 11, False),
    L.PREV_RATE: (9, 10, False),
    L.ACTUAL: (10, 12, False),
    L.RATE: (7, 8, False),
    L.GRADE: (8, 9, False),
    L.WORK_DONE: (40, 40, True),
    L.ISSUES: (28, 28, True),
    L.OUTLOOK: (13, 13, False),
    L.SCHEDULE: (8, 10, False),
    L.PARTNERS: (24, 24, True),
    L.TARGETS_SHOWN: (16, 28, True),
}
_ACTOR_WIDTH = (6, 10, False)  # an actor's column holds ◎, ○ or nothing


@dataclass(frozen=True)
class Templates:
    """The templates written, and the departments whose file-name part differs from their name."""

    paths: list[Path]
    renamed: dict[str, str]  # department -> its part of the file names, where they differ


def make_templates(master: Path, year: int, out: Path, store: Path | None = None) -> Templates:
    """Templates for every department; with a store, last year's figures beside this year's.

    A file already where a template goes is replaced only when it is a template still as
    shinchoku wrote it (its folder's marker says so); otherwise nothing is written
    (OverwriteError): a department may have filled it in place on a shared drive."""
    plan = plan_for(master, year)
    past = None
    if store is not None and store.exists():
        with Store(store, readonly=True) as history:
            past = history.past_values(plan.plan_id, year - 1) or None
    refuse_overwrite(out, [template_path(out, d, year, plan) for d in plan.departments(year)])
    paths = write_templates(plan, year, out, past)
    mark_templates(out, paths)  # a scan of submissions skips them until they are filled in
    return Templates(paths, plan.renamed_in_file_names())


def template_path(out_dir: Path, department: str, year: int, plan: Plan | None = None) -> Path:
    """Where `department`'s workbook goes; with `plan`, the plan's collision-free name part."""
    part = plan.file_part(department) if plan else safe_filename_part(department)
    return out_dir / f"進捗状況_{part}_{years.file_label(year)}.xlsx"


def write_templates(
    plan: Plan,
    year: int,
    out_dir: Path,
    history: PastResults | None = None,
) -> list[Path]:
    """One workbook per reporting department, in master order."""
    return [write_template(plan, d, year, out_dir, history) for d in plan.departments(year)]


def template_columns(with_history: bool, plan: Plan | None = None) -> tuple[str, ...]:
    """The header labels of a department's template: with a history store, last year's 実績値
    and 達成率 just before this year's 実績値, to be read beside it; a plan graded per project
    has its own layout."""
    if plan is not None and plan.by_project:
        return plan.layout().columns  # no targets: last year's 実績値 and 達成率 do not apply
    if not with_history:
        return L.TEMPLATE_COLUMNS
    at = L.TEMPLATE_COLUMNS.index(L.ACTUAL)
    return (*L.TEMPLATE_COLUMNS[:at], L.PREV_ACTUAL, L.PREV_RATE, *L.TEMPLATE_COLUMNS[at:])


def write_template(
    plan: Plan,
    department: str,
    year: int,
    out_dir: Path,
    history: PastResults | None = None,
) -> Path:
    """The template of one department for `year` in `out_dir`: its rows from the plan, locked
    but for the yellow cells, with drop-downs, formulas and the _meta sheet that identifies it
    when it comes back."""
    rows = plan.expected_rows(department, year)
    columns = template_columns(bool(history), plan)
    path = template_path(out_dir, department, year, plan)
    with new_workbook(path) as book:
        book.set_properties({"title": f"{plan.name} 進捗状況シート", "company": department})
        styles = _Styles(book)
        sheet = book.add_worksheet(L.PROGRESS_SHEET)
        _write_heading(sheet, styles, plan, department, year)
        col = {label: i for i, label in enumerate(columns)}
        for label, i in col.items():
            sheet.write_string(HEADER_ROW - 1, i, label, styles.header)
        for offset, row in enumerate(rows):
            r = HEADER_ROW + offset
            _write_row(sheet, styles, col, r, row, (history or {}).get(row.row_key))
        last = HEADER_ROW + max(len(rows), 1) - 1
        _add_validations(sheet, plan, col, last)
        _layout(sheet, plan, columns, rows, last)
        _write_meta(book, plan, department, year, rows)
    return path


class _Styles:
    def __init__(self, book: Any) -> None:
        base = {"font_name": FONT, "font_size": 10, "valign": "top", "border": 1}
        add = book.add_format
        self.title = add({"font_name": FONT, "bold": True, "font_size": 14})
        self.label = add({"font_name": FONT, "bold": True, "align": "right"})
        self.plain = add({"font_name": FONT})
        self.note = add({"font_name": FONT, "font_size": 9, "font_color": "#404040"})
        self.entry = add({"font_name": FONT, "locked": False, "bg_color": "#FFF2CC", "border": 1})
        self.header = add({**base, **HEADER})
        self.text = add({**base, "bg_color": "#F2F2F2"})
        self.wrap = add({**base, "bg_color": "#F2F2F2", "text_wrap": True})
        self.number = add({**base, "bg_color": "#F2F2F2", "num_format": "#,##0.###;-#,##0.###"})
        self.integer = add({**base, "bg_color": "#F2F2F2", "num_format": "#,##0"})
        self.rate = add({**base, "bg_color": "#F2F2F2", "num_format": "0.0"})
        self.past = add(
            {**base, "bg_color": "#E7E6E6", "font_color": "#595959", "num_format": "#,##0.###"}
        )
        self.edit = add({**base, "locked": False, "bg_color": "#FFF2CC"})
        self.edit_wrap = add({**base, "locked": False, "bg_color": "#FFF2CC", "text_wrap": True})
        self.mark = add({**base, "bg_color": "#F2F2F2", "align": "center"})


def _write_heading(sheet: Any, s: _Styles, plan: Plan, department: str, year: int) -> None:
    grades = "、".join(f"{g.code}＝{g.label}" for g in plan.grades)
    floors = "、".join(
        f"{g.code}: 達成率{g.floor}%以上" for g in plan.grades if g.floor is not None
    )
    write_cell(sheet, 0, 0, f"{plan.name}　進捗状況シート", s.title)
    write_cell(sheet, 1, 0, "年度", s.label)
    write_cell(sheet, 1, 1, years.display(year), s.plain)
    write_cell(sheet, 1, 3, L.PROJECT_DEPARTMENT, s.label)
    write_cell(sheet, 1, 4, department, s.plain)
    write_cell(sheet, 2, 0, L.WRITER, s.label)
    write_cell(sheet, 2, 1, "", s.entry)
    write_cell(sheet, 2, 3, L.CONTACT, s.label)
    write_cell(sheet, 2, 4, "", s.entry)
    how = (
        "黄色のセルに入力してください。今年度の予定に対する取組を自己評価し、"
        "協働の相手には一緒に取り組んだ団体などを記入します。"
        if plan.by_project
        else "黄色のセルに入力してください。実績値は数値のみ（単位・カンマ不要）、未確定は「－」。"
    )
    write_cell(sheet, 3, 0, how + "自己評価・今後の方向性は一覧から選択します。", s.note)
    actors = (
        f"取組主体（{'・'.join(plan.actors)}）: {L.MARK_LEAD}＝中心となる主体、"
        f"{L.MARK_PARTNER}＝参加・協力する主体。"
        if plan.by_project and plan.actors
        else ""
    )
    floors_note = f"目安: {floors}。" if floors and not plan.by_project else ""
    write_cell(sheet, 4, 0, f"自己評価: {grades}。" + floors_note + actors, s.note)


def _write_row(
    sheet: Any, s: _Styles, col: dict[str, int], r: int, row: ExpectedRow, past: PastResult | None
) -> None:
    for label, value in zip(row.locked_labels, row.locked, strict=True):
        if label not in col:
            continue  # a target column, in a workbook of a plan graded per project
        if label in (L.BASELINE, L.TARGET):
            write_cell(sheet, r, col[label], _number(value), _number_style(s, value))
        elif label in (L.PROJECT_NAME, L.TARGET_NAME, L.TARGETS_SHOWN):
            write_cell(sheet, r, col[label], value, s.wrap)
        elif label in (L.NUMBER, L.UNIT, L.DIRECTION, L.SCHEDULE):
            write_cell(sheet, r, col[label], value, s.text)
        else:  # an actor's mark
            write_cell(sheet, r, col[label], value, s.mark)
    if L.PREV_ACTUAL in col:
        write_cell(
            sheet,
            r,
            col[L.PREV_ACTUAL],
            _number(from_record(past.actual)) if past else None,
            s.past,
        )
        write_cell(
            sheet, r, col[L.PREV_RATE], _number(from_record(past.rate)) if past else None, s.past
        )
    for label in (L.ACTUAL, L.GRADE, L.OUTLOOK):
        if label in col:
            write_cell(sheet, r, col[label], None, s.edit)
    for label in (L.WORK_DONE, L.ISSUES, L.PARTNERS):
        if label in col:
            write_cell(sheet, r, col[label], None, s.edit_wrap)
    if L.RATE not in col:
        return
    formula = rate_formula(row, r, col)
    if formula:
        sheet.write_formula(r, col[L.RATE], formula, s.rate, "")
    else:
        write_cell(sheet, r, col[L.RATE], None, s.rate)


def rate_formula(row: ExpectedRow, r: int, col: Mapping[str, int]) -> str | None:
    """Live 達成率 for the department's own check (blank while 実績値 is empty)."""
    if row.direction not in (L.DIRECTION_UP, L.DIRECTION_DOWN) or row.target is None:
        return None
    actual, target, base = (xl_rowcol_to_cell(r, col[x]) for x in (L.ACTUAL, L.TARGET, L.BASELINE))
    if row.direction == L.DIRECTION_UP:
        numerator, denominator = actual, target
    elif row.baseline is not None:
        numerator, denominator = f"({base}-{actual})", f"({base}-{target})"
    else:
        numerator, denominator = target, actual
    return (
        f'=IF(OR({actual}="",NOT(ISNUMBER({actual}))),"",'
        f'IF({denominator}=0,"",ROUND({numerator}/{denominator}*100,1)))'
    )


def _number(value: object) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _number_style(s: _Styles, value: object) -> Any:
    if isinstance(value, Decimal):
        return s.integer if value == value.to_integral_value() else s.number
    return s.wrap


def _add_validations(sheet: Any, plan: Plan, col: dict[str, int], last: int) -> None:
    first = HEADER_ROW
    grade_help = "\n".join(f"{g.code}: {g.label}" for g in plan.grades)
    sheet.data_validation(
        first,
        col[L.GRADE],
        last,
        col[L.GRADE],
        {
            "validate": "list",
            "source": [g.code for g in plan.grades],
            "input_title": L.GRADE,
            "input_message": grade_help[:255],
            "error_title": L.GRADE,
            "error_message": "一覧から選んでください。",
        },
    )
    sheet.data_validation(
        first,
        col[L.OUTLOOK],
        last,
        col[L.OUTLOOK],
        {
            "validate": "list",
            "source": list(L.OUTLOOK_CHOICES),
            "error_title": L.OUTLOOK,
            "error_message": "一覧から選んでください。",
        },
    )
    if L.ACTUAL not in col:
        return
    sheet.data_validation(
        first,
        col[L.ACTUAL],
        last,
        col[L.ACTUAL],
        {
            "validate": "any",
            "input_title": L.ACTUAL,
            "input_message": "数値だけを入力（単位・カンマ不要）。未確定は「－」。",
        },
    )


def _layout(
    sheet: Any, plan: Plan, columns: tuple[str, ...], rows: list[ExpectedRow], last: int
) -> None:
    widths: dict[str, float] = {}
    for i, label in enumerate(columns):
        low, high, _ = _WIDTHS.get(label, _ACTOR_WIDTH)
        longest = max([display_width(label), *(_shown_width(r, label) for r in rows)])
        widths[label] = min(max(longest + 1.5, low), high)
        sheet.set_column(i, i, widths[label])
    for offset, row in enumerate(rows):
        lines = max(
            math.ceil(_shown_width(row, label) / max(widths[label] - 1, 1))
            for label in columns
            if _WIDTHS.get(label, _ACTOR_WIDTH)[2]
        )
        sheet.set_row(HEADER_ROW + offset, max(lines, 2) * 13.5 + 3)  # room to type
    sheet.set_row(HEADER_ROW - 1, 30)
    sheet.freeze_panes(HEADER_ROW, 2 if plan.by_project else 3)
    sheet.autofilter(HEADER_ROW - 1, 0, last, len(columns) - 1)
    sheet.protect(
        "",
        {
            "autofilter": True,
            "format_columns": True,
            "format_rows": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW - 1)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_footer("&C&P / &N ページ")
    sheet.print_area(0, 0, last, len(columns) - 1)
    sheet.activate()


def _shown_width(row: ExpectedRow, label: str) -> int:
    value = {
        L.NUMBER: row.number,
        L.PROJECT_NAME: row.project_name,
        L.TARGET_NAME: row.target_name,
        L.UNIT: row.unit,
        L.DIRECTION: row.direction,
        L.BASELINE: row.baseline,
        L.TARGET: row.target,
        **dict(row.extras),
    }.get(label)
    return display_width(
        "" if value is None else f"{value:,}" if isinstance(value, Decimal) else str(value)
    )


def _write_meta(book: Any, plan: Plan, department: str, year: int, rows: list[ExpectedRow]) -> None:
    meta = book.add_worksheet(L.META_SHEET)
    digest = expected_fingerprint(plan, department, year)
    items = (
        (L.META_PLAN_ID, plan.plan_id),
        (L.META_YEAR, year),
        (L.META_DEPARTMENT, department),
        (L.META_VERSION, TEMPLATE_VERSION),
        (L.META_FINGERPRINT, digest),
    )
    for r, (name, value) in enumerate(items):
        write_cell(meta, r, 0, name)
        write_cell(meta, r, 1, value)
    meta.set_column(0, 0, 14)
    meta.set_column(1, 1, 70)
    meta.protect("")
    meta.hide()
