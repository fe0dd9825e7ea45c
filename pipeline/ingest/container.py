"""The first look at an untrusted file: what it really is, and whether it stays within limits.

Nothing else reads a file before this has passed it. Zip parts are checked by declared and by
actual decompressed size, XML parts are refused when they carry a DTD or entities, and the few XML
parts read here are parsed with defusedxml.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from pathlib import PurePosixPath
from typing import IO, Any, TypeVar

from defusedxml import ElementTree

from pipeline import labels as L
from pipeline.ingest.cells import column_index, plain_refs, value_extent
from pipeline.ingest.legacy import inspect_legacy
from pipeline.ingest.limits import MB, Container, Limits, Refused
from pipeline.text import key

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)


def inspect(data: bytes, suffix: str, limits: Limits) -> Container:
    """Classify and check a file's bytes; raise Refused with the rule it breaks."""
    if not data:
        raise Refused("F02")
    if len(data) > limits.max_file_bytes:
        raise Refused("F05", too_big(len(data), limits))
    if data.startswith(_OLE_MAGIC):
        return inspect_legacy(data, limits)
    if not data.startswith(b"PK\x03\x04"):
        raise Refused("F04", _guess_format(data))
    return _inspect_zip(data, suffix, limits)


def too_big(size: int, limits: Limits) -> str:
    """The F05 reason for a file larger than the limit."""
    return f"ファイルサイズ {size / MB:.1f}MB が上限 {limits.max_file_bytes // MB}MB を超えます"


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


_BROKEN = (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError)
_ODS = b"application/vnd.oasis.opendocument.spreadsheet"


def _inspect_zip(data: bytes, suffix: str, limits: Limits) -> Container:
    import io

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("F01", "zip形式の圧縮データが壊れています") from None
    if len(entries) > limits.max_entries:
        raise Refused(
            "F05", f"内部のファイル数 {len(entries)} が上限 {limits.max_entries} を超えます"
        )
    _check_declared(entries, limits)
    # part names are case-insensitive (OPC); like zipfile, the last of duplicate entries counts
    by_name = {e.filename.lower(): e for e in entries if not e.is_dir()}
    unpacked: dict[int, tuple[bytes, int]] = {}  # id(entry) -> (content, size): unpacked once

    def unpack(entry: zipfile.ZipInfo) -> tuple[bytes, int]:
        """An entry's content and real size, decompressed under the limits once."""
        if id(entry) not in unpacked:
            try:
                with archive.open(entry) as stream:
                    unpacked[id(entry)] = _read_capped(stream, entry.filename, limits)
            except _BROKEN:
                raise Refused("F01", "圧縮されたデータの一部が壊れています") from None
        return unpacked[id(entry)]

    def part(name: str) -> bytes | None:
        """A part's bytes by name (a non-XML part's first bytes); None when absent."""
        entry = by_name.get(name.lower())
        if entry is None:
            return None
        if not entry.filename.lower().endswith((".xml", ".rels")):
            try:
                with archive.open(entry) as stream:
                    return stream.read(256)  # e.g. `mimetype`: its first bytes say enough
            except _BROKEN:
                raise Refused("F01", "圧縮されたデータの一部が壊れています") from None
        return unpack(entry)[0]

    _refuse_other_formats(by_name, part)
    package = _package_parts(part("_rels/.rels") or b"")
    workbook_name = package.get("officeDocument", "xl/workbook.xml")
    workbook = part(workbook_name)
    if workbook is None:
        if workbook_name.lower().endswith(".bin"):
            raise Refused("F21", _XLSB)
        raise Refused("F04", "zip形式ですがExcelブックの構造がありません")
    rels = part(_rels_of(workbook_name)) or b""
    sheets, styles_name = _workbook_parts(workbook_name, workbook, rels)
    sheets = dict(sheets)  # a copy: the parse is shared
    read = {name: p.lower() for name, p in sheets.items() if _is_read(name)}
    other = {p.lower(): name for name, p in sheets.items() if not _is_read(name)}
    core_name = package.get("core-properties", "docProps/core.xml").lower()
    wanted = {*read.values(), styles_name.lower(), core_name}
    parts: dict[str, bytes] = {}
    notes: list[tuple[str, str]] = []
    total = 0
    for entry in entries:
        if entry.is_dir():
            continue
        content, size = unpack(entry)
        unpacked.pop(id(entry), None)  # held from here on only where wanted
        total += size
        if total > limits.max_total_bytes:
            raise Refused(
                "F05", f"展開後の合計サイズが上限 {limits.max_total_bytes // MB}MB を超えます"
            )
        name = entry.filename.lower()
        if name in wanted:
            parts[name] = content
        elif name in other:  # never read by shinchoku: its size is noted, never held against it
            over = _over_extent(content, limits, plain_refs(content))
            if over:
                notes.append((other[name], over))
    kind = "xlsm" if suffix.lower() == ".xlsm" or _has_macros(entries) else "xlsx"
    saved_at, saved_by = _core_properties(parts.get(core_name, b""))
    xml = {name: parts[p] for name, p in read.items() if p in parts}
    refs = {name: plain_refs(content) for name, content in xml.items()}
    plain = frozenset(name for name, found in refs.items() if found is not None)
    for name, content in xml.items():
        over = _over_extent(content, limits, refs[name])
        if over:
            raise Refused("F05", f"シート「{name}」の{over}")
    styles = _percent_styles(parts.get(styles_name.lower(), b""))
    return Container(kind, sheets, styles, saved_at, saved_by, xml, plain, tuple(notes))


