"""Every sheet of the committee workbook read back as the committee reads it: the title lines,
each table's cells equal to its CSV (shares as fractions formatted 0.0 %), the 全体 row set off,
frozen headings and filters, the lowest grade highlighted in 事業一覧, and every chart — the
推移 sheet's too, with a history store of two years — over exactly its rows, one series per
grade with its name and colour. Without LibreOffice, from the file's XML."""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, get_column_letter

from pipeline import labels as L
from pipeline.batch import Options, run
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan
from tests.runcache import cached

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
YEARS = (2023, 2024)
# 2 分野 of 6 施策 each (12 施策 + 全体: the 施策別 chart is split 10 + 3); B課 (分野二) does
# not submit in 2024, so 分野二 has no shares that year; 事業 2-(6)-1 is never reported.
TREE = [["1", "分野一", "", "分野"], ["2", "分野二", "", "分野"]]
TREE += [[f"{b}-({i})", f"施策{b}の{i}", str(b), "施策"] for b in (1, 2) for i in range(1, 7)]
NUMBERS = [f"{b}-({i})-1" for b in (1, 2) for i in range(1, 7)]
PROJECTS = [
    [n, f"事業{n}", n[:-2], "A課" if n < "2" else "B課", "新規" if n[2:5] == "(1)" else "", "", ""]
    for n in NUMBERS
]
GRADES = "ABCABCABCAB"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("sheets")
    cached(tmp, Path(__file__).read_text(encoding="utf-8"), _two_years)
    return tmp / "out2024"


def _two_years(tmp: Path) -> None:
    targets = [[n, "件数", "件", "増加", "", "100", "100"] for n in NUMBERS]
    master, plan = write_plan(
        master_sheets(tree=TREE, projects=PROJECTS, targets=targets, years=list(YEARS)), tmp
    )
    store = tmp / "h.sqlite3"
    for year in YEARS:
        values = {
            (key(n), key("件数")): complete_row(GRADES[(i + year) % 11], 60 + 10 * i + year % 2)
            for i, n in enumerate(NUMBERS[:-1])
        }
        submissions = submit_all(plan, year, tmp / str(year), values)
        if year == 2024:
            for path in submissions.glob("*B課*"):
                path.unlink()
        run(
            master,
            submissions,
            year,
            tmp / f"out{year}",
            Options(store=store, workers=1),
            run_at=datetime(2025, 6, 1, 9, 0),
        )


def _book(out: Path) -> Any:
    return load_workbook(out / "集計結果_test-plan_2024年度.xlsx")


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


HEADER_ROW = {L.SUMMARY_SHEET: 6, "分野別": 6, "施策別": 6, "区分別": 6, L.TREND_SHEET: 4}


def test_the_workbook_has_its_sheets_in_order_and_its_title(out: Path) -> None:
    book = _book(out)
    assert book.sheetnames == [
        *(L.SUMMARY_SHEET, "分野別", "施策別", "区分別", L.TREND_SHEET),
        *(L.LISTING_SHEET, L.STATUS_SHEET, L.FINDINGS_SHEET),
    ]
    assert book.properties.title == "テスト計画 集計結果 令和6年度（2024年度）"
    assert book.properties.created == datetime(2025, 6, 1, 0, 0)  # 09:00 in Japan, as UTC


def test_title_lines_say_plan_year_time_and_submissions(out: Path) -> None:
    book = _book(out)
    summary = [book[L.SUMMARY_SHEET].cell(r, 1).value for r in range(1, 5)]
    assert summary == [
        "テスト計画　進捗状況の集計",
        "年度: 令和6年度（2024年度）",
        "集計日時: 2025/06/01 09:00:00",
        "提出: 1 / 2 課",
    ]
    note = (
        "割合は評価済みの目標に対する比率。平均達成率は上限で頭打ちした達成率の平均（上限 100%）。"
    )
    for name in ("分野別", "施策別"):
        ws = book[name]
        assert ws["A1"].value == f"{name}の進捗状況　令和6年度（2024年度）"
        assert ws["A2"].value == note
    breakdown = book["区分別"]
    assert breakdown["A1"].value == "区分別の進捗状況　令和6年度（2024年度）"
    assert breakdown["A2"].value == "区分（新規・拡充・継続）ごとの集計。" + note
    trend = book[L.TREND_SHEET]
    assert trend["A1"].value == "テスト計画　進捗状況の推移"
    assert trend["A2"].value == (
        "各年度の最新の集計を記録から表示。計画マスタ版が現行と異なる年度は、"
        "その年度の計画（目標の数など）で集計。"
    )
    for ws in (book[L.SUMMARY_SHEET], trend):
        assert ws["A1"].font.b and ws["A1"].font.sz == 14


