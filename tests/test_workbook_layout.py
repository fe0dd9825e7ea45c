"""How the committee workbook is laid out, read back from small workbooks written directly
(report/workbook.py `write_committee_workbook`): the fonts, borders and alignment of each kind of
cell; column widths from the text (a cap by column, 2,000 rows sampled); row heights from
wrapped text; paper and print scale from the table's width; the heading repeated when a table
runs past one page; each chart as wide as the table (at most 1,000 px), as tall as its bars,
below a page break of its own. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import re
import zipfile
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from defusedxml import ElementTree
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.demo import bundled_master
from pipeline.model import Column, Plan, Table
from pipeline.plan import read_plan
from pipeline.report.tables import count_columns
from pipeline.report.workbook import RunInfo, write_committee_workbook
from pipeline.xlsx import FONT
from tests.checkplan import YEAR, make_plan

XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
EMU_PER_PIXEL = 9525
ROW_PIXELS = 20  # rows below a table keep the default height


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


def _write(folder: Path, plan: Plan, tables: list[Table]) -> Path:
    info = RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    return write_committee_workbook(folder / "book.xlsx", info, tables)


def _summary_row(scope: str, code: str | None, extra: int = 0) -> tuple[object, ...]:
    """A row of a summary table for the test plan (grades A, B, C): 10 targets, 5/3/2."""
    shares = (Decimal("50.0"), Decimal("30.0"), Decimal("20.0"))
    counts = (10, 5, 5, shares[0], 3, shares[1], 2, shares[2], 0, Decimal("80.0"), 10)
    return (scope, code, *counts, *([7] * extra))


def _summary(plan: Plan, name: str, scopes: list[str], extra: int = 0) -> Table:
    """A summary table (全体 first) of the given scopes; `extra` int columns make it wider."""
    columns = (Column(L.SCOPE, "wrap"), Column(L.CODE), *count_columns(plan))
    columns += tuple(Column(f"予備{i}", "int") for i in range(extra))
    rows = [_summary_row(L.TOTAL, None, extra)]
    rows += [_summary_row(s, str(i), extra) for i, s in enumerate(scopes, 1)]
    return Table(name, columns, rows)


def _widths(ws: Any) -> dict[int, float]:
    """1-based column -> width as set (xlsxwriter adds 0.71 of padding to what it is given;
    columns of one width are stored as one range)."""
    return {
        c: round(d.width - 0.71, 2)
        for d in ws.column_dimensions.values()
        if d.width
        for c in range(d.min, d.max + 1)
    }


def _heights(ws: Any) -> dict[int, float]:
    return {r: d.height for r, d in ws.row_dimensions.items() if d.height is not None}


def _anchors(path: Path, sheet_index: int) -> list[dict[str, int]]:
    """The charts of the sheet (1-based, in workbook order) as drawn: first row (0-based),
    height in pixels, and right edge as (column, pixel offset into it)."""
    with zipfile.ZipFile(path) as archive:
        rels = ElementTree.fromstring(
            archive.read(f"xl/worksheets/_rels/sheet{sheet_index}.xml.rels")
        )
        target = next(r.get("Target") for r in rels.iter(f"{REL}Relationship"))
        drawing = ElementTree.fromstring(archive.read("xl/" + target.removeprefix("../")))
    found = []
    for anchor in drawing.iter(f"{XDR}twoCellAnchor"):
        start, end = anchor.find(f"{XDR}from"), anchor.find(f"{XDR}to")

        def at(node: Any, name: str) -> int:
            return int(node.find(f"{XDR}{name}").text)

        found.append(
            {
                "row": at(start, "row"),
                "height": (at(end, "row") - at(start, "row")) * ROW_PIXELS
                + at(end, "rowOff") // EMU_PER_PIXEL,
                "col": at(start, "col"),
                "to_col": at(end, "col"),
                "to_px": at(end, "colOff") // EMU_PER_PIXEL,
            }
        )
    return found


def _chart_ranges(path: Path) -> list[set[str]]:
    """Each chart's cell ranges (categories and values, without the sheet), in chart order."""
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    with zipfile.ZipFile(path) as archive:
        names = [n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n)]
        names.sort(key=lambda n: int(re.findall(r"\d+", n)[0]))
        charts = [ElementTree.fromstring(archive.read(n)) for n in names]
    return [{(f.text or "").split("!")[1] for f in chart.iter(f"{c}f")} for chart in charts]


