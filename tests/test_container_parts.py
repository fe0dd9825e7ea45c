"""The first look at a workbook (ingest/container.py), part by part: the workbook, its sheets,
styles and saved time found through the package's relationships however their targets are
spelt (never outside the package); other formats a zip can be named so the clerk knows what
to re-save (.ods, .xlsb, an OpenDocument text); the sheets shinchoku never reads noted, not
refused; and each refusal's rule code and the exact reason the department reads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.ingest.container import MB, Container, Limits, Refused, inspect
from tests.test_container import BOOK, SHEET

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL = "http://purl.oclc.org/ooxml/officeDocument/relationships"
CORE_XML = (
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
    b'metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/">'
    b"<cp:lastModifiedBy>\xe4\xbc\x81\xe7\x94\xbb</cp:lastModifiedBy>"  # 企画
    b"<dcterms:modified>2025-06-01T01:02:03Z</dcterms:modified></cp:coreProperties>"
)
STYLES_XML = (
    f'<styleSheet xmlns="{MAIN}"><numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="0.0%"/><numFmt numFmtId="165" formatCode="0&quot;%&quot;"/>'
    '</numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/>'
    '<xf numFmtId="10"/></cellXfs></styleSheet>'
).encode()
SHEET_XML = zipfile.ZipFile(io.BytesIO(BOOK)).read(SHEET)


def _rels(*relationships: tuple[str, str, str] | tuple[str, str, str, str]) -> bytes:
    """(Id, type's last word, Target[, TargetMode]) as a relationships part."""
    items = []
    for rel in relationships:
        mode = f' TargetMode="{rel[3]}"' if len(rel) == 4 else ""
        kind = (
            f"{PKG}/metadata/core-properties" if rel[1] == "core-properties" else f"{REL}/{rel[1]}"
        )
        items.append(f'<Relationship Id="{rel[0]}" Type="{kind}" Target="{rel[2]}"{mode}/>')
    return f'<Relationships xmlns="{PKG}">{"".join(items)}</Relationships>'.encode()


def _workbook(*sheets: tuple[str, str], main: str = MAIN, rel: str = REL) -> bytes:
    tags = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="{rid}"/>'
        for i, (name, rid) in enumerate(sheets, start=1)
    )
    return f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>{tags}</sheets></workbook>'.encode()


def _zip(parts: dict[str, bytes], deflated: bool = False) -> bytes:
    out = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflated else zipfile.ZIP_STORED
    with zipfile.ZipFile(out, "w", method) as dest:
        for name, content in parts.items():
            dest.writestr(name, content)
    return out.getvalue()


def _refusal(data: bytes, limits: Limits | None = None) -> tuple[str, str]:
    with pytest.raises(Refused) as raised:
        inspect(data, ".xlsx", limits or Limits())
    return raised.value.code, raised.value.reason


def _package(office: str, workbook: str, sheet: str, styles: str, core: str) -> bytes:
    """A workbook whose parts sit where the relationships say: the package's officeDocument
    and core-properties targets, the workbook's sheet and styles targets (as spelt)."""
    rels_dir, _, name = workbook.rpartition("/")
    return _zip(
        {
            "_rels/.rels": _rels(
                ("rId1", "officeDocument", office), ("rId2", "core-properties", core)
            ),
            workbook: _workbook(("進捗状況", "rIdS")),
            f"{rels_dir}/_rels/{name}.rels": _rels(
                ("rIdS", "worksheet", sheet), ("rIdT", "styles", styles)
            ),
            "xl/data/sheet.xml": SHEET_XML,
            "xl/look/styles2.xml": STYLES_XML,
            "meta/props.xml": CORE_XML,
        }
    )