def _as_csv_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.number_format == "0.0%":
        return f"{Decimal(str(value)) * 100:.1f}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.mark.parametrize(
    "sheet",
    [
        *(L.SUMMARY_SHEET, "分野別", "施策別", "区分別", L.TREND_SHEET),
        *(L.LISTING_SHEET, L.STATUS_SHEET, L.FINDINGS_SHEET),
    ],
)
def test_every_table_holds_what_its_csv_holds(out: Path, sheet: str) -> None:
    ws = _book(out)[sheet]
    rows = _csv(out / f"{sheet}.csv")
    top = HEADER_ROW.get(sheet, 1)
    header = {ws.cell(top, c).value: c for c in range(1, ws.max_column + 1)}
    in_csv = set(rows[0])  # the sheet has a few more (和暦, 保存日時, 記入者, …), in between
    assert list(rows[0]) == [n for n in header if n in in_csv]
    assert len(in_csv) >= len([n for n in header if n is not None]) - 2
    for r, row in enumerate(rows, start=top + 1):
        shown = {name: _as_csv_text(ws.cell(r, header[name])) for name in row}
        assert shown == row, f"{sheet} row {r}"
    assert all(ws.cell(top + len(rows) + 1, c).value is None for c in header.values())
    if sheet in HEADER_ROW:  # 3 or 2 value columns per grade, then the hidden chart labels
        assert ws.freeze_panes == (f"B{top + 1}" if sheet != L.TREND_SHEET else "A5")
    else:
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{get_column_letter(len(header))}{max(len(rows), 1) + 1}"


def test_number_formats_by_kind_and_the_total_row_set_off(out: Path) -> None:
    book = _book(out)
    for name in (L.SUMMARY_SHEET, "分野別", "施策別", "区分別"):
        ws = book[name]
        header = {
            ws.cell(6, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(6, c).value
        }
        for column, c in header.items():
            assert ws.cell(6, c).font.b, (name, column)  # the heading
            for r in (7, 8):
                cell = ws.cell(r, c)
                if column.endswith(L.SHARE_SUFFIX) or column == L.AVERAGE_RATE:
                    assert cell.number_format == "0.0%", (name, cell.coordinate)
                elif column in (L.SCOPE, L.CODE):
                    assert cell.number_format == "General", (name, cell.coordinate)
                else:
                    assert cell.number_format == "#,##0", (name, cell.coordinate)
                    assert isinstance(cell.value, int)
                total = r == 7 and name != "区分別"  # a breakdown has no 全体 row
                assert bool(cell.font.b) == total, (name, cell.coordinate)
                fill = cell.fill.fgColor.rgb if cell.fill.fill_type else None
                assert (fill == "FFF2F2F2") == total, (name, cell.coordinate)
                assert cell.border.left.style == "thin"
    listing = book[L.LISTING_SHEET]
    names = {c.value: c.column for c in listing[1]}
    formats = {n: listing.cell(2, c).number_format for n, c in names.items()}
    assert formats[L.TARGET] == formats[L.ACTUAL] == formats[L.PREV_ACTUAL] == "#,##0.###"
    assert formats[L.RATE] == formats[L.PREV_RATE] == "0.0%"
    assert listing.cell(2, names[L.RATE]).value == pytest.approx(0.6)  # 60.0 %
    assert listing.cell(2, names[L.PREV_RATE]).value == pytest.approx(0.61)  # last year: 61
    wrapped = [n for n, c in names.items() if listing.cell(2, c).alignment.wrap_text]
    assert L.WORK_DONE in wrapped and L.NUMBER not in wrapped
    status = book[L.STATUS_SHEET]
    assert status.cell(2, 7).number_format == "#,##0" and status.cell(2, 7).value == 6


def test_the_lowest_grade_is_highlighted_in_the_listing(out: Path) -> None:
    ws = _book(out)[L.LISTING_SHEET]
    names = [c.value for c in ws[1]]
    grade = get_column_letter(names.index(L.GRADE) + 1)
    rules = [(str(r.sqref), rule) for r in ws.conditional_formatting for rule in r.rules]
    assert len(rules) == 1
    sqref, rule = rules[0]
    assert sqref == f"A2:{get_column_letter(len(names))}{len(NUMBERS) + 1}"
    assert rule.type == "expression" and rule.formula == [f'${grade}2="C"']
    assert rule.dxf.fill.bgColor.rgb == "FFFCE4D6"
    for sheet in (L.STATUS_SHEET, L.FINDINGS_SHEET, L.SUMMARY_SHEET):
        assert not list(_book(out)[sheet].conditional_formatting)


def _charts(path: Path) -> dict[str, list[dict[str, Any]]]:
    """sheet -> its charts, each as its title, bars, axes and series (name, colour, ranges)."""
    found: dict[str, list[dict[str, Any]]] = {}
    with zipfile.ZipFile(path) as archive:
        names = sorted(
            (n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)),
            key=lambda n: int(re.findall(r"\d+", n)[0]),
        )
        for name in names:
            chart = ElementTree.fromstring(archive.read(name))
            bar = chart.find(f".//{C}barChart")
            series = []
            for ser in bar.findall(f"{C}ser"):
                fill = ser.find(f"{C}spPr/{A}solidFill/{A}srgbClr")
                series.append(
                    {
                        "name": ser.find(f"{C}tx/{C}v").text,
                        "colour": fill.get("val"),
                        "categories": ser.find(f"{C}cat/{C}strRef/{C}f").text,
                        "values": ser.find(f"{C}val/{C}numRef/{C}f").text,
                        "labels": ser.find(f"{C}dLbls/{C}numFmt").get("formatCode"),
                    }
                )
            sheet = series[0]["values"].split("!")[0].strip("'")
            value_axis = chart.find(f".//{C}valAx")
            found.setdefault(sheet, []).append(
                {
                    "title": "".join(
                        t.text or "" for t in chart.find(f"{C}chart/{C}title").iter(f"{A}t")
                    ),
                    "bars": (
                        bar.find(f"{C}barDir").get("val"),
                        bar.find(f"{C}grouping").get("val"),
                    ),
                    "max": value_axis.find(f"{C}scaling/{C}max").get("val"),
                    "axis_format": value_axis.find(f"{C}numFmt").get("formatCode"),
                    "reversed": chart.find(f".//{C}catAx/{C}scaling/{C}orientation").get("val"),
                    "legend": chart.find(f".//{C}legend/{C}legendPos").get("val"),
                    "series": series,
                }
            )
    return found


