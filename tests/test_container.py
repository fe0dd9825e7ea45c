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


# --- what the refusal says: the reason is part of the message the department reads ----------------


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"\xef\xbb\xbf  %PDF-1.4\n", "PDF"),
        (b"<!DOCTYPE html><html>", "HTML"),
        (b"<HTML><body>", "HTML"),
        (b"<div>" + b" " * 100 + b"<table><tr>", "HTML"),
        (b"<?xml version='1.0'?><a/>", "XML"),
        (b"<root/>", "XML"),
        ("整理番号,実績値\r\n".encode(), "CSVまたはテキスト"),
        ("整理番号\t実績値\r\n".encode("cp932"), "CSVまたはテキスト"),
        ("提出します。".encode(), "テキスト"),
        ("提出します。".encode("cp932"), "テキスト"),
        (b"\xff\xfe\x00\x81\x82\x83" * 3, "不明な形式"),
    ],
)
def test_what_a_renamed_file_really_is_is_named(data: bytes, reason: str) -> None:
    assert _refusal(data) == ("F04", reason)


def test_size_refusals_say_the_sizes_in_mb() -> None:
    big = BOOK + b"\0" * (3 * MB)
    code, reason = _refusal(big, Limits(max_file_bytes=2 * MB))
    assert code == "F05" and f"ファイルサイズ {len(big) / MB:.1f}MB" in reason and "2MB" in reason
    bomb = _deflated({"docProps/app.xml": b"<a>" + b" " * (3 * MB) + b"</a>"})
    code, reason = _refusal(bomb, Limits(max_part_bytes=2 * MB, max_ratio=10**6))
    assert code == "F05" and "上限" in reason
    code, reason = _refusal(bomb, Limits(max_total_bytes=2 * MB, max_ratio=10**6))
    assert code == "F05" and "上限" in reason


def _deflated(replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(BOOK)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest,
    ):
        for info in source.infolist():
            dest.writestr(info.filename, replace.get(info.filename, source.read(info)))
        for name, content in (extra or {}).items():
            dest.writestr(name, content)
    return out.getvalue()


def test_a_dtd_is_found_across_read_chunks_and_in_vml_parts() -> None:
    # the DOCTYPE straddles the 64 KiB boundary of the streamed read
    padded = b" " * ((1 << 16) - 4) + b"<!DOCTYPE a>" + b"<a/>"
    assert _refusal(_rezip(BOOK, lambda n, c: padded if n == "xl/styles.xml" else c))[0] == "F05"
    vml = _deflated({}, {"xl/drawings/vmlDrawing1.vml": b"<!ENTITY x 'y'><xml/>"})
    code, reason = _refusal(vml)
    assert code == "F05" and "DTD" in reason
    binary = _deflated({}, {"xl/media/image1.png": b"<!DOCTYPE not xml"})
    inspect(binary, ".xlsx", Limits())  # only XML parts are scanned


def test_encryption_is_told_apart_from_a_plain_legacy_workbook() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64
    assert _refusal(ole)[0] != "F03"  # a (broken) legacy workbook, not an encrypted one
    encrypted = ole + "EncryptedPackage".encode("utf-16-le")
    assert _refusal(encrypted) == ("F03", "")
    flagged = bytearray(BOOK)
    archive = zipfile.ZipFile(io.BytesIO(BOOK))
    first = archive.infolist()[0]
    flagged[first.header_offset + 6] |= 0x1  # ZipCrypto flag in the local header
    directory = bytes(flagged).rfind(b"PK\x01\x02")
    start = bytes(flagged).find(b"PK\x01\x02")
    flagged[start + 8] |= 0x1  # and in the first central directory entry
    assert directory >= start
    assert _refusal(bytes(flagged))[0] == "F03"
    other_flag = bytearray(BOOK)
    other_flag[start + 8] |= 0x8  # a data-descriptor flag is not encryption
    assert inspect(bytes(other_flag), ".xlsx", Limits()).kind == "xlsx"