_XLSB = "Excelバイナリブック（.xlsb）"


def _refuse_other_formats(
    by_name: dict[str, zipfile.ZipInfo], part: Callable[[str], bytes | None]
) -> None:
    """A zip that is a workbook of another format is named, so the clerk knows what to re-save."""
    if "mimetype" in by_name:
        mimetype = part("mimetype") or b""
        if mimetype.startswith(_ODS):
            raise Refused("F21", "OpenDocument スプレッドシート（.ods）")
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            raise Refused("F04", "OpenDocument 形式の文書")
    if "xl/workbook.bin" in by_name:
        raise Refused("F21", _XLSB)


def _is_read(sheet: str) -> bool:
    """The sheets shinchoku reads (only these are held to the row and column limits)."""
    return key(sheet) == key(L.PROGRESS_SHEET) or sheet == L.META_SHEET


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
    part_limit = limits.max_part_bytes // MB
    for entry in entries:
        declared += entry.file_size
        if entry.file_size > limits.max_part_bytes:
            raise Refused(
                "F05",
                f"内部のファイルの展開後サイズ {entry.file_size // MB}MB が"
                f"上限 {part_limit}MB を超えます",
            )
        if entry.file_size > MB and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            raise Refused("F05", f"圧縮率が上限（{limits.max_ratio}倍）を超えます（zip爆弾の疑い）")
    if declared > limits.max_total_bytes:
        raise Refused(
            "F05",
            f"展開後の合計サイズ {declared // MB}MB が"
            f"上限 {limits.max_total_bytes // MB}MB を超えます",
        )
    if any(e.flag_bits & 0x1 for e in entries):
        raise Refused("F03")


def _read_capped(stream: IO[bytes], name: str, limits: Limits) -> tuple[bytes, int]:
    """Decompress a part, counting actual bytes; XML parts are kept and checked for DTDs."""
    is_xml = name.lower().endswith((".xml", ".rels", ".vml"))
    chunks: list[bytes] = []
    size = 0
    tail = b""
    while chunk := stream.read(1 << 16):
        size += len(chunk)
        if size > limits.max_part_bytes:
            raise Refused(
                "F05",
                f"内部のファイルの展開後サイズが上限 {limits.max_part_bytes // MB}MB を超えます",
            )
        if is_xml:
            if _DTD.search(tail + chunk):
                raise Refused("F05", "内部のXMLにDTD・実体宣言があります（XML爆弾の疑い）")
            tail = chunk[-16:]
            chunks.append(chunk)
    return b"".join(chunks), size


# any letters, any case: a reader may accept `xfd1048576` and size its grid from it
_ROW_NUMBERS = re.compile(rb'<(?:\w+:)?(?:row|c)\b[^>]*?\br="[A-Za-z]*(\d+)"')
_COLUMN_LETTERS = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Za-z]+)\d')
_PLAIN_ROWS = re.compile(rb'<row r="(\d+)"')