def test_charts_take_pages_of_their_own_below_the_table(tmp_path: Path, plan: Plan) -> None:
    """23 rows (全体 + 22 分野): charts of 10, 10 and 3 bars, 110 px of title and legend and
    36 px a bar (470, 470, 218 px), the first two rows below the table (row 31), each next
    one ceil(height / 20 px) + 2 rows further on, a page break above each, the print area down
    to the last chart, as wide as the table (narrower than 1,000 px)."""
    table = _summary(plan, L.SUMMARY_SHEET, [f"分野{i}" for i in range(1, 23)])
    path = _write(tmp_path, plan, [table])
    anchors = _anchors(path, 1)
    assert [(a["row"], a["col"], a["height"]) for a in anchors] == [
        (30, 0, 470),  # 0-based: header at 5, rows 6-28, two rows of space
        (56, 0, 470),  # 30 + 24 + 2
        (82, 0, 218),  # 56 + 24 + 2
    ]
    ws = load_workbook(path)[L.SUMMARY_SHEET]
    assert [b.id for b in ws.row_breaks.brk] == [30, 56, 82]
    assert ws.print_area == f"'{L.SUMMARY_SHEET}'!$A$1:$M$96"  # 82 + 11 + 2 = 95, 0-based
    assert all((a["to_col"], a["to_px"]) == (13, 0) for a in anchors)  # the table's right edge
    spans = [(7, 16), (17, 26), (27, 29)]  # the bar labels (O, hidden) and A/B/C割合 (F, H, J)
    assert _chart_ranges(path) == [{f"${c}${a}:${c}${b}" for c in "OFHJ"} for a, b in spans]
    assert ws.print_title_rows is None  # (5 + 3 + 23) × 13.5 pt = 418.5: one A4 page
    assert ws.freeze_panes == "B7"
    assert ws.column_dimensions["O"].hidden and _widths(ws)[15] == 30


def test_a_wide_table_gets_a_chart_1000_pixels_wide(tmp_path: Path, plan: Plan) -> None:
    table = _summary(plan, "分野別", ["分野一"], extra=20)
    path = _write(tmp_path, plan, [table])
    ws = load_workbook(path)["分野別"]
    widths = _widths(ws)
    pixels = [7 * widths[c] + 5 for c in range(1, 34)]  # the table's 33 columns
    assert sum(pixels) > 1000
    (anchor,) = _anchors(path, 1)
    assert sum(pixels[: anchor["to_col"]]) + anchor["to_px"] == 1000
    assert anchor["height"] == 110 + 36 * 2


def test_the_heading_repeats_when_the_table_runs_past_one_page(tmp_path: Path, plan: Plan) -> None:
    """A page holds 420 pt of rows; the title lines and heading take 8 rows of 13.5 pt: 23
    one-line rows fit (418.5 pt), 24 do not (432 pt), nor 8 rows whose 区分 wraps onto three
    lines (24 lines). The 推移 sheet repeats its own heading row (4)."""
    long_name = "あ" * 30  # 60 wide in a column capped at 26: ceil(60 / 24.5) = 3 lines
    tables = [
        _summary(plan, L.SUMMARY_SHEET, [f"分野{i}" for i in range(1, 23)]),  # 23 rows
        _summary(plan, "分野別", [f"分野{i}" for i in range(1, 24)]),  # 24 rows
        _summary(plan, "施策別", [long_name] * 8),  # 9 rows of 25 lines
        _trend(plan, 30),
    ]
    book = load_workbook(_write(tmp_path, plan, tables))
    assert book[L.SUMMARY_SHEET].print_title_rows is None
    assert book["分野別"].print_title_rows == "$6:$6"
    assert book["施策別"].print_title_rows == "$6:$6"
    assert book[L.TREND_SHEET].print_title_rows == "$4:$4"


def _trend(plan: Plan, rows: int) -> Table:
    """推移 with `rows` rows: 12 years of 全体, then 分野一 by year."""
    columns = (
        Column(L.YEAR),
        Column(L.ERA_YEAR, in_csv=False),
        Column(L.SCOPE, "wrap"),
        Column(L.CODE),
        *count_columns(plan),
        Column(L.MASTER_VERSION, in_csv=False),
    )
    body = []
    for i in range(rows):
        year = 2014 + i % 12
        scope, code = (L.TOTAL, None) if i < 12 else ("分野一", "1")
        body.append((year, f"{year}年度", *_summary_row(scope, code), "0123456789ab"))
    return Table(L.TREND_SHEET, columns, body)