def test_a_damaged_part_names_the_part() -> None:
    data = bytearray(_deflated({}))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = next(i for i in archive.infolist() if i.filename == SHEET)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    data[start : start + 8] = b"\xff" * 8
    code, reason = _refusal(bytes(data))
    assert code == "F01" and "壊れています" in reason
    code, reason = _refusal(b"PK\x03\x04" + b"\0" * 40)
    assert code == "F01" and "壊れています" in reason


def test_a_workbook_without_optional_parts_still_reads() -> None:
    optional = ("docProps/core.xml", "xl/styles.xml", "xl/_rels/workbook.xml.rels")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BOOK)) as source, zipfile.ZipFile(out, "w") as dest:
        for info in source.infolist():
            if info.filename not in optional:
                dest.writestr(info.filename, source.read(info))
    container = inspect(out.getvalue(), ".xlsx", Limits())
    assert (container.saved_at, container.saved_by, container.percent_styles) == (
        "",
        "",
        frozenset(),
    )
    assert container.sheet_parts == {"進捗状況": ""}  # no relationships: the part is unknown


def test_the_sheet_xml_is_handed_on_for_the_cell_scan() -> None:
    container = inspect(BOOK, ".xlsx", Limits())
    assert container.sheet_xml["進捗状況"] == zipfile.ZipFile(io.BytesIO(BOOK)).read(SHEET)


def test_a_directory_entry_does_not_end_the_scan() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(BOOK)) as source, zipfile.ZipFile(out, "w") as dest:
        dest.writestr("xl/", b"")
        for info in source.infolist():
            dest.writestr(info.filename, source.read(info))
    container = inspect(out.getvalue(), ".xlsx", Limits())
    assert container.sheet_parts == {"進捗状況": SHEET} and "進捗状況" in container.sheet_xml


def test_core_properties_without_values_are_blank() -> None:
    core = (
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        b'metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/">'
        b"<cp:lastModifiedBy/><dcterms:modified/></cp:coreProperties>"
    )
    container = inspect(_rezip(BOOK, lambda n, c: core if n == CORE else c), ".xlsx", Limits())
    assert (container.saved_at, container.saved_by) == ("", "")
    broken = inspect(_rezip(BOOK, lambda n, c: b"<oops" if n == CORE else c), ".xlsx", Limits())
    assert (broken.saved_at, broken.saved_by) == ("", "")


def test_an_empty_sheet_and_a_large_sheet_pass_whole() -> None:
    empty = _with_sheet_data(b"")
    assert inspect(empty, ".xlsx", Limits()).sheet_parts == {"進捗状況": SHEET}
    rows = b"".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>{"行" * 20}</t></is></c></row>'.encode()
        for r in range(1, 3000)
    )
    large = _with_sheet_data(rows)
    xml = zipfile.ZipFile(io.BytesIO(large)).read(SHEET)
    assert len(xml) > 1 << 17  # read in several chunks
    assert inspect(large, ".xlsx", Limits()).sheet_xml["進捗状況"] == xml


def test_core_properties_without_the_elements_are_blank() -> None:
    core = (
        b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        b'metadata/core-properties"></cp:coreProperties>'
    )
    container = inspect(_rezip(BOOK, lambda n, c: core if n == CORE else c), ".xlsx", Limits())
    assert (container.saved_at, container.saved_by) == ("", "")


def test_a_hostile_number_format_id_is_no_format() -> None:
    def change(name: str, content: bytes) -> bytes:
        return (
            content.replace(b'numFmtId="0"', b'numFmtId="x"')
            if name == "xl/styles.xml"
            else content
        )

    assert inspect(_rezip(BOOK, change), ".xlsx", Limits()).percent_styles == frozenset()


def test_broken_zip_reasons_name_the_error() -> None:
    assert _refusal(b"PK\x03\x04" + b"\0" * 40) == ("F01", "zip形式の圧縮データが壊れています")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dest:
        dest.writestr("word/document.xml", b"<w/>")
    assert _refusal(out.getvalue()) == ("F04", "zip形式ですがExcelブックの構造がありません")
