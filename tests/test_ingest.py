"""Reading submissions: cells a value reader hides (formulas, errors, % formats), and files that
are not what they claim to be — each a finding, never a traceback."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.ingest import Limits, read_submission
from pipeline.model import Plan
from pipeline.normalise import normalise
from pipeline.templates import template_path, write_templates
from schemas.frames import MatchedRows
from tests.builders import master_sheets, write_plan
from tests.stageframes import complete

YEAR = 2025


@pytest.fixture()
def template(tmp_path: Path) -> tuple[Plan, Path]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-(1)-①", "支援事業", "1-(1)", "A課", "", "", ""]],
        targets=[
            ["1-(1)-①", "満足度", "%", "増加", "", "70"],
            ["1-(1)-①", "件数", "件", "増加", "", "100"],
        ],
        years=[YEAR],
    )
    _, plan = write_plan(sheets, tmp_path)
    write_templates(plan, YEAR, tmp_path / "t")
    return plan, template_path(tmp_path / "t", "A課", YEAR)


def _edit(template: Path, dest: Path, cells: dict[str, object], number_format: str = "") -> Path:
    book = load_workbook(template)
    sheet = book[L.PROGRESS_SHEET]
    for ref, value in cells.items():
        sheet[ref] = value
        if number_format:
            sheet[ref].number_format = number_format
    dest.parent.mkdir(parents=True, exist_ok=True)
    book.save(dest)
    return dest


def _rules(path: Path) -> list[tuple[str, str]]:
    """Findings of a file, but the blank 記入者 / 連絡先 of the unfilled template (V15, V16)."""
    findings = read_submission(path, path.parent).findings
    return [(f.rule, f.cell) for f in findings if f.rule not in ("V15", "V16")]


def test_error_value_and_uncached_formula_are_errors(template, tmp_path: Path) -> None:
    _, source = template
    path = _edit(source, tmp_path / "in" / "a.xlsx", {"H7": "#DIV/0!", "H8": "=1+1"})
    assert _rules(path) == [("V04", "H7"), ("V03", "H8")]


def test_percent_formatted_fraction_is_read_as_percent_with_a_warning(
    template, tmp_path: Path
) -> None:
    plan, source = template
    path = _edit(source, tmp_path / "in" / "a.xlsx", {"H7": 0.72}, number_format="0%")
    submission = read_submission(path, path.parent)
    matched = complete(submission.rows, MatchedRows)  # as the batch hands it on
    typed, warnings = normalise(matched, plan.grades, {submission.file.path: submission.file})
    assert str(typed.iloc[0]["actual"]) == "72.00"
    assert [(w.rule, w.cell) for w in warnings] == [("V11", "H7")]


@pytest.mark.parametrize(
    ("content", "rule"),
    [
        (b"", "F02"),
        (
            b"\xe6\x95\xb4\xe7\x90\x86\xe7\x95\xaa\xe5\x8f\xb7,\xe5\xae\x9f\xe7\xb8\xbe\n1,2\n",
            "F04",
        ),
        (b"<html><table><tr><td>1</td></tr></table></html>", "F04"),
        (b"%PDF-1.7\n%\xe2\xe3", "F04"),
        (b"PK\x03\x04garbage", "F01"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "F03"),
    ],
)
def test_files_that_are_not_workbooks(tmp_path: Path, content: bytes, rule: str) -> None:
    path = tmp_path / "renamed.xlsx"
    path.write_bytes(content)
    assert _rules(path) == [(rule, "")]


def test_zip_bomb_is_refused_by_declared_and_actual_size(template, tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (3 * 1024 * 1024) + b"</a>")
    small = Limits(max_part_bytes=1024 * 1024)
    assert read_submission(path, tmp_path, small).findings[0].rule == "F05"
    assert read_submission(path, tmp_path, Limits(max_ratio=10)).findings[0].rule == "F05"


def test_xml_entities_are_refused(template, tmp_path: Path) -> None:
    _, source = template
    path = tmp_path / "entity.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as target:
        for info in original.infolist():
            data = original.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            target.writestr(info, data)
    assert _rules(path) == [("F05", "")]


def test_missing_sheet_and_renamed_header(template, tmp_path: Path) -> None:
    _, source = template
    book = load_workbook(source)
    book[L.PROGRESS_SHEET].title = "Sheet1"
    book.save(tmp_path / "renamed_sheet.xlsx")
    assert _rules(tmp_path / "renamed_sheet.xlsx") == [("F06", "")]
    path = _edit(source, tmp_path / "h" / "header.xlsx", {"L6": "課題等"})
    assert [r for r, _ in _rules(path)] == ["F09", "F18"]


def test_reordered_columns_are_read_by_label(template, tmp_path: Path) -> None:
    _, source = template
    book = load_workbook(source)
    sheet = book[L.PROGRESS_SHEET]
    sheet.insert_cols(1)  # a column inserted before everything
    sheet["A6"] = "メモ"
    sheet["I7"] = 65  # 実績値 moved from H to I
    path = tmp_path / "in" / "moved.xlsx"
    path.parent.mkdir()
    book.save(path)
    submission = read_submission(path, path.parent)
    assert submission.file.column(L.ACTUAL) == "I"
    assert submission.rows.iloc[0][L.ACTUAL] == 65
    assert [f.rule for f in submission.findings if f.rule not in ("V15", "V16")] == ["F18"]


def test_fast_and_careful_cell_scans_agree(template, tmp_path: Path) -> None:
    """The regex fast path (cells with references) and the in-order walk find the same facts."""
    from pipeline.ingest.cells import _scan_in_order, _scan_marked

    _, source = template
    path = _edit(
        source,
        tmp_path / "in" / "a.xlsx",
        {"H7": "#DIV/0!", "H8": "=1+1", "J7": "=A1", "K8": "#N/A"},
    )
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    columns = set(range(13))
    fast = _scan_marked(xml, columns, frozenset({1, 2, 3}))
    careful = _scan_in_order(xml, columns, frozenset({1, 2, 3}))
    assert fast == careful and len(fast) >= 4


_CELL_KINDS = {
    "plain": '<c r="{ref}" s="1"><v>7</v></c>',
    "text": '<c r="{ref}" s="1" t="s"><v>0</v></c>',
    "formula": '<c r="{ref}" s="1"><f>A1*2</f><v>14</v></c>',
    "uncached": '<c r="{ref}" s="1"><f>A1*2</f></c>',
    "error": '<c r="{ref}" s="1" t="e"><v>#DIV/0!</v></c>',
    "error'": "<c r='{ref}' s='1' t='e'><v>#N/A</v></c>",
    "percent": '<c r="{ref}" s="9"><v>0.4</v></c>',
    "percent0": '<c r="{ref}" s="009"><v>0.4</v></c>',
    "empty": '<c r="{ref}" s="9"/>',
}


@given(
    st.lists(
        st.lists(st.sampled_from(sorted(_CELL_KINDS)), min_size=1, max_size=6),
        min_size=1,
        max_size=8,
    ),
    st.sets(st.integers(0, 5)),
    st.sampled_from(["", ' spans="1:6"', " x:r='1'", ' s="9" customFormat="1"']),
)
def test_marked_scan_equals_walking_every_cell(rows, columns, row_extra) -> None:
    """For any sheet, finding cells by their marks gives exactly the facts of walking every cell,
    and a sheet written any other way (single quotes, odd tags) takes the careful walk."""
    from pipeline.ingest.cells import _scan_in_order, _scan_marked, plain_tags, scan

    body = "".join(
        f'<row r="{r + 1}"{row_extra}>'
        + "".join(_CELL_KINDS[k].format(ref=f"{'ABCDEF'[c]}{r + 1}") for c, k in enumerate(row))
        + "</row>"
        for r, row in enumerate(rows)
    )
    xml = f"<worksheet><sheetData>{body}</sheetData></worksheet>".encode()
    percent = frozenset({9})
    careful = _scan_in_order(xml, columns, percent)
    assert scan(xml, columns, percent) == careful
    if plain_tags(xml):
        assert _scan_marked(xml, columns, percent) == careful
    else:  # a single-quoted reference: the marks cannot be trusted to find its cell
        assert "error'" in {k for row in rows for k in row}


@pytest.mark.parametrize(
    "xml",
    [
        b'<sheetData><row r="1"><x:c r="A1"><f>1</f></x:c></row></sheetData>',
        b'<sheetData><row r="1"><c\tr="A1"><f>1</f></c></row></sheetData>',
        b'<sheetData><row r="1"><c s="1" r="A1"><f>1</f></c></row></sheetData>',
        b'<sheetData><row spans="1:1" r="1"><c r="A1"/></row></sheetData>',
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="Z9">]]></t></is>'
        b"</c></row></sheetData>",
        b'<sheetData><row r="7"><c r="H7"><!--<c r="Z9"/>--><f>1</f><v>1</v></c></row></sheetData>',
        b'<sheetData><row r="7"><c r="H7"><?pi <c r="Z9"/>?><f>1</f></c></row></sheetData>',
        b'<sheetData><row r="1"><c r="A1"/><c r="2000000"><v>2</v></c></row></sheetData>',
    ],
)
def test_sheets_written_unusually_are_walked_cell_by_cell(xml: bytes) -> None:
    from pipeline.ingest.cells import plain_tags

    assert not plain_tags(xml)


@pytest.mark.parametrize(
    ("part", "old", "new", "expected"),
    [
        # a lower-case reference far away: once sized the reader's grid to the whole sheet
        (
            "xl/worksheets/sheet1.xml",
            b"</sheetData>",
            b'<row r="9"><c r="xfd1048576"><v>1</v></c></row></sheetData>',
            [("F05", "")],
        ),
        # the same cell empty (only a style): no reader sizes a grid from it, so it is no limit
        (
            "xl/worksheets/sheet1.xml",
            b"</sheetData>",
            b'<row r="9"><c r="xfd1048576" s="1"/></row></sheetData>',
            [],
        ),
        # a number format id that is not a number: read as no format, never a traceback
        ("xl/styles.xml", b'numFmtId="164"', b'numFmtId="x"', []),
    ],
)
def test_hostile_parts_are_refused_or_read_calmly(
    template, tmp_path: Path, part: str, old: bytes, new: bytes, expected: list[tuple[str, str]]
) -> None:
    from tests.hostile import rezip

    _, source = template
    path = tmp_path / "in" / "a.xlsx"
    path.parent.mkdir()
    path.write_bytes(
        rezip(source, lambda name, data: data.replace(old, new, 1) if name == part else data)
    )
    assert [r for r in _rules(path) if r[0] != "F18"] == expected


STACKED = {"D3": None, "E3": None, "A4": "連絡先（内線）"}  # 連絡先 moved below 記入者


@pytest.mark.parametrize(
    ("layout", "cells", "expected"),
    [
        # the template: 記入者 B3 and 連絡先（内線） E3 on one row
        ("one row", {"B3": None, "E3": "2101"}, ("", "2101", [("V15", "B3")])),
        ("one row, both blank", {}, ("", "", [("V15", "B3"), ("V16", "E3")])),
        ("one row, filled", {"B3": "山田", "E3": 2101}, ("山田", "2101", [])),
        ("stacked", {**STACKED, "B4": "2101"}, ("", "2101", [("V15", "B3")])),
        ("stacked, both blank", STACKED, ("", "", [("V15", "B3"), ("V16", "B4")])),
        ("stacked, filled", {**STACKED, "B3": "山田", "B4": "2101"}, ("山田", "2101", [])),
    ],
)
def test_blank_writer_and_contact_are_flagged_never_filled_with_a_label(
    template, tmp_path: Path, layout: str, cells: dict[str, object], expected: tuple
) -> None:
    _, source = template
    path = _edit(source, tmp_path / "in" / "a.xlsx", {"A4": None, **cells})
    submission = read_submission(path, path.parent)
    writer, contact, flagged = expected
    assert (submission.file.writer, submission.file.contact) == (writer, contact), layout
    found = [(f.rule, f.cell) for f in submission.findings if f.rule in ("V15", "V16")]
    assert found == flagged, layout
    assert all(f.severity == "警告" for f in submission.findings if f.rule in ("V15", "V16"))