def _breakdown(plan: Plan) -> Table:
    columns = (Column(L.SCOPE, "wrap"), *count_columns(plan))
    rows = [("新規", *_summary_row("", None)[2:]), ("継続", *_summary_row("", None)[2:])]
    return Table(L.CATEGORY_BREAKDOWN, columns, rows)


FINDINGS = Table(
    L.FINDINGS_SHEET,
    (Column("番号"), Column("内容", "wrap"), Column("件数", "int"), Column("率", "percent")),
    [("1-(1)-1", "説明", 3, Decimal("12.5")), ("1-(1)-2", None, 4, Decimal("100"))],
)


def test_every_kind_of_cell_has_its_font_border_and_alignment(tmp_path: Path, plan: Plan) -> None:
    """Titles in 14-pt bold, the lines under them in 10 pt, headings bold on blue, centred and
    wrapped; table cells in 10 pt with a thin border all round, aligned to the top (wrapped
    where the column wraps); the 全体 row bold on grey — all in BIZ UDPゴシック (the workbook's
    default font is Calibri 11)."""
    tables = [
        _summary(plan, L.SUMMARY_SHEET, ["分野一"]),
        _summary(plan, "分野別", ["分野一"]),
        _breakdown(plan),
        _trend(plan, 2),
        FINDINGS,
    ]
    book = load_workbook(_write(tmp_path, plan, tables))

    def font(cell: Any) -> tuple[object, ...]:
        return (cell.font.name, cell.font.sz, bool(cell.font.b))

    def borders(cell: Any) -> set[object]:
        b = cell.border
        return {b.left.style, b.right.style, b.top.style, b.bottom.style}

    lines = {L.SUMMARY_SHEET: 4, "分野別": 2, L.CATEGORY_BREAKDOWN: 2, L.TREND_SHEET: 2}
    for name, count in lines.items():
        ws = book[name]
        assert font(ws["A1"]) == (FONT, 14, True), name
        for r in range(2, count + 1):
            assert ws.cell(r, 1).value and font(ws.cell(r, 1)) == (FONT, 10, False), (name, r)
    for table, header in ((tables[0], 6), (tables[3], 4), (tables[4], 1)):
        name = table.name
        ws = book[name]
        for cell in ws[header]:
            if cell.value is None:
                continue
            assert font(cell) == (FONT, 10, True), (name, cell.coordinate)
            assert cell.fill.fgColor.rgb == "FFDDEBF7" and borders(cell) == {"thin"}
            align = cell.alignment
            assert (align.horizontal, align.vertical, align.wrap_text) == ("center", "center", True)
        body = [c for row in ws.iter_rows(min_row=header + 1) for c in row if c.value is not None]
        body = [c for c in body if c.column <= len(table.columns)]  # not the chart labels
        assert body, name
        for cell in body:
            total = name == L.SUMMARY_SHEET and cell.row == header + 1
            assert font(cell) == (FONT, 10, total), (name, cell.coordinate)
            assert borders(cell) == {"thin"}, (name, cell.coordinate)
            if total:
                assert cell.fill.fgColor.rgb == "FFF2F2F2"
            else:
                assert cell.fill.fill_type is None and cell.alignment.vertical == "top"
    summary, findings = book[L.SUMMARY_SHEET], book[L.FINDINGS_SHEET]
    assert summary["A8"].alignment.wrap_text and not summary["B8"].alignment.wrap_text
    assert findings["B2"].alignment.wrap_text and not findings["A2"].alignment.wrap_text
    assert findings["D2"].number_format == "0.0%" and findings["D2"].value == 0.125
    assert findings["B3"].border.left.style == "thin"  # an empty cell keeps its border


def test_a_plan_graded_per_project_says_so_and_counts_projects(tmp_path: Path) -> None:
    plan = read_plan(bundled_master("ichinoseki2024"))
    assert plan.by_project
    level = L.per_level(plan.levels[0])
    columns = (Column(L.SCOPE, "wrap"), Column(L.CODE), *count_columns(plan))
    counts: list[object] = [4]
    for i in range(len(plan.grades)):
        counts += [1 if i else 2, Decimal("50.0") if i == 0 else Decimal("25.0")]
    table = Table(level, columns, [(L.TOTAL, None, *counts, 1), ("人づくり", "1", *counts, 1)])
    ws = load_workbook(_write(tmp_path, plan, [table]))[level]
    assert ws["A2"].value == "割合は評価済みの事業（今年度の予定がある事業）に対する比率。"
    labels = [ws.cell(r, len(columns) + 2).value for r in (7, 8)]
    assert labels == ["全体（評価済 3/4）", "人づくり（評価済 3/4）"]  # 評価対象事業数 less 未評価


