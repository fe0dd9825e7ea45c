"""The committee workbook checked by its content, without LibreOffice: each summary sheet's
native chart is a 100% stacked bar over exactly its table's rows (every 分野, the last one too),
one series per grade from that grade's share column, labelled by scope; shares and averages are
stored as fractions (0.333) with the format 0.0%, counts as #,##0. And `shinchoku run --percent
largest-remainder`, through the command line, gives the largest-remainder figures."""

from __future__ import annotations

import csv
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from defusedxml import ElementTree
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from pipeline import labels as L
from pipeline.cli import main
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan
from tests.runcache import cached

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
YEAR = 2024
# 分野一: A, B, C (33.3 each half-up, 99.9 in all; largest remainder 33.4/33.3/33.3)
# 分野二: A, A; 分野三: B over two 施策, and C. Every 分野 differs, the last one most of all.
GRADED = {
    "1-(1)-1": ("A", 100),
    "1-(1)-2": ("B", 85),
    "1-(1)-3": ("C", 40),
    "2-(1)-1": ("A", 120),
    "2-(1)-2": ("A", 100),
    "3-(1)-1": ("B", 90),
    "3-(2)-1": ("C", 30),
}
TREE = [
    ["1", "分野一", "", "分野"],
    ["1-(1)", "施策一", "1", "施策"],
    ["2", "分野二", "", "分野"],
    ["2-(1)", "施策二", "2", "施策"],
    ["3", "分野三", "", "分野"],
    ["3-(1)", "施策三の一", "3", "施策"],
    ["3-(2)", "施策三の二", "3", "施策"],
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same submissions run through the CLI with each percent method: method -> out dir."""
    tmp = tmp_path_factory.mktemp("committee")
    cached(tmp, Path(__file__).read_text(encoding="utf-8"), _run_both)
    return {method: tmp / method for method in ("half-up", "largest-remainder")}


def _run_both(tmp: Path) -> None:
    sheets = master_sheets(
        tree=TREE,
        projects=[[n, f"事業{n}", n.rsplit("-", 1)[0], "A課", "", "", ""] for n in GRADED],
        targets=[[n, "件数", "件", "増加", "", "100"] for n in GRADED],
        years=[YEAR],
    )
    master, plan = write_plan(sheets, tmp)
    values = {(key(n), key("件数")): complete_row(g, a) for n, (g, a) in GRADED.items()}
    submissions = submit_all(plan, YEAR, tmp, values)
    for method in ("half-up", "largest-remainder"):
        out = tmp / method
        result = CliRunner().invoke(
            main,
            [
                *("run", str(master), str(submissions), "--year", "R6", "--out", str(out)),
                *("--percent", method, "--no-db"),
            ],
        )
        assert result.exit_code == 0, result.output


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _workbook(out: Path) -> Path:
    return next(out.glob("集計結果_*.xlsx"))


def _table(ws) -> tuple[int, dict[str, int]]:  # type: ignore[no-untyped-def]
    """The summary table's header row and its columns by name (the chart labels have none)."""
    header_row = next(r for r in range(1, 20) if ws.cell(r, 1).value == L.SCOPE)
    names = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    return header_row, {str(n): c for n, c in names.items() if n is not None}


def _shares(out: Path, sheet: str) -> dict[str, list[str]]:
    return {r[L.SCOPE]: [r[f"{g}割合"] for g in "ABC"] for r in _csv(out / f"{sheet}.csv")}


def test_cli_percent_methods_give_their_own_figures(runs: dict[str, Path]) -> None:
    half_up = _shares(runs["half-up"], "分野別")
    largest = _shares(runs["largest-remainder"], "分野別")
    assert half_up["分野一"] == ["33.3", "33.3", "33.3"]
    assert largest["分野一"] == ["33.4", "33.3", "33.3"]  # ties to the grade earlier in the plan
    assert half_up["分野三"] == largest["分野三"] == ["0.0", "50.0", "50.0"]
    assert half_up[L.TOTAL] == ["42.9", "28.6", "28.6"]  # 3/7, 2/7, 2/7: 100.1 in all
    assert largest[L.TOTAL] == ["42.8", "28.6", "28.6"]
    for row in largest.values():
        assert sum(Decimal(s) for s in row) == 100


def _charts(path: Path) -> list[ElementTree.Element]:
    with zipfile.ZipFile(path) as archive:
        names = sorted(n for n in archive.namelist() if re.match(r"xl/charts/chart\d+\.xml$", n))
        return [ElementTree.fromstring(archive.read(n)) for n in names]


def _range(formula: str) -> tuple[str, str, int, int]:
    """ "'分野別'!$F$7:$F$10" -> ('分野別', 'F', 7, 10); a one-row range is one cell."""
    match = re.fullmatch(r"'?([^'!]+)'?!\$([A-Z]+)\$(\d+)(?::\$([A-Z]+)\$(\d+))?", formula)
    assert match, formula
    sheet, col, first, col2, last = match.groups()
    assert col == (col2 or col), formula
    return sheet, col, int(first), int(last or first)


@pytest.mark.parametrize("sheet", [L.SUMMARY_SHEET, "分野別", "施策別"])
def test_each_summary_sheet_has_a_percent_stacked_chart_over_all_its_rows(
    runs: dict[str, Path], sheet: str
) -> None:
    path = _workbook(runs["half-up"])
    book = load_workbook(path)
    ws = book[sheet]
    rows = _csv(runs["half-up"] / f"{sheet}.csv")
    header_row, headers = _table(ws)
    first, last = header_row + 1, header_row + len(rows)
    assert [ws.cell(r, 1).value for r in range(first, last + 1)] == [r[L.SCOPE] for r in rows]

    mine = []
    for chart in _charts(path):
        refs = [f.text or "" for f in chart.iter(f"{C}f")]
        if refs and all(_range(f)[0] == sheet for f in refs):
            mine.append(chart)
    assert len(mine) == 1, f"{sheet}: {len(mine)} charts"
    chart = mine[0]
    bar = chart.find(f".//{C}barChart")
    assert bar is not None
    assert bar.find(f"{C}barDir").get("val") == "bar"  # type: ignore[union-attr]
    assert bar.find(f"{C}grouping").get("val") == "percentStacked"  # type: ignore[union-attr]
    series = bar.findall(f"{C}ser")
    assert len(series) == 3
    for grade, ser in zip("ABC", series, strict=True):
        values = ser.find(f"{C}val/{C}numRef/{C}f")
        categories = ser.find(f"{C}cat/{C}strRef/{C}f")
        assert values is not None and categories is not None
        _, v_col, v_first, v_last = _range(values.text or "")
        assert column_index_from_string(v_col) == headers[f"{grade}割合"], grade
        assert (v_first, v_last) == (first, last), f"{sheet} {grade}: rows {v_first}-{v_last}"
        _, c_col, c_first, c_last = _range(categories.text or "")
        assert (c_first, c_last) == (first, last)
        labels = [ws.cell(r, column_index_from_string(c_col)).value for r in range(first, last + 1)]
        for label, row in zip(labels, rows, strict=True):
            graded = int(row[L.TARGETS_SET]) - int(row[L.UNGRADED])
            assert label == f"{row[L.SCOPE]}（評価済 {graded}/{row[L.TARGETS_SET]}）"
        # the cells the series points at hold the published shares, as fractions
        shown = [ws.cell(r, column_index_from_string(v_col)).value for r in range(first, last + 1)]
        published = [Decimal(row[f"{grade}割合"]) / 100 for row in rows]
        assert [Decimal(str(v)) for v in shown] == published


def test_percent_cells_hold_fractions_formatted_as_percent(runs: dict[str, Path]) -> None:
    book = load_workbook(_workbook(runs["half-up"]))
    for sheet in (L.SUMMARY_SHEET, "分野別", "施策別"):
        ws = book[sheet]
        header_row, headers = _table(ws)
        for r in range(header_row + 1, ws.max_row + 1):
            if ws.cell(r, 1).value is None:
                break
            for name, column in headers.items():
                cell = ws.cell(r, column)
                if name.endswith("割合") or name == L.AVERAGE_RATE:
                    assert cell.number_format == "0.0%", (sheet, cell.coordinate)
                    assert cell.value is None or 0 <= cell.value <= 1.5, (sheet, cell.coordinate)
                elif name in (L.TARGETS_SET, L.UNGRADED, "A", "B", "C"):
                    assert cell.number_format == "#,##0", (sheet, cell.coordinate)
                    assert isinstance(cell.value, int)
    summary = book[L.SUMMARY_SHEET]
    header_row, headers = _table(summary)
    total = header_row + 1
    assert summary.cell(total, headers["A割合"]).value == pytest.approx(0.429)
    assert summary.cell(total, headers[L.AVERAGE_RATE]).value == pytest.approx(
        0.779
    )  # (100+85+40+100+100+90+30)/7, 120 capped
    listing = book[L.LISTING_SHEET]
    names = [c.value for c in listing[1]]
    rate = listing.cell(2, names.index(L.RATE) + 1)
    assert (rate.value, rate.number_format) == (pytest.approx(1.0), "0.0%")


def test_styles_part_declares_the_percent_format(runs: dict[str, Path]) -> None:
    with zipfile.ZipFile(_workbook(runs["half-up"])) as archive:
        styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    codes = {f.get("formatCode") for f in styles.iter(f"{main}numFmt")}
    assert "0.0%" in codes
