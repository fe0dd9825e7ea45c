"""The committee workbook's table cells read back exactly as written, in both of its writing
modes (in memory: texts as shared strings; streaming, for large runs: texts inline): text with
characters XML or Excel escape (& < > _xHHHH_, control characters, leading and trailing space,
line breaks), numbers and Decimals (a percent column's as fractions), empty cells, a text over
Excel's cell limit cut. A department's 取組内容 can hold any of these."""

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

from pipeline.model import Column, Table
from pipeline.report import workbook
from pipeline.report.workbook import RunInfo, write_committee_workbook
from pipeline.xlsx import CELL_TEXT_LIMIT
from tests.checkplan import YEAR, make_plan

COLUMNS = (
    Column("番号", "text"),
    Column("内容", "wrap"),
    Column("件数", "int"),
    Column("値", "number"),
    Column("割合", "percent"),
)
TEXTS = [
    "A&B <c> d>e",
    "_x0041_ は文字どおり",
    "制御\x01文字\x1f",
    " 前に空白",
    "後ろに空白 ",
    "一行目\n二行目",
    "<&>",
    "_x",
    "タブ\tあり",
    "普通の文",
    "仕様&手順",
    "a<b",
    "b>a",
]
ROWS = [
    (f"1-{i}", text, i, Decimal("1234.5") if i % 2 else 7.25, Decimal("33.3"))
    for i, text in enumerate(TEXTS)
]
ROWS += [("空", None, None, None, None), ("空文字", "", 0, Decimal(0), Decimal(0))]
ROWS += [("長文", "長" * (CELL_TEXT_LIMIT + 10), 1, 1, Decimal(100))]


def _write(folder: Path, streaming: bool, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(workbook, "STREAM_FROM_ROWS", 0 if streaming else 10**9)
    plan = make_plan(folder)
    info = RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    return write_committee_workbook(folder / "book.xlsx", info, [Table("検証結果", COLUMNS, ROWS)])


M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


def _text(element: Any) -> str:
    """A string item's text as Excel shows it: its runs joined, each _xHHHH_ read once."""
    joined = "".join(t.text or "" for t in element.iter(f"{M}t"))
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), joined)


def _cells(path: Path) -> list[list[object]]:
    """The first sheet's cell values as Excel reads them, from the XML (openpyxl reads the
    _xHHHH_ escapes of shared and inline strings differently)."""
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            shared = [_text(si) for si in root.iter(f"{M}si")]
        sheet = ElementTree.fromstring(z.read("xl/worksheets/sheet1.xml"))
    # text only in values and strings: Excel refuses a sheet with stray text between elements
    for element in sheet.iter():
        assert not (element.tail or "").strip(), element.tail
        if element.tag in {f"{M}{tag}" for tag in ("worksheet", "sheetData", "row", "c", "is")}:
            assert not (element.text or "").strip(), (element.tag, element.text)
    rows = []
    for row in sheet.iter(f"{M}row"):
        values: list[object] = []
        for cell in row.iter(f"{M}c"):
            kind, value = cell.get("t"), cell.find(f"{M}v")
            if kind == "s":
                values.append(shared[int(value.text)])
            elif kind == "inlineStr":
                values.append(_text(cell.find(f"{M}is")))
            else:
                values.append(None if value is None else float(value.text))
        rows.append(values)
    return rows


@pytest.mark.parametrize("streaming", [False, True])
def test_every_cell_reads_back_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streaming: bool
) -> None:
    path = _write(tmp_path, streaming, monkeypatch)
    header, *body = _cells(path)
    assert header == [c.name for c in COLUMNS]
    assert len(body) == len(ROWS)
    for i, text in enumerate(TEXTS):
        assert body[i][:3] == [f"1-{i}", text, i], (streaming, text)
        assert body[i][3] == (1234.5 if i % 2 else 7.25)
        assert body[i][4] == pytest.approx(0.333)
    assert body[len(TEXTS)] == ["空", None, None, None, None]
    assert body[len(TEXTS) + 1][1:] in ([None, 0, 0, 0], ["", 0, 0, 0])
    long = body[-1][1]
    assert isinstance(long, str) and len(long) <= CELL_TEXT_LIMIT and long.startswith("長長")
    assert body[-1][4] == 1  # 100 % as the fraction 1
    # number formats by kind, the same in both modes
    sheet = load_workbook(path)["検証結果"]
    row = sheet[2]
    assert [row[c].number_format for c in (2, 3, 4)] == ["#,##0", "#,##0.###", "0.0%"]
    assert sheet.cell(len(ROWS) + 1, 5).number_format == "0.0%"  # the last row formatted too


def test_both_modes_write_the_same_cells_and_streaming_writes_text_inline(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory = _write(tmp_path / "memory", False, monkeypatch)
    streamed = _write(tmp_path / "stream", True, monkeypatch)

    def formats(path: Path) -> list[list[object]]:
        sheet = load_workbook(path)["検証結果"]
        return [[c.number_format for c in row] for row in sheet.iter_rows()]

    assert _cells(memory) == _cells(streamed)
    assert formats(memory) == formats(streamed)
    with zipfile.ZipFile(streamed) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in xml and "<t>A&amp;B &lt;c&gt; d&gt;e</t>" in xml
    assert '<t xml:space="preserve"> 前に空白</t>' in xml  # else Excel drops the spaces
    assert '<t xml:space="preserve">後ろに空白 </t>' in xml
    assert "<t>普通の文</t>" in xml
    assert "_x005F_x0041_ は文字どおり" in xml and "制御_x0001_文字_x001F_" in xml
    with zipfile.ZipFile(memory) as z:
        assert 't="inlineStr"' not in z.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_created_is_the_run_time_in_utc_whatever_the_machine_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, zone: str
) -> None:
    """The file's 作成日時 (docProps/core.xml) is UTC as the format asks; a city hall's machine
    runs in Japan time, where a conversion to the machine's zone would show 09:00 for 00:00Z."""
    import time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        path = _write(tmp_path, False, monkeypatch)
    finally:
        monkeypatch.undo()
        time.tzset()
    with zipfile.ZipFile(path) as archive:
        core = archive.read("docProps/core.xml").decode()
    assert (
        '<dcterms:created xsi:type="dcterms:W3CDTF">2025-06-01T00:00:00Z</dcterms:created>' in core
    )