@pytest.mark.parametrize(
    ("office", "sheet", "styles"),
    [
        ("xl/book.xml", "data/sheet.xml", "look/styles2.xml"),  # relative to the workbook
        ("/xl/book.xml", "/xl/data/sheet.xml", "/xl/look/styles2.xml"),  # absolute
        ("./xl/book.xml", "./data/../data/sheet.xml", "look/./styles2.xml"),
        ("xl/book.xml", "../../xl/data/sheet.xml", "../xl/look/styles2.xml"),  # '..' past the top
        ("xl/book.xml", "/xl//data/./sheet.xml", "/xl/look/../look/styles2.xml"),
    ],
)
def test_parts_are_found_through_the_relationships_however_their_targets_are_spelt(
    office: str, sheet: str, styles: str
) -> None:
    container = inspect(
        _package(office, "xl/book.xml", sheet, styles, "meta/props.xml"), ".xlsx", Limits()
    )
    assert container.sheet_parts == {"進捗状況": "xl/data/sheet.xml"}
    assert container.sheet_xml == {"進捗状況": SHEET_XML}
    assert container.plain_sheets == frozenset({"進捗状況"})
    assert container.percent_styles == frozenset(
        {1, 3}
    )  # 0.0% and builtin 10 (0.00%); 0"%" only shows a sign
    assert (container.saved_at, container.saved_by) == ("2025-06-01T01:02:03Z", "企画")
    assert container.notes == ()


def test_without_package_relationships_the_usual_part_names_are_used() -> None:
    parts = {
        "xl/workbook.xml": _workbook(("進捗状況", "rId1")),
        "xl/_rels/workbook.xml.rels": _rels(("rId1", "worksheet", "worksheets/sheet1.xml")),
        SHEET: SHEET_XML,
        "xl/styles.xml": STYLES_XML,
        "docProps/core.xml": CORE_XML,
    }
    container = inspect(_zip(parts), ".xlsx", Limits())
    assert container.sheet_parts == {"進捗状況": SHEET}
    assert container.percent_styles == frozenset({1, 3})  # xl/styles.xml without a relationship
    assert container.saved_at == "2025-06-01T01:02:03Z"  # docProps/core.xml without one


def test_part_names_are_matched_whatever_their_case() -> None:
    parts = {
        "_rels/.rels": _rels(("rId1", "officeDocument", "XL/Workbook.XML")),
        "xl/workbook.xml": _workbook(("進捗状況", "rId1")),
        "xl/_rels/workbook.xml.rels": _rels(("rId1", "worksheet", "Worksheets/Sheet1.xml")),
        "xl/worksheets/sheet1.xml": SHEET_XML,
    }
    container = inspect(_zip(parts), ".xlsx", Limits())
    assert container.sheet_parts == {"進捗状況": "XL/Worksheets/Sheet1.xml"}  # as the rels spell it
    assert container.sheet_xml == {"進捗状況": SHEET_XML}


def test_a_strict_open_xml_workbook_is_read_through_its_own_namespaces() -> None:
    parts = {
        "xl/workbook.xml": _workbook(
            ("進捗状況", "rId1"), ("メモ", "rId2"), main=STRICT_MAIN, rel=STRICT_REL
        ),
        "xl/_rels/workbook.xml.rels": _rels(
            ("rId1", "worksheet", "worksheets/sheet1.xml"),
            ("rId2", "worksheet", "worksheets/sheet2.xml"),
        ),
        SHEET: SHEET_XML,
        "xl/worksheets/sheet2.xml": SHEET_XML,
        "xl/styles.xml": STYLES_XML.replace(MAIN.encode(), STRICT_MAIN.encode()),
    }
    container = inspect(_zip(parts), ".xlsx", Limits())
    assert container.sheet_parts == {"進捗状況": SHEET, "メモ": "xl/worksheets/sheet2.xml"}
    assert container.percent_styles == frozenset({1, 3})
    assert list(container.sheet_xml) == ["進捗状況"]  # メモ is never read