def _over_extent(xml: bytes, limits: Limits, refs: list[tuple[bytes, bytes]] | None) -> str:
    """How a sheet's cells reach past the row/column limits ('' when they do not), found
    *before* a reader sizes its grid from them (a value at XFD1048576 would make it allocate
    the whole sheet). Empty cells and rows (a style, a height) are not read, so only cells with
    a value count; they are looked for only when the quick look at every reference finds too
    much. `refs`: the cells' references when the tags are plain (cells.plain_refs)."""
    if refs is not None:  # the same references, found by patterns that start with a literal
        digits = {d for _, d in refs}  # each distinct spelling once
        numbers = list(map(int, digits.union(_PLAIN_ROWS.findall(xml))))
        letters = {x for x, _ in refs}
    else:
        numbers = [int(n) for n in _ROW_NUMBERS.findall(xml)]
        letters = set(_COLUMN_LETTERS.findall(xml))
    rows = max(numbers, default=0)
    columns = max((column_index(x.decode("ascii")) + 1 for x in letters), default=0)
    if rows > limits.max_rows or columns > limits.max_columns:
        rows, columns = value_extent(xml)
    if rows > limits.max_rows or columns > limits.max_columns:
        return (
            f"大きさ {rows}行×{columns}列 が上限（{limits.max_rows}行×"
            f"{limits.max_columns}列）を超えます"
        )
    return ""


def _has_macros(entries: list[zipfile.ZipInfo]) -> bool:
    return any(PurePosixPath(e.filename).name.lower() == "vbaproject.bin" for e in entries)


# Transitional and Strict Open XML name the same things in two namespaces.
_MAIN_NS = (
    "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}",
    "{http://purl.oclc.org/ooxml/spreadsheetml/main}",
)
_REL_NS = (
    "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}",
    "{http://purl.oclc.org/ooxml/officeDocument/relationships}",
)
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def _elements(root: Any, name: str) -> Iterator[Any]:
    for namespace in _MAIN_NS:
        yield from root.iter(namespace + name)


def _rels_of(part: str) -> str:
    """The relationship part of `part`: xl/workbook.xml -> xl/_rels/workbook.xml.rels."""
    path = PurePosixPath(part)
    return str(path.parent / "_rels" / f"{path.name}.rels")


def _relationships(rels_xml: bytes, source: str) -> list[tuple[str, str, str]]:
    """(id, type's last word, resolved part name) of each relationship of `source`."""
    if not rels_xml:
        return []
    try:
        root = ElementTree.fromstring(rels_xml)
    except Exception:  # defusedxml raises several types; any means a broken part
        raise Refused("F01", "ブックの構造（シートの一覧）を読み取れません") from None
    found = []
    base = PurePosixPath(source).parent
    for rel in root.iter(_PKG_REL):
        if rel.get("TargetMode", "") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else str(base / target)
        found.append((rel.get("Id", ""), rel.get("Type", "").rsplit("/", 1)[-1], _normal(path)))
    return found


def _normal(path: str) -> str:
    """Resolve '.' and '..' in a part name."""
    parts: list[str] = []
    for piece in path.split("/"):
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


@_cached_when_small
def _package_parts(rels_xml: bytes) -> dict[str, str]:
    """The package's main parts by relationship type (officeDocument, core-properties)."""
    return {kind: part for _, kind, part in reversed(_relationships(rels_xml, ""))}


@_cached_when_small
def _workbook_parts(
    workbook_name: str, workbook_xml: bytes, rels_xml: bytes
) -> tuple[dict[str, str], str]:
    """Sheet name -> its part, and the styles part, found through the workbook's relationships
    (a sheet part may have any name; Strict Open XML uses other namespaces)."""
    try:
        workbook = ElementTree.fromstring(workbook_xml)
    except Exception:  # defusedxml raises several types; any means a broken workbook
        raise Refused("F01", "ブックの構造（シートの一覧）を読み取れません") from None
    rels = _relationships(rels_xml, workbook_name)
    targets = {rel_id: part for rel_id, _, part in rels}
    styles = next((part for _, kind, part in rels if kind == "styles"), "xl/styles.xml")
    sheets: dict[str, str] = {}
    for sheet in _elements(workbook, "sheet"):
        rel_id = next((sheet.get(ns + "id") for ns in _REL_NS if sheet.get(ns + "id")), "")
        sheets[sheet.get("name", "")] = targets.get(rel_id or "", "")
    return sheets, styles


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
        for f in _elements(root, "numFmt")
        if (number := _integer(f.get("numFmtId", ""))) is not None
    }
    percent_ids = _BUILTIN_PERCENT | {
        i for i, code in custom.items() if "%" in re.sub(r'"[^"]*"', "", code)
    }
    xfs = next(_elements(root, "cellXfs"), None)
    if xfs is None:
        return frozenset()
    return frozenset(
        i
        for i, xf in enumerate(_elements(xfs, "xf"))
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
