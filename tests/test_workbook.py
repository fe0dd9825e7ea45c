"""The committee workbook at scale: 事業一覧 continues on 事業一覧(2), … past the sheet row limit,
and the streaming (flat-memory) mode writes exactly what the in-memory mode writes."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from pipeline import labels as L
from pipeline.batch import run
from pipeline.model import Report
from pipeline.report import workbook
from pipeline.report.tables import committee_tables
from pipeline.report.workbook import RunInfo, write_committee_workbook
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan

PROJECTS = 5


def _submitted(folder: Path) -> tuple[Path, Path]:
    """A plan of PROJECTS projects of A課 and A課's filled workbook: (master, submissions)."""
    numbers = [f"1-(1)-{i}" for i in range(1, PROJECTS + 1)]
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[[n, f"事業{n}", "1-(1)", "A課", "", "", ""] for n in numbers],
        targets=[[n, "件数", "件", "増加", "", "100"] for n in numbers],
        years=[2024],
    )
    master, plan = write_plan(sheets, folder)
    values = {(key(n), key("件数")): complete_row("A", 100 + i) for i, n in enumerate(numbers)}
    return master, submit_all(plan, 2024, folder, values)


def _run(master: Path, submissions: Path, out: Path) -> Report:
    return run(master, submissions, 2024, out, run_at=datetime(2025, 6, 1, 9, 0))


def _values(path: Path) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(path, read_only=True)
    return {ws.title: [tuple(r) for r in ws.iter_rows(values_only=True)] for ws in book}


def test_listing_continues_on_numbered_sheets_past_the_row_limit(tmp_path: Path) -> None:
    outcome = _run(*_submitted(tmp_path), tmp_path / "out")
    checked, figures = outcome, outcome.figures
    assert figures is not None
    tables = committee_tables(checked.plan, figures, checked.file_rows, checked.finding_list, [])
    info = RunInfo(checked.plan, 2024, datetime(2025, 6, 1, 9, 0), 1, 1)
    path = write_committee_workbook(tmp_path / "split.xlsx", info, tables, max_rows=3)
    sheets = _values(path)
    parts = [L.LISTING_SHEET, f"{L.LISTING_SHEET}(2)", f"{L.LISTING_SHEET}(3)"]
    assert [name for name in sheets if name.startswith(L.LISTING_SHEET)] == parts
    header = sheets[parts[0]][0]
    assert all(sheets[name][0] == header for name in parts)  # each part has its header
    assert [len(sheets[name]) - 1 for name in parts] == [2, 2, 1]
    number = header.index(L.NUMBER)
    shown = [row[number] for name in parts for row in sheets[name][1:]]
    with (tmp_path / "out" / f"{L.LISTING_SHEET}.csv").open(encoding="utf-8-sig") as handle:
        assert shown == [r[L.NUMBER] for r in csv.DictReader(handle)]  # nothing lost or doubled
    book = load_workbook(path)  # each part highlights the lowest grade (C) over its own rows
    grade, last = get_column_letter(header.index(L.GRADE) + 1), get_column_letter(len(header))
    for name, count in zip(parts, [2, 2, 1], strict=True):
        rules = [
            (str(f.sqref), rule.formula)
            for f in book[name].conditional_formatting
            for rule in f.rules
        ]
        assert rules == [(f"A2:{last}{count + 1}", [f'${grade}2="C"'])], name


def test_streaming_mode_writes_the_same_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "STREAM_FROM_ROWS", 10**9)
    master, submissions = _submitted(tmp_path)  # one set of files for both runs
    in_memory = _values(_run(master, submissions, tmp_path / "memory").outputs[0])
    monkeypatch.setattr(workbook, "STREAM_FROM_ROWS", 0)
    streamed = _values(_run(master, submissions, tmp_path / "stream").outputs[0])
    assert streamed == in_memory
    assert len(in_memory[L.LISTING_SHEET]) == PROJECTS + 1


def test_print_setup_keeps_text_large_and_charts_on_their_own_pages(demo_workbook: Path) -> None:
    """As set up for printing (tests/test_workbook_render.py measures the printout where LibreOffice
    is installed): landscape at a fixed scale of 82 % or more, never Excel's fit-to-width (which
    ignores page breaks), a page break above every chart, and the hidden chart labels outside
    the print area."""
    book = load_workbook(demo_workbook)
    for sheet in book:
        setup = sheet.page_setup
        assert setup.orientation == "landscape", sheet.title
        assert (
            not sheet.sheet_properties.pageSetUpPr
            or not sheet.sheet_properties.pageSetUpPr.fitToPage
        )
        assert setup.scale is None or int(setup.scale) >= 82, sheet.title
        assert sheet.print_area, sheet.title
    assert book[L.LISTING_SHEET].page_setup.paperSize == 8  # A3: 事業一覧 is wide
    assert book[L.SUMMARY_SHEET].page_setup.paperSize == 9  # A4
    level = book["施策別"]  # 13 施策 + 全体: two charts of at most 10 bars, each after a break
    assert len(level.row_breaks.brk) == 2
    hidden = [k for k, d in level.column_dimensions.items() if d.hidden]
    assert hidden and all(k not in str(level.print_area) for k in hidden)