def _span(formula: str) -> tuple[str, int, int]:
    match = re.fullmatch(r"'?[^'!]+'?!\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)", formula)
    assert match and match[1] == match[3], formula
    return match[1], int(match[2]), int(match[4])


def test_every_chart_covers_its_rows_with_a_named_coloured_series_per_grade(out: Path) -> None:
    path = out / "集計結果_test-plan_2024年度.xlsx"
    charts = _charts(path)
    book = _book(out)
    assert {s: len(c) for s, c in charts.items()} == {
        L.SUMMARY_SHEET: 1,
        "分野別": 1,
        "施策別": 2,  # 13 rows: 10 bars, then 3
        "区分別": 1,
        L.TREND_SHEET: 1,
    }
    spans = {
        L.SUMMARY_SHEET: [(7, 9)],
        "分野別": [(7, 9)],
        "施策別": [(7, 16), (17, 19)],
        "区分別": [(7, 8)],
        L.TREND_SHEET: [(5, 6)],  # the 全体 rows only, one per year
    }
    for sheet, found in charts.items():
        ws = book[sheet]
        top = HEADER_ROW[sheet]
        header = {ws.cell(top, c).value: get_column_letter(c) for c in range(1, ws.max_column + 1)}
        label_column = "和暦" if sheet == L.TREND_SHEET else None
        for chart, (first, last) in zip(found, spans[sheet], strict=True):
            title = (
                "評価区分の割合の推移（全体）"
                if sheet == L.TREND_SHEET
                else f"評価区分の割合（{sheet}）"
            )
            assert chart["title"] == title
            assert chart["bars"] == ("bar", "percentStacked")
            assert (chart["max"], chart["axis_format"]) == ("1", "0%")
            assert (chart["reversed"], chart["legend"]) == ("maxMin", "b")  # 全体 on top
            names = [s["name"] for s in chart["series"]]
            assert names == ["A（着実に進捗した）", "B（概ね進捗した）", "C（進捗が遅れている）"]
            assert [s["colour"] for s in chart["series"]] == ["2F5597", "70AD47", "ED7D31"]
            for grade, series in zip("ABC", chart["series"], strict=True):
                assert series["labels"] == "0.0%;;"
                assert _span(series["values"]) == (header[f"{grade}割合"], first, last)
                column, c_first, c_last = _span(series["categories"])
                assert (c_first, c_last) == (first, last)
                if label_column:
                    assert column == header[label_column]
                else:  # the hidden column after the next: '分野一（評価済 6/6）'
                    index = column_index_from_string(column)
                    assert index == ws.max_column and ws.column_dimensions[column].hidden
                    for r in range(first, last + 1):
                        targets = ws.cell(r, column_index_from_string(header[L.TARGETS_SET]))
                        ungraded = ws.cell(r, column_index_from_string(header[L.UNGRADED]))
                        scope = ws.cell(r, 1).value
                        graded = targets.value - ungraded.value
                        assert (
                            ws.cell(r, index).value == f"{scope}（評価済 {graded}/{targets.value}）"
                        )