def test_an_external_or_missing_target_is_no_part_of_the_package() -> None:
    """A sheet whose relationship points outside the file (or nowhere) has no part: nothing is
    fetched or read from elsewhere."""
    parts = {
        "xl/workbook.xml": _workbook(("進捗状況", "rId1"), ("外部", "rId2"), ("迷子", "rId9")),
        "xl/_rels/workbook.xml.rels": _rels(
            ("rId1", "worksheet", "https://example.com/sheet1.xml", "External"),
            ("rId2", "externalLink", "file:///C:/secret/book.xlsx", "External"),
        ),
        SHEET: SHEET_XML,
    }
    container = inspect(_zip(parts), ".xlsx", Limits())
    assert container.sheet_parts == {"進捗状況": "", "外部": "", "迷子": ""}
    assert container.sheet_xml == {}
    internal = _rels(
        ("rId2", "externalLink", "file:///C:/secret/book.xlsx", "External"),  # one before it
        ("rId1", "worksheet", "worksheets/sheet1.xml", "Internal"),
    )
    parts["xl/_rels/workbook.xml.rels"] = internal
    assert inspect(_zip(parts), ".xlsx", Limits()).sheet_parts["進捗状況"] == SHEET


def test_relationships_missing_their_type_or_target_are_no_crash() -> None:
    """Hostile or careless relationship parts: no Type, no Target, a bare type word, a sheet
    with no r:id. The sheet that is properly related is read; nothing else is."""
    rels = (
        f'<Relationships xmlns="{PKG}">'
        '<Relationship Id="rId0" Target="worksheets/sheet9.xml"/>'
        '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{REL}/styles"/>'
        "</Relationships>"
    ).encode()
    workbook = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
        '<sheet name="進捗状況" sheetId="1" r:id="rId1"/><sheet name="メモ" sheetId="2"/>'
        "</sheets></workbook>"
    ).encode()
    parts = {"xl/workbook.xml": workbook, "xl/_rels/workbook.xml.rels": rels, SHEET: SHEET_XML}
    container = inspect(_zip({**parts, "xl/styles.xml": STYLES_XML}), ".xlsx", Limits())
    assert container.sheet_parts == {"進捗状況": SHEET, "メモ": ""}
    assert container.sheet_xml == {"進捗状況": SHEET_XML}
    assert container.percent_styles == frozenset()  # the styles relationship names no part


@pytest.mark.parametrize("part", ["_rels/.rels", "xl/_rels/workbook.xml.rels", "xl/workbook.xml"])
def test_a_broken_workbook_structure_says_the_sheet_list_cannot_be_read(part: str) -> None:
    data = _deflated_book({part: b"<Relationships"})
    assert _refusal(data) == ("F01", "ブックの構造（シートの一覧）を読み取れません")


# --- other formats in a zip ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "refusal"),
    [
        (
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<a/>"},
            ("F21", "OpenDocument スプレッドシート（.ods）"),
        ),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet-template"},
            ("F21", "OpenDocument スプレッドシート（.ods）"),
        ),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<a/>"},
            ("F04", "OpenDocument 形式の文書"),
        ),
        (
            {"MIMETYPE": b"application/vnd.oasis.opendocument.text"},  # any case: one part
            ("F04", "OpenDocument 形式の文書"),
        ),
        (
            {"mimetype": b"application/epub+zip", "content.xml": b"<a/>"},
            ("F04", "zip形式ですがExcelブックの構造がありません"),
        ),
        (
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"},
            ("F21", "Excelバイナリブック（.xlsb）"),
        ),
        (
            {"XL/Workbook.BIN": b"\x83\x01\x00"},
            ("F21", "Excelバイナリブック（.xlsb）"),
        ),
        (
            {"_rels/.rels": _rels(("rId1", "officeDocument", "xl/Book1.BIN"))},
            ("F21", "Excelバイナリブック（.xlsb）"),  # the package names a binary workbook
        ),
        (
            {"_rels/.rels": _rels(("rId1", "officeDocument", "xl/book.xml"))},
            ("F04", "zip形式ですがExcelブックの構造がありません"),  # named, but absent
        ),
    ],
)
def test_a_zip_of_another_format_is_named_for_the_clerk(
    parts: dict[str, bytes], refusal: tuple[str, str]
) -> None:
    assert _refusal(_zip(parts)) == refusal


