"""The first look at an untrusted file: what it really is, and whether it stays within limits.

Nothing else reads a file before this has passed it. Zip parts are checked by declared and by
actual decompressed size, XML parts are refused when they carry a DTD or entities, and the few XML
parts read here are parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from pathlib import PurePosixPath
from typing import IO, TypeVar

from defusedxml import ElementTree

from pipeline.ingest.cells import PLAIN_REF, plain_tags

MB = 1024 * 1024
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


@dataclass(frozen=True)
class Limits:
    """Defaults of SPEC "Reading submissions"; all adjustable."""

    max_file_bytes: int = 20 * MB
    max_part_bytes: int = 100 * MB  # declared or actual uncompressed size of one zip part
    max_total_bytes: int = 300 * MB  # uncompressed, whole file
    max_ratio: int = 200  # uncompressed / compressed, for parts over 1 MB
    max_entries: int = 1000
    max_rows: int = 100_000
    max_columns: int = 200


class Refused(Exception):
    """The file cannot be read; `code` is the rule, `reason` says why in Japanese."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Container:
    """What the first look learned about a workbook that passed."""

    kind: str  # 'xlsx', 'xlsm' or 'xls'
    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip part
    percent_styles: frozenset[int] = frozenset()
    saved_at: str = ""  # docProps/core.xml dcterms:modified
    saved_by: str = ""
    sheet_xml: dict[str, bytes] = field(default_factory=dict)  # sheet name -> its XML
    plain_sheets: frozenset[str] = frozenset()  # sheets whose tags are plain (see cells.plain_tags)


def inspect(data: bytes, suffix: str, limits: Limits) -> Container:
    """Classify and check a file's bytes; raise Refused with the rule it breaks."""
    if not data:
        raise Refused("F02")
    if len(data) > limits.max_file_bytes:
        raise Refused(
            "F05", f"ファイルサイズ {len(data) / MB:.1f}MB > {limits.max_file_bytes // MB}MB"
        )
    if data.startswith(_OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Refused("F03")
        return Container("xls")
    if not data.startswith(b"PK\x03\x04"):
        raise Refused("F04", _guess_format(data))
    return _inspect_zip(data, suffix, limits)


def _guess_format(data: bytes) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"%pdf"):
        return "PDF"
    if head.startswith((b"<!doctype html", b"<html")) or b"<table" in head:
        return "HTML"
    if head.startswith(b"<?xml") or head.startswith(b"<"):
        return "XML"
    try:
        text = data[:4096].decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data[:4096].decode("cp932")
        except UnicodeDecodeError:
            return "不明な形式"
    return "CSVまたはテキスト" if "," in text or "\t" in text else "テキスト"


def _inspect_zip(data: bytes, suffix: str, limits: Limits) -> Container:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Refused("F01", f"zipとして壊れています: {type(exc).__name__}") from None
    if len(entries) > limits.max_entries:
        raise Refused("F05", f"zip内のファイル数 {len(entries)} > {limits.max_entries}")
    _check_declared(entries, limits)
    parts: dict[str, bytes] = {}
    total = 0
    wanted = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "docProps/core.xml"}
    for entry in entries:
        if entry.is_dir():
            continue
        try:
            with archive.open(entry) as stream:
                content, size = _read_capped(stream, entry.filename, limits)
        except (
            zipfile.BadZipFile,
            zlib.error,
            OSError,
            ValueError,
            EOFError,
            NotImplementedError,
        ) as exc:
            raise Refused(
                "F01", f"zip内の {entry.filename} が壊れています: {type(exc).__name__}"
            ) from None
        total += size
        if total > limits.max_total_bytes:
            raise Refused(
                "F05", f"展開後の合計サイズが {limits.max_total_bytes // MB}MB を超えます"
            )
        if entry.filename in wanted or entry.filename.startswith("xl/worksheets/sheet"):
            parts[entry.filename] = content
    if "xl/workbook.xml" not in parts:
        raise Refused("F04", "zipですがExcelブックの構造がありません")
    kind = "xlsm" if suffix.lower() == ".xlsm" or _has_macros(entries) else "xlsx"
    rels = parts.get("xl/_rels/workbook.xml.rels", b"")
    sheets = dict(_sheet_parts(parts["xl/workbook.xml"], rels))  # a copy: the parse is shared
    saved_at, saved_by = _core_properties(parts.get("docProps/core.xml", b""))
    xml = {name: parts[part] for name, part in sheets.items() if part in parts}
    plain = frozenset(name for name, content in xml.items() if plain_tags(content))
    for name, content in xml.items():
        _check_extent(name, content, limits, name in plain)
    styles = _percent_styles(parts.get("xl/styles.xml", b""))
    return Container(kind, sheets, styles, saved_at, saved_by, xml, plain)


P = TypeVar("P")


def _cached_when_small(parse: Callable[..., P]) -> Callable[..., P]:
    """Parse a part once per distinct content: files made from one template share their workbook,
    relationship and style parts byte for byte. Large (hostile) parts are never kept."""
    cached = lru_cache(maxsize=256)(parse)

    @wraps(parse)
    def call(*parts: bytes) -> P:
        return cached(*parts) if sum(map(len, parts)) <= 64 * 1024 else parse(*parts)

    return call