def test_the_trend_sheet_lists_each_year_with_its_era_and_master_version(out: Path) -> None:
    ws = _book(out)[L.TREND_SHEET]
    header = [c.value for c in ws[4]]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5, max_row=10)]
    at = {n: i for i, n in enumerate(header)}
    assert [(r[at[L.YEAR]], r[at[L.ERA_YEAR]], r[at[L.SCOPE]]) for r in rows] == [
        (2023, "令和5年度", L.TOTAL),
        (2024, "令和6年度", L.TOTAL),
        (2023, "令和5年度", "分野一"),
        (2024, "令和6年度", "分野一"),
        (2023, "令和5年度", "分野二"),
        (2024, "令和6年度", "分野二"),
    ]
    assert rows[5][at["A割合"]] is None  # 分野二 in 2024: nothing graded, no share
    assert rows[0][at["A割合"]] == pytest.approx(0.364) and rows[0][at[L.UNGRADED]] == 1
    versions = {r[at[L.MASTER_VERSION]] for r in rows}
    assert len(versions) == 1 and "現行と異なる" not in str(versions)


def test_every_sheet_prints_landscape_with_its_name_page_numbers_and_headings(out: Path) -> None:
    """Paper and scale as set up for printing (the render test measures the printout where
    LibreOffice is installed): A4 unless the sheet is too wide (事業一覧: A3), a fixed scale of
    82 % or more, the heading row repeated on every page of a listing, a page break above each
    chart, the sheet's name at the top left and 'page / pages' at the bottom."""
    book = _book(out)
    setups = {
        ws.title: (
            ws.page_setup.orientation,
            ws.page_setup.paperSize,
            ws.page_setup.scale,
            ws.print_title_rows,
            [b.id for b in ws.row_breaks.brk],
        )
        for ws in book
    }
    assert setups == {
        L.SUMMARY_SHEET: ("landscape", 9, None, None, [10]),
        "分野別": ("landscape", 9, None, None, [10]),
        "施策別": ("landscape", 9, None, None, [20, 46]),  # one chart of 10 bars, one of 3
        "区分別": ("landscape", 9, None, None, [9]),
        L.TREND_SHEET: ("landscape", 9, 84, None, [11]),
        L.LISTING_SHEET: ("landscape", 8, 90, "$1:$1", []),
        L.STATUS_SHEET: ("landscape", 9, 91, "$1:$1", []),
        L.FINDINGS_SHEET: ("landscape", 9, 95, "$1:$1", []),
    }
    for ws in book:
        margins = ws.page_margins
        assert (margins.left, margins.right, margins.top, margins.bottom) == (0.3, 0.3, 0.6, 0.6)
        assert ws.oddHeader.left.text == "&A" and ws.oddHeader.left.font == "BIZ UDPゴシック"
        assert ws.oddFooter.center.text == "&P / &N ページ"
        assert not ws.sheet_properties.pageSetUpPr or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert book["施策別"].print_area == "'施策別'!$A$1:$M$60"  # the charts, not the labels


def test_columns_are_as_wide_as_their_text_allows_and_long_text_wraps(out: Path) -> None:
    """Widths in Excel's units (+0.71 of padding): a column fits its longest value up to a cap
    by its name (メッセージ 44, ファイル 20) or kind; a longer text wraps and its row grows by
    13.5 pt a line; the hidden chart labels are 30 wide."""
    book = _book(out)

    def widths(name: str) -> dict[str, float]:
        dims = book[name].column_dimensions
        return {k: round(d.width - 0.71, 2) for k, d in dims.items() if d.width}

    assert widths(L.SUMMARY_SHEET) == {"A": 8, "B": 7, "E": 6, "K": 7, "O": 30}
    assert widths(L.FINDINGS_SHEET) == {
        **{"A": 20, "B": 10, "C": 6, "D": 9, "E": 6, "F": 7, "G": 6, "H": 44},
    }
    assert widths(L.STATUS_SHEET)["C"] == 20 and widths(L.STATUS_SHEET)["F"] == 12
    listing = book[L.LISTING_SHEET]
    heights = {r: d.height for r, d in listing.row_dimensions.items() if d.height}
    assert heights[1] == 42.75  # a heading of three lines
    assert heights[2] == 69.75  # 目安と2段階以上の差 wraps to five lines in 注記
    assert heights[3] == 29.25  # two lines
    assert book[L.SUMMARY_SHEET].row_dimensions[6].height == 42.75
    assert book[L.SUMMARY_SHEET].column_dimensions["O"].hidden
