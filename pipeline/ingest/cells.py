"""What a value reader does not say about a cell: formulas, error values, percent formats.

python-calamine gives cached values only (an error cell becomes '', an uncached formula 0 or
nothing), so the sheet's XML is scanned once for the cells that matter. A regular expression over
the raw bytes: no entity is ever expanded (DTDs were refused before this point).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL
)
_ATTR = re.compile(rb'\b(r|t|s)="([^"]*)"')
_REF = re.compile(r"^([A-Z]+)(\d+)$")
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


@dataclass(frozen=True)
class CellFacts:
    """What the sheet XML says of a cell that its value does not: a formula and whether it has a
    cached result, an error value, a percent format."""

    formula: bool
    cached: bool  # a formula with a stored result
    error: str  # e.g. '#DIV/0!', '' when none
    percent: bool


def column_index(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26, 'aa' -> 26: the one reading of column letters (the ingest's, and
    the feedback's marking a finding's cell); the other way, index to letters, is xlsxwriter's
    xl_col_to_name everywhere. Hand-written because what it reads is hostile: xlsxwriter's
    xl_cell_to_rowcol takes up to three capitals (past XFD, or in lower case, it warns and gives
    column 0), and openpyxl's utility costs its package's import (~0.3 s) in every worker; a
    sheet that names column ZZZZZ must be measured and refused, not crash the reader."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index - 1


def scan(
    xml: bytes, columns: set[int], percent_styles: frozenset[int], plain: bool | None = None
) -> dict[tuple[int, int], CellFacts]:
    """Facts for cells (0-based row, col) in `columns` with a formula, an error or a % format.
    `plain`: whether plain_tags(xml) holds, when the caller knows it already."""
    if plain is None:
        plain = plain_tags(xml)
    if plain:
        return _scan_marked(xml, columns, percent_styles)
    return _scan_in_order(xml, columns, percent_styles)


_PREFIXED_TAG = re.compile(rb":(?:c|row|f)[\s>/]")
_ODD_CELL = re.compile(rb"<c[\t\n\r>/]")
_ODD_ROW = re.compile(rb"<row[\t\n\r>/]")


def plain_tags(xml: bytes) -> bool:
    """Every row and cell tag is written as Excel, LibreOffice, openpyxl and xlsxwriter write it,
    `<row r="…` and `<c r="A1"` (no prefix, CDATA, comment or processing instruction): each cell
    then says where it is, and the few that matter can be found by what marks them instead of by
    walking every cell. (Each pattern starts with a literal so that the search runs at C speed.)"""
    return plain_refs(xml) is not None


def plain_refs(xml: bytes) -> list[tuple[bytes, bytes]] | None:
    """Each cell's (column letters, row digits) when plain_tags(xml) holds, else None: found
    once, for the plain test and the extent check alike."""
    if (
        xml.count(b"<row ") != xml.count(b'<row r="')
        or b"<![CDATA[" in xml
        or b"<!--" in xml  # a comment or processing instruction could hold a fake `<c r="`
        or xml.find(b"<?", 5) >= 0  # (the XML declaration opens the part, maybe after a BOM)
        or any(p.search(xml) for p in (_PREFIXED_TAG, _ODD_CELL, _ODD_ROW))
    ):
        return None
    refs = PLAIN_REF.findall(xml)
    return refs if xml.count(b"<c ") == len(refs) else None


PLAIN_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')  # a plain cell's column letters and row


_PLAIN_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.DOTALL)


@lru_cache(maxsize=64)
def _marks(percent_styles: frozenset[int]) -> tuple[re.Pattern[bytes], ...]:
    """What every cell that matters carries: a formula, an error type, or a percent style. One
    pattern each, never an alternation, so that each search starts from a literal."""
    marks = [rb"<f\b", rb't="e"', rb"t='e'"]
    if percent_styles:
        styles = b"|".join(str(s).encode() for s in sorted(percent_styles))
        marks += [rb's="0*(?:' + styles + rb')"', rb"s='0*(?:" + styles + rb")'"]
    return tuple(re.compile(m) for m in marks)


def _scan_marked(
    xml: bytes, columns: set[int], percent_styles: frozenset[int]
) -> dict[tuple[int, int], CellFacts]:
    """Only the cells around a mark are parsed (a filled sheet has a few among thousands)."""
    found: dict[tuple[int, int], CellFacts] = {}
    seen: set[int] = set()
    marks = (m.start() for pattern in _marks(percent_styles) for m in pattern.finditer(xml))
    for position in marks:
        start = xml.rfind(b'<c r="', 0, position)
        if start < 0 or start in seen:
            continue
        cell = _PLAIN_CELL.match(xml, start)
        if cell is None or cell.end() <= position:
            continue  # the mark is outside any cell (e.g. a row's own style)
        seen.add(start)
        if column_index(cell.group(1).decode()) not in columns:
            continue
        facts = _facts(dict(_ATTR.findall(cell.group(3))), cell.group(4) or b"", percent_styles)
        if facts is not None:
            found[int(cell.group(2)) - 1, column_index(cell.group(1).decode())] = facts
    return found


def _facts(
    attrs: dict[bytes, bytes], body: bytes, percent_styles: frozenset[int]
) -> CellFacts | None:
    formula = bool(_FORMULA.search(body))
    value = _VALUE.search(body)
    error = value.group(1).decode("utf-8", "replace") if attrs.get(b"t") == b"e" and value else ""
    style = attrs.get(b"s", b"0")
    percent = style.isdigit() and int(style) in percent_styles
    if not (formula or error or percent):
        return None
    return CellFacts(formula, bool(value and value.group(1).strip()), error, percent)


def _scan_in_order(
    xml: bytes, columns: set[int], percent_styles: frozenset[int]
) -> dict[tuple[int, int], CellFacts]:
    """Cells without a reference are placed by counting, so every cell is visited."""
    found: dict[tuple[int, int], CellFacts] = {}
    for row, col, attrs, body in _walk(xml):
        if col in columns:
            facts = _facts(attrs, body, percent_styles)
            if facts is not None:
                found[row, col] = facts
    return found


def _walk(
    xml: bytes, any_case: bool = False
) -> Iterator[tuple[int, int, dict[bytes, bytes], bytes]]:
    """(row, column, attributes, body) of every cell in order, 0-based; a row or cell without a
    reference follows the one before. `any_case`: read `a1` as `A1`."""
    row, col = -1, -1
    for match in _TOKEN.finditer(xml):
        if match.group(1) is not None:
            attrs = dict(_ATTR.findall(match.group(1)))
            number = attrs.get(b"r", b"")
            row = int(number) - 1 if number.isdigit() else row + 1
            col = -1
            continue
        attrs = dict(_ATTR.findall(match.group(2)))
        text = attrs.get(b"r", b"").decode("ascii", "replace")
        ref = _REF.match(text.upper() if any_case else text)
        if ref:
            row, col = int(ref.group(2)) - 1, column_index(ref.group(1))
        else:
            col += 1
        yield row, col, attrs, match.group(3) or b""


_HAS_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is)\b")


def value_extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) reached by cells that hold a value: a value reader sizes its grid from
    these, never from empty cells that only carry a style (or a formula without a result)."""
    rows = columns = 0
    for row, col, _, body in _walk(xml, any_case=True):
        if _HAS_VALUE.search(body):
            rows, columns = max(rows, row + 1), max(columns, col + 1)
    return rows, columns
