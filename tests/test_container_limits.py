"""The first look at an untrusted workbook (ingest/container.py): a sheet that claims cells past
the limits is refused before any reader sizes a grid from it, whatever the case of its cell
references and whether or not its tags are written plainly; each size limit refuses one byte
over and accepts the limit itself; the saved time and the percent styles are read as written."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openpyxl
import pytest

from pipeline.ingest.container import MB, Limits, Refused, inspect

SHEET = "xl/worksheets/sheet1.xml"
CORE = "docProps/core.xml"


def _book() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "進捗状況"
    sheet["A1"] = "整理番号"
    sheet["B2"] = 5
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


BOOK = _book()


def _rezip(data: bytes, change: Callable[[str, bytes], bytes], extra: int = 0) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as dest:
        for info in source.infolist():
            dest.writestr(info.filename, change(info.filename, source.read(info)))
        for i in range(extra):
            dest.writestr(f"customXml/item{i}.xml", b"<a/>")
    return out.getvalue()


def _with_sheet_data(rows: bytes) -> bytes:
    def change(name: str, content: bytes) -> bytes:
        if name != SHEET:
            return content
        start, end = content.index(b"<sheetData>"), content.index(b"</sheetData>")
        return content[: start + len(b"<sheetData>")] + rows + content[end:]

    return _rezip(BOOK, change)


def _refusal(data: bytes, limits: Limits | None = None) -> tuple[str, str]:
    with pytest.raises(Refused) as raised:
        inspect(data, ".xlsx", limits or Limits())
    return raised.value.code, raised.value.reason


def test_a_plain_small_workbook_passes_and_names_its_sheet() -> None:
    container = inspect(BOOK, ".xlsx", Limits())
    assert container.kind == "xlsx"
    assert container.sheet_parts == {"進捗状況": SHEET}
    assert container.plain_sheets == frozenset({"進捗状況"})


@pytest.mark.parametrize(
    "cell",
    [
        b'<row r="2"><c r="a1048576" t="n"><v>1</v></c></row>',  # lower case, narrow column
        b'<row r="2"><c r="A1048576" t="n"><v>1</v></c></row>',  # row tag says 2, the cell not
        b'<row r="2"><c r="b100001" t="n"><v>1</v></c></row>',  # one row over the default
        b'<row r="100001"><c t="n"><v>1</v></c></row>',  # the row tag alone
        b'<x:row r="2"><x:c r="a1048576" t="n"><x:v>1</x:v></x:c></x:row>',  # prefixed tags
        b'<row r="2"><c  r="a1048576"><v>1</v></c></row>',  # not plain: two spaces
        b'<row r="2"><c r="xfd2"><v>1</v></c></row>',  # lower-case wide column
        b'<row r="2"><c r="GS2"><v>1</v></c></row>',  # column 201 of 200
    ],
)
def test_a_cell_past_the_limits_is_refused_whatever_its_spelling(cell: bytes) -> None:
    code, reason = _refusal(_with_sheet_data(cell))
    assert code == "F05"
    assert "進捗状況" in reason and "上限" in reason


@pytest.mark.parametrize(
    ("cell", "shape"),
    [
        (b'<row r="100000"><c r="GR100000"><v>1</v></c></row>', (100_000, 200)),
        (b'<row r="3"><c r="gr3"><v>1</v></c></row>', (3, 200)),
    ],
)
def test_a_sheet_exactly_at_the_limits_is_read(cell: bytes, shape: tuple[int, int]) -> None:
    inspect(_with_sheet_data(cell), ".xlsx", Limits())
    rows, columns = shape
    code, reason = _refusal(_with_sheet_data(cell), Limits(max_rows=rows - 1, max_columns=columns))
    assert (code, f"{rows}行×{columns}列" in reason) == ("F05", True)
    code, reason = _refusal(_with_sheet_data(cell), Limits(max_rows=rows, max_columns=columns - 1))
    assert (code, f"{rows}行×{columns}列" in reason) == ("F05", True)


def test_file_size_limit_is_inclusive() -> None:
    inspect(BOOK, ".xlsx", Limits(max_file_bytes=len(BOOK)))
    code, reason = _refusal(BOOK, Limits(max_file_bytes=len(BOOK) - 1))
    assert code == "F05" and "ファイルサイズ" in reason


def test_entry_count_limit_is_inclusive() -> None:
    data = _rezip(BOOK, lambda _, c: c, extra=3)
    entries = len(zipfile.ZipFile(io.BytesIO(data)).infolist())
    inspect(data, ".xlsx", Limits(max_entries=entries))
    code, reason = _refusal(data, Limits(max_entries=entries - 1))
    assert code == "F05" and f"{entries} が上限 {entries - 1}" in reason


def test_part_size_limit_counts_declared_and_actual_bytes() -> None:
    size = len(zipfile.ZipFile(io.BytesIO(BOOK)).read("xl/styles.xml"))
    biggest = max(i.file_size for i in zipfile.ZipFile(io.BytesIO(BOOK)).infolist())
    inspect(BOOK, ".xlsx", Limits(max_part_bytes=biggest))
    code, _ = _refusal(BOOK, Limits(max_part_bytes=biggest - 1))
    assert code == "F05"
    total = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(BOOK)).infolist())
    inspect(BOOK, ".xlsx", Limits(max_total_bytes=total))
    code, reason = _refusal(BOOK, Limits(max_total_bytes=total - 1))
    assert code == "F05" and "合計" in reason
    assert size > 0


def test_a_compression_bomb_part_is_refused_by_its_ratio() -> None:
    bomb = b"<a>" + b" " * (2 * MB) + b"</a>"

    def change(name: str, content: bytes) -> bytes:
        return bomb if name == "docProps/app.xml" else content

    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(BOOK)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for info in source.infolist():
            dest.writestr(info.filename, change(info.filename, source.read(info)))
    data = out.getvalue()
    code, reason = _refusal(data)
    assert code == "F05" and "圧縮率" in reason
    inspect(data, ".xlsx", Limits(max_ratio=10_000))


@pytest.mark.parametrize("doctype", [b"<!DOCTYPE a>", b"<!entity x 'y'>"])
def test_dtd_or_entity_in_any_xml_part_is_refused(doctype: bytes) -> None:
    data = _rezip(BOOK, lambda n, c: doctype + c if n == "xl/styles.xml" else c)
    code, reason = _refusal(data)
    assert code == "F05" and "DTD" in reason


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "F02"),
        (b"PK\x03\x04" + b"\0" * 40, "F01"),
        (b"a,b\r\n1,2\r\n", "F04"),
    ],
)
def test_what_is_not_a_workbook_gets_its_own_rule(data: bytes, code: str) -> None:
    assert _refusal(data)[0] == code


def test_a_zip_without_a_workbook_part_is_another_format() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dest:
        dest.writestr("word/document.xml", b"<w/>")
    code, reason = _refusal(out.getvalue())
    assert code == "F04" and "Excelブックの構造" in reason


def test_saved_time_and_author_are_read_from_core_properties() -> None:
    core = (
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        b'metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/">'
        b"<cp:lastModifiedBy> \xe6\xa4\x9c\xe8\xa8\xbc </cp:lastModifiedBy>"
        b"<dcterms:modified> 2025-05-20T09:00:00Z </dcterms:modified></cp:coreProperties>"
    )
    data = _rezip(BOOK, lambda n, c: core if n == CORE else c)
    container = inspect(data, ".xlsx", Limits())
    assert (container.saved_at, container.saved_by) == ("2025-05-20T09:00:00Z", "検証")


def test_macro_part_or_xlsm_name_makes_a_macro_workbook() -> None:
    assert inspect(BOOK, ".XLSM", Limits()).kind == "xlsm"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BOOK)) as source, zipfile.ZipFile(out, "w") as dest:
        for info in source.infolist():
            dest.writestr(info.filename, source.read(info))
        dest.writestr("xl/vbaProject.bin", b"\0")
    assert inspect(out.getvalue(), ".xlsx", Limits()).kind == "xlsm"


def test_percent_styles_are_the_cell_formats_that_show_a_percent() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "進捗状況"
    for i, number_format in enumerate(["0.0%", "0%", '0"%"', "#,##0", "0.00%"], start=1):
        sheet.cell(row=i, column=1, value=0.5).number_format = number_format
    buffer = io.BytesIO()
    book.save(buffer)
    container = inspect(buffer.getvalue(), ".xlsx", Limits())
    styles = zipfile.ZipFile(buffer).read("xl/styles.xml")
    xml = zipfile.ZipFile(buffer).read(SHEET).decode()
    import re

    style_of = {ref: int(s) for ref, s in re.findall(r'<c r="(A\d)" s="(\d+)"', xml)}
    percent = {ref for ref, s in style_of.items() if s in container.percent_styles}
    assert percent == {"A1", "A2", "A5"}, styles