LISTING_COLUMNS = (Column(L.NUMBER), Column(L.GRADE), Column(L.WORK_DONE, "wrap"))


def _listing_sheets(path: Path) -> dict[str, Any]:
    book = load_workbook(path)
    return {ws.title: ws for ws in book if ws.title.startswith(L.LISTING_SHEET)}


def test_the_listing_continues_on_numbered_sheets_each_with_its_heading_and_highlight(
    tmp_path: Path, plan: Plan
) -> None:
    """Five rows with room for two a sheet: 事業一覧, 事業一覧(2), 事業一覧(3) with 2, 2 and 1
    rows, in order, each with the heading, its filter and frozen heading, and the lowest grade
    (C) highlighted over its own rows; an empty listing is one sheet with its heading."""
    rows = [(f"1-(1)-{i}", "ABCCA"[i - 1], f"取組{i}") for i in range(1, 6)]
    info = RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    table = Table(L.LISTING_SHEET, LISTING_COLUMNS, rows)
    path = write_committee_workbook(tmp_path / "split.xlsx", info, [table], max_rows=3)
    sheets = _listing_sheets(path)
    assert list(sheets) == [L.LISTING_SHEET, f"{L.LISTING_SHEET}(2)", f"{L.LISTING_SHEET}(3)"]
    shown = []
    for ws, count in zip(sheets.values(), [2, 2, 1], strict=True):
        values = [tuple(c.value for c in row) for row in ws.iter_rows()]
        assert values[0] == (L.NUMBER, L.GRADE, L.WORK_DONE) and len(values) == count + 1
        shown += values[1:]
        assert ws.auto_filter.ref == f"A1:C{count + 1}" and ws.freeze_panes == "A2"
        rules = [(str(f.sqref), r.formula) for f in ws.conditional_formatting for r in f.rules]
        assert rules == [(f"A2:C{count + 1}", ['$B2="C"'])], ws.title
    assert shown == rows  # nothing lost or doubled
    empty = Table(L.LISTING_SHEET, LISTING_COLUMNS, [])
    (ws,) = _listing_sheets(write_committee_workbook(tmp_path / "e.xlsx", info, [empty])).values()
    assert [c.value for c in ws[1]] == [L.NUMBER, L.GRADE, L.WORK_DONE] and ws.max_row == 1
    assert not list(ws.conditional_formatting) and ws.auto_filter.ref == "A1:C2"


def _columns_of_width_20(count: int) -> Table:
    """`count` text columns each 20 wide (a text column's cap): 7.2 × 20 + 5 = 149 pt each
    as LibreOffice lays them out."""
    columns = tuple(Column(f"列{i}") for i in range(count))
    return Table(f"幅{count}", columns, [("あ" * 20,) * count] * 2)


@pytest.mark.parametrize(
    ("count", "paper", "scale"),
    [
        (5, 9, None),  # 745 pt: A4 (784 pt across) at 100 %
        (6, 9, 87),  # 894 pt: A4 at 784 / 894 = 87 % (82 % or more)
        (7, 8, None),  # 1043 pt: A4 would need 75 %; A3 (1148 pt) at 100 %
        (8, 8, 96),  # 1192 pt: A3 at 96 %
        (9, 8, 85),  # 1341 pt: A3 at 85 %
        (10, 8, 82),  # 1490 pt: too wide even for A3 at 82 %: A3 at 82 %, more pages across
    ],
)
def test_paper_and_scale_follow_the_table_width(
    tmp_path: Path, plan: Plan, count: int, paper: int, scale: int | None
) -> None:
    table = _columns_of_width_20(count)
    ws = load_workbook(_write(tmp_path, plan, [table]))[table.name]
    assert set(_widths(ws).values()) == {20}
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.scale) == ("landscape", paper, scale)
    last = chr(ord("A") + count - 1)
    assert ws.print_area == f"'{table.name}'!$A$1:${last}$3"
    assert ws.print_title_rows == "$1:$1"