def test_a_workbook_with_an_opendocument_mimetype_part_is_still_refused_as_that() -> None:
    data = _deflated_book({}, {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert _refusal(data) == ("F21", "OpenDocument スプレッドシート（.ods）")


def _deflated_book(replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    parts = _parts(BOOK)
    parts.update(replace)
    parts.update(extra or {})
    return _zip(parts, deflated=True)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _damaged(data: bytes, name: str) -> bytes:
    """`data` with the compressed bytes of part `name` overwritten (its header left whole)."""
    damaged = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    damaged[start : start + 8] = b"\xff" * 8
    return bytes(damaged)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("mimetype", b"application/vnd.oasis.opendocument.text" * 100),  # read for its first bytes
        (SHEET, SHEET_XML + b" " * 4000),  # an XML part, unpacked whole
        ("xl/media/image1.png", b"x" * 4000),  # a part never read, still unpacked and counted
    ],
)
def test_a_damaged_part_is_f01_with_the_reason_the_clerk_reads(name: str, content: bytes) -> None:
    data = _deflated_book({}, {name: content})
    assert _refusal(_damaged(data, name)) == ("F01", "圧縮されたデータの一部が壊れています")


def test_a_legacy_workbook_is_held_to_the_given_limits() -> None:
    xls = (Path(__file__).parent / "data" / "corpus" / "phpspreadsheet" / "sample.xls").read_bytes()
    assert inspect(xls, ".xls", Limits()).kind == "xls"
    code, reason = _refusal(xls, Limits(max_legacy_cells=1))
    assert code == "F05" and "セル数の合計の上限（1）を超えます" in reason


# --- sheets never read, and the cells that count ---------------------------------------------


def _with_sheets(extra_sheet: bytes, name: str = "メモ") -> bytes:
    parts = {
        "xl/workbook.xml": _workbook(("進捗状況", "rId1"), (name, "rId2")),
        "xl/_rels/workbook.xml.rels": _rels(
            ("rId1", "worksheet", "worksheets/sheet1.xml"),
            ("rId2", "worksheet", "worksheets/sheet2.xml"),
        ),
        SHEET: SHEET_XML,
        "xl/worksheets/sheet2.xml": extra_sheet,
    }
    return _zip(parts)


def _sheet(cells: bytes) -> bytes:
    return f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + cells + b"</sheetData></worksheet>"


FAR = _sheet(b'<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row>')
WIDE = _sheet(b'<row r="2"><c r="XFD2" t="n"><v>1</v></c></row>')


def test_a_sheet_never_read_is_noted_not_refused_however_large() -> None:
    container = inspect(_with_sheets(FAR), ".xlsx", Limits())
    assert container.notes == (("メモ", "大きさ 1048576行×1列 が上限（100000行×200列）を超えます"),)
    assert list(container.sheet_xml) == ["進捗状況"]
    wide = inspect(_with_sheets(WIDE, "一覧"), ".xlsx", Limits())
    assert wide.notes == (("一覧", "大きさ 2行×16384列 が上限（100000行×200列）を超えます"),)
    small = inspect(
        _with_sheets(_sheet(b'<row r="3"><c r="B3"><v>1</v></c></row>')), ".xlsx", Limits()
    )
    assert small.notes == ()
    assert type(small) is Container


def test_the_meta_sheet_is_read_so_held_to_the_limits() -> None:
    code, reason = _refusal(_with_sheets(FAR, L.META_SHEET))
    assert (code, reason) == (
        "F05",
        f"シート「{L.META_SHEET}」の大きさ 1048576行×1列 が上限（100000行×200列）を超えます",
    )
    assert list(inspect(_with_sheets(_sheet(b""), L.META_SHEET), ".xlsx", Limits()).sheet_xml) == [
        "進捗状況",
        L.META_SHEET,
    ]


@pytest.mark.parametrize(
    "cells",
    [
        b'<row r="100001" ht="20" customHeight="1"><c r="A100001" s="1"/></row>',  # a style only
        b'<row r="2"><c r="GS2" s="1"/></row>',  # a formatted but empty column 201
        b'<row r="100001" ht="20" customHeight="1"/>',  # a row height alone
    ],
)
def test_empty_formatted_cells_past_the_limits_are_not_held_against_a_sheet(cells: bytes) -> None:
    data = _zip(
        {
            "xl/workbook.xml": _workbook(("進捗状況", "rId1")),
            "xl/_rels/workbook.xml.rels": _rels(("rId1", "worksheet", "worksheets/sheet1.xml")),
            SHEET: _sheet(b'<row r="1"><c r="A1"><v>1</v></c></row>' + cells),
        }
    )
    assert inspect(data, ".xlsx", Limits()).sheet_parts == {"進捗状況": SHEET}


# --- the sizes said in a refusal --------------------------------------------------------------


def test_declared_sizes_are_said_in_whole_mb() -> None:
    part = b"<a>" + bytes(range(256)) * (7 * MB // 512) + b"</a>"  # 3.5 MB, barely compressible
    data = _deflated_book({}, {"docProps/custom.xml": part})
    assert _refusal(data, Limits(max_part_bytes=2 * MB, max_ratio=10**6)) == (
        "F05",
        "内部のファイルの展開後サイズ 3MB が上限 2MB を超えます",
    )
    two = _deflated_book(
        {}, {"customXml/a.xml": part[: 3 * MB // 2], "customXml/b.xml": part[: 3 * MB // 2]}
    )
    assert _refusal(two, Limits(max_total_bytes=2 * MB, max_ratio=10**6)) == (
        "F05",
        "展開後の合計サイズ 3MB が上限 2MB を超えます",  # each part under 2 MB, together over
    )


def test_the_compression_ratio_applies_only_to_parts_over_one_mb_and_past_the_ratio() -> None:
    exactly = _deflated_book({}, {"customXml/item.xml": b" " * MB})  # ratio ~1000, but 1 MB
    assert inspect(exactly, ".xlsx", Limits()).kind == "xlsx"
    over = _deflated_book({}, {"customXml/item.xml": b" " * (MB + 1)})
    assert _refusal(over) == ("F05", "圧縮率が上限（200倍）を超えます（zip爆弾の疑い）")
    info = zipfile.ZipFile(io.BytesIO(over)).getinfo("customXml/item.xml")
    ratio = info.file_size // info.compress_size  # just under the part's real ratio
    assert inspect(over, ".xlsx", Limits(max_ratio=ratio + 1)).kind == "xlsx"
    assert _refusal(over, Limits(max_ratio=ratio))[0] == "F05"
    # a stored part: ratio exactly 1, which a limit of 1 allows
    stored = _zip({**_parts(BOOK), "customXml/item.xml": b" " * (MB + 1)})
    assert inspect(stored, ".xlsx", Limits(max_ratio=1)).kind == "xlsx"


# --- what a non-workbook is guessed to be: the first kilobyte, the first 4 KB of text -------


def test_the_format_guess_reads_the_first_kilobyte_for_markup_and_4_kb_for_text() -> None:
    # "<table" ending at byte 1025: past the first kilobyte, so not HTML
    late = b"x" * 1019 + b"<table><tr>"
    assert _refusal(late) == ("F04", "テキスト")
    assert _refusal(b"x" * 1018 + b"<table><tr>") == ("F04", "HTML")
    # a cut character (a cp932 lead byte) just past the first 4 KB does not make the text unknown
    assert _refusal(b"a" * 4096 + b"\x81") == ("F04", "テキスト")
    assert _refusal(b"a" * 4095 + b"\x81") == ("F04", "不明な形式")  # within them it does
    utf8 = "提出".encode()  # not cp932: read as UTF-8, from its first 4 KB only
    assert _refusal(utf8 + b"a" * (4096 - len(utf8)) + b"\x81") == ("F04", "テキスト")
    cp932 = "提出".encode("cp932")  # not UTF-8: read as cp932
    assert _refusal(cp932 + b"a" * (4096 - len(cp932)) + b"\x81") == ("F04", "テキスト")
    assert _refusal(cp932 + b"a" * (4095 - len(cp932)) + b"\x81") == ("F04", "不明な形式")


def test_a_dtd_refusal_says_why_in_the_clerks_words() -> None:
    data = _deflated_book({"xl/styles.xml": b"<!DOCTYPE a>" + STYLES_XML})
    assert _refusal(data) == ("F05", "内部のXMLにDTD・実体宣言があります（XML爆弾の疑い）")