def _check_declared(entries: list[zipfile.ZipInfo], limits: Limits) -> None:
    declared = 0
    for entry in entries:
        declared += entry.file_size
        if entry.file_size > limits.max_part_bytes:
            raise Refused(
                "F05", f"{entry.filename} の展開後サイズ {entry.file_size // MB}MB が上限を超えます"
            )
        if entry.file_size > MB and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            raise Refused("F05", f"{entry.filename} の圧縮率が異常です（zip爆弾の疑い）")
    if declared > limits.max_total_bytes:
        raise Refused("F05", f"展開後の合計サイズ {declared // MB}MB が上限を超えます")
    if any(e.flag_bits & 0x1 for e in entries):
        raise Refused("F03")


def _read_capped(stream: IO[bytes], name: str, limits: Limits) -> tuple[bytes, int]:
    """Decompress a part, counting actual bytes; XML parts are kept and checked for DTDs."""
    is_xml = name.endswith((".xml", ".rels", ".vml"))
    chunks: list[bytes] = []
    size = 0
    tail = b""
    while chunk := stream.read(1 << 16):
        size += len(chunk)
        if size > limits.max_part_bytes:
            raise Refused(
                "F05", f"{name} の展開後サイズが {limits.max_part_bytes // MB}MB を超えます"
            )
        if is_xml:
            if _DTD.search(tail + chunk):
                raise Refused("F05", f"{name} にDTD・実体宣言があります（XML爆弾の疑い）")
            tail = chunk[-16:]
            chunks.append(chunk)
    return b"".join(chunks), size


# any letters, any case: a reader may accept `xfd1048576` and size its grid from it
_ROW_NUMBERS = re.compile(rb'<(?:\w+:)?(?:row|c)\b[^>]*?\br="[A-Za-z]*(\d+)"')
_COLUMN_LETTERS = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]+)\d')
_PLAIN_ROWS = re.compile(rb'<row r="(\d+)"')


def _check_extent(sheet: str, xml: bytes, limits: Limits, plain: bool) -> None:
    """Refuse a sheet whose cells reach past the row/column limits *before* a reader sizes its
    grid from them (one cell at XFD1048576 would make a reader allocate the whole sheet)."""
    if plain:  # the same references, found by patterns that start with a literal
        cells = PLAIN_REF.findall(xml)
        numbers = [int(n) for n in _PLAIN_ROWS.findall(xml)] + [int(n) for _, n in cells]
        letters = {x for x, _ in cells}
    else:
        numbers = [int(n) for n in _ROW_NUMBERS.findall(xml)]
        letters = set(_COLUMN_LETTERS.findall(xml))
    rows = max(numbers, default=0)
    columns = max((_column_number(x.decode("ascii")) for x in letters), default=0)
    if rows > limits.max_rows or columns > limits.max_columns:
        raise Refused("F05", f"シート「{sheet}」の大きさ {rows}行×{columns}列 が上限を超えます")


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def _has_macros(entries: list[zipfile.ZipInfo]) -> bool:
    return any(PurePosixPath(e.filename).name.lower() == "vbaproject.bin" for e in entries)


@_cached_when_small
def _sheet_parts(workbook_xml: bytes, rels_xml: bytes) -> dict[str, str]:
    try:
        workbook = ElementTree.fromstring(workbook_xml)
        rels = ElementTree.fromstring(rels_xml) if rels_xml else None
    except Exception as exc:  # defusedxml raises several types; any means a broken workbook
        raise Refused("F01", f"workbook.xml を解析できません: {type(exc).__name__}") from None
    targets: dict[str, str] = {}
    if rels is not None:
        for rel in rels.iter(f"{_PKG_REL_NS}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[rel.get("Id", "")] = str(PurePosixPath(path))
    sheets: dict[str, str] = {}
    for sheet in workbook.iter(f"{_MAIN_NS}sheet"):
        sheets[sheet.get("name", "")] = targets.get(sheet.get(f"{_REL_NS}id", ""), "")
    return sheets


_BUILTIN_PERCENT = {9, 10}


@_cached_when_small
def _percent_styles(styles_xml: bytes) -> frozenset[int]:
    """Indices of cell styles (cellXfs) whose number format shows a percent."""
    if not styles_xml:
        return frozenset()
    try:
        root = ElementTree.fromstring(styles_xml)
    except Exception:
        return frozenset()
    custom = {
        number: f.get("formatCode", "")
        for f in root.iter(f"{_MAIN_NS}numFmt")
        if (number := _integer(f.get("numFmtId", ""))) is not None
    }
    percent_ids = _BUILTIN_PERCENT | {
        i for i, code in custom.items() if "%" in re.sub(r'"[^"]*"', "", code)
    }
    xfs = root.find(f"{_MAIN_NS}cellXfs")
    if xfs is None:
        return frozenset()
    return frozenset(
        i
        for i, xf in enumerate(xfs.iter(f"{_MAIN_NS}xf"))
        if _integer(xf.get("numFmtId", "0")) in percent_ids
    )


def _integer(text: str) -> int | None:
    """A number format id; anything else (a broken or hostile styles part) is no format."""
    return int(text) if text.strip().isdigit() else None


def _core_properties(core_xml: bytes) -> tuple[str, str]:
    if not core_xml:
        return "", ""
    try:
        root = ElementTree.fromstring(core_xml)
    except Exception:
        return "", ""
    modified = next((e.text or "" for e in root.iter() if e.tag.endswith("}modified")), "")
    by = next((e.text or "" for e in root.iter() if e.tag.endswith("}lastModifiedBy")), "")
    return modified.strip(), by.strip()