def test_columns_fit_their_text_up_to_a_cap(tmp_path: Path, plan: Plan) -> None:
    """Widest display text + 2 (a full-width character counts 2), at least 6; a heading counts
    up to 6 + 1 (a longer one wraps); capped by the column's name or kind; numbers measured as
    shown (12,345); the first 2,000 rows are measured, not the rest."""
    columns = (
        Column("番号"),  # '1-(1)-1': 7 + 2 = 9
        Column("とても長い見出しの列"),  # the heading: 6 + 1 = 7 over 'a' (3)
        Column("件数", "int"),  # '5' (3), the heading 4 + 1 = 5: at least 6
        Column("値", "number"),  # '12,345': 6 + 2 = 8 (the number cap)
        Column(L.FINDING_MESSAGE),  # 62 wide: capped at 44 by its name
        Column("メモ", "wrap"),  # 'あいう': 6 + 2 = 8
        Column("率", "percent"),  # '100.0': 5 + 2 = 7
        Column(L.STATUS_FILE),  # 27: capped at 20 by its name
        Column("長文", "wrap"),  # 'あ' × 20: capped at 9 (wrapped text)
    )
    first: tuple[object, ...] = (
        "1-(1)-1",
        "a",
        5,
        Decimal("12345"),
        "あ" * 31,
        "あいう",
        Decimal("100.0"),
    )
    first += ("x" * 25, "あ" * 20)
    rows = [first, *[("1-(1)-1", *([None] * 8)) for _ in range(1999)]]
    rows.append(("1-(1)-1000000000", *([None] * 8)))  # row 2,001: not measured
    table = Table("幅", columns, rows)
    with zipfile.ZipFile(_write(tmp_path, plan, [table])) as archive:  # 2,001 rows: not read
        sheet = ElementTree.fromstring(archive.read("xl/worksheets/sheet1.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    widths = {
        c: round(float(col.get("width")) - 0.71, 2)
        for col in sheet.iter(f"{main}col")
        for c in range(int(col.get("min")), int(col.get("max")) + 1)
    }
    assert widths == dict(enumerate([9, 7, 6, 8, 44, 8, 7, 20, 9], start=1))


def test_rows_grow_by_the_lines_their_wrapped_text_takes(tmp_path: Path, plan: Plan) -> None:
    """13.5 pt a line + 2, rounded to whole pixels (0.75 pt): 2 lines 29.25, 3 lines 42.75.
    A column 9 wide holds 7.5 display units a line (full-width characters count 2); each line
    break starts a line, an empty line counts; one-line rows keep the default height. The same
    in the table writer of plain sheets and of summary sheets."""
    columns = (Column("番号"), Column("メモ", "wrap"), Column("とても長い見出しの列"))
    texts = {
        2: ("あ" * 8, 42.75),  # 16 / 7.5: 3 lines
        3: ("ab", None),
        4: ("あいう\nえ", 29.25),  # 2 lines
        5: ("あ\n\nい", 42.75),  # 3 lines
        6: ("あ" * 70, 258.75),  # 140 / 7.5: 19 lines: 258.5 pt, 344.7 px -> 345 px
        7: (None, None),
        8: ("あ" * 8, 42.75),  # the same text again
        9: ("あいうえ", 29.25),  # 8 / 7.5: just over one line
        10: ("あいう", None),  # 6: one line
        11: ("あ\nい", 29.25),  # short, but on two lines: its line break
        12: ("ab cd", None),  # 5 of 7.5: one line (a space is no line break)
    }
    rows = [(str(r), text, "a") for r, (text, _) in texts.items()]
    expected = {r: h for r, (_, h) in texts.items() if h is not None}
    # the heading of 20 in a column 7 wide: 20 / 5.5 -> 4 lines, 56 pt -> 75 px = 56.25 pt
    expected[1] = 56.25
    summary = _summary(plan, L.SUMMARY_SHEET, ["あ" * 30, "分野二", "分野\n三"])  # 3, 1, 2 lines
    book = load_workbook(_write(tmp_path, plan, [Table("高さ", columns, rows), summary]))
    assert _heights(book["高さ"]) == expected
    assert _widths(book["高さ"])[2] == 9
    heights = _heights(book[L.SUMMARY_SHEET])
    assert heights == {6: 42.75, 8: 42.75, 10: 29.25}  # heading: 目標設定事業数 (14 / 5.5)
    assert _widths(book[L.SUMMARY_SHEET])[1] == 26  # 区分's cap


def test_charts_show_their_hidden_labels_and_write_in_the_house_font(
    tmp_path: Path, plan: Plan
) -> None:
    """The bar labels live in a hidden column: the chart must plot hidden cells (no
    plotVisOnly), or Excel leaves the bars unlabelled. Title 12 pt, axes, legend and the white
    value labels on the bars 10 pt, all in BIZ UDPゴシック; bars 60 % apart."""
    path = _write(tmp_path, plan, [_summary(plan, L.SUMMARY_SHEET, ["分野一"])])
    c = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
    a = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
    with zipfile.ZipFile(path) as archive:
        chart = ElementTree.fromstring(archive.read("xl/charts/chart1.xml"))
    visible_only = chart.find(f".//{c}plotVisOnly")
    assert visible_only is None or visible_only.get("val") in ("0", "false")
    assert chart.find(f".//{c}gapWidth").get("val") == "60"

    def fonts(node: Any) -> list[tuple[object, ...]]:
        found = []
        for run in node.iter(f"{a}defRPr"):
            fill = run.find(f"{a}solidFill/{a}srgbClr")
            latin = run.find(f"{a}latin")
            typeface = None if latin is None else latin.get("typeface")
            found.append((run.get("sz"), typeface, None if fill is None else fill.get("val")))
        return found

    assert fonts(chart.find(f".//{c}title")) == [("1200", FONT, None)]
    for axis in ("catAx", "valAx", "legend"):
        assert fonts(chart.find(f".//{c}{axis}")) == [("1000", FONT, None)], axis
    labels = chart.findall(f".//{c}ser/{c}dLbls")
    assert len(labels) == 3
    for label in labels:
        assert fonts(label) == [("1000", FONT, "FFFFFF")]
        assert label.find(f"{c}showVal").get("val") == "1"


def test_an_empty_summary_table_prints_its_heading_without_a_chart(
    tmp_path: Path, plan: Plan
) -> None:
    """A level or breakdown with no rows (a 予定別 of a plan without 予定 entries this year): the
    title and heading, no chart, printed from A1 to the row under the heading, heading
    repeated and frozen."""
    empty = Table("分野別", _summary(plan, "分野別", []).columns, [])
    path = _write(tmp_path, plan, [empty])
    ws = load_workbook(path)["分野別"]
    assert ws["A1"].value == "分野別の進捗状況　令和7年度（2025年度）"
    assert [c.value for c in ws[6]][:2] == [L.SCOPE, L.CODE] and ws.max_row == 6
    with zipfile.ZipFile(path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/charts/")]
    assert ws.print_area == "'分野別'!$A$1:$M$7"
    assert ws.print_title_rows == "$6:$6" and ws.freeze_panes == "B7"
    assert (ws.page_setup.orientation, ws.page_setup.paperSize) == ("landscape", 9)
    assert not ws.row_breaks.brk


def test_a_heading_row_is_taller_only_when_its_heading_wraps(tmp_path: Path, plan: Plan) -> None:
    """A heading that fits on one line keeps the default height; one that wraps to two or three
    lines (a column 7 wide holds 5.5 units a line) gets 13.5 pt a line + 2, so no line is cut."""
    tables = [
        Table("一行", (Column("番号"), Column("列")), [("1", "a")]),
        Table("二行", (Column("番号"), Column("見出しの列")), [("1", "a")]),  # 10 units
        Table("三行", (Column("番号"), Column("長い見出しの列")), [("1", "a")]),  # 14 units
    ]
    book = load_workbook(_write(tmp_path, plan, tables))
    assert [_heights(book[t.name]) for t in tables] == [{}, {1: 29.25}, {1: 42.75}]


def test_the_actor_chart_labels_say_the_actor_and_its_role(tmp_path: Path) -> None:
    """取組主体別's bars are labelled by both key columns, spaced: '市民等 ◎（評価済 3/4）'."""
    plan = read_plan(bundled_master("ichinoseki2024"))
    columns = (Column(L.ACTOR, "wrap"), Column(L.ROLE, "wrap"), *count_columns(plan))
    counts: list[object] = [4]
    for i in range(len(plan.grades)):
        counts += [1 if i else 2, Decimal("50.0") if i == 0 else Decimal("25.0")]
    rows = [("市民等", "◎", *counts, 1), ("協働体", "○", *counts, 1)]
    ws = load_workbook(_write(tmp_path, plan, [Table(L.ACTOR_BREAKDOWN, columns, rows)]))
    labels = [ws[L.ACTOR_BREAKDOWN].cell(r, len(columns) + 2).value for r in (7, 8)]
    assert labels == ["市民等 ◎（評価済 3/4）", "協働体 ○（評価済 3/4）"]
