"""What a value reader does not say about a cell: formulas, error values, percent formats.

python-calamine gives cached values only (an error cell becomes '', an uncached formula 0 or
nothing), so the sheet's XML is scanned once for the cells that matter. A regular expression over
the raw bytes: no entity is ever expanded (DTDs were refused before this point).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    rb"<(?:\w+:)?row\b([^>]*)>|<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL
)
_ATTR = re.compile(rb'\b(r|t|s)="([^"]*)"')
_REF = re.compile(r"^([A-Z]+)(\d+)$")
_VALUE = re.compile(rb"<(?:\w+:)?v>(.*?)</(?:\w+:)?v>", re.DOTALL)
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


@dataclass(frozen=True)
class CellFacts:
    formula: bool
    cached: bool  # a formula with a stored result
    error: str  # e.g. '#DIV/0!', '' when none
    percent: bool


def column_index(letters: str) -> int:
    """'A' -> 0, 'AA' -> 26."""
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


def scan(
    xml: bytes, columns: set[int], percent_styles: frozenset[int]
) -> dict[tuple[int, int], CellFacts]:
    """Facts for cells (0-based row, col) in `columns` with a formula, an error or a % format."""
    if len(_ANY_CELL.findall(xml)) == len(_CELL_WITH_REF.findall(xml)):
        return _scan_by_reference(xml, columns, percent_styles)
    return _scan_in_order(xml, columns, percent_styles)


_ANY_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")
_CELL_WITH_REF = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="')


def _scan_by_reference(
    xml: bytes, columns: set[int], percent_styles: frozenset[int]
) -> dict[tuple[int, int], CellFacts]:
    """Every cell says where it is (as Excel and LibreOffice write): look at the wanted columns
    only, found by the regular-expression engine rather than a Python loop over every cell."""
    names = sorted({column_letters(c) for c in columns}, key=lambda x: (-len(x), x))
    letters = "|".join(names).encode("ascii")
    pattern = re.compile(
        rb'<(?:\w+:)?c\s(?=[^>]*?\br="(' + letters + rb')(\d+)")([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)',
        re.DOTALL,
    )
    found: dict[tuple[int, int], CellFacts] = {}
    for match in pattern.finditer(xml):
        attributes, body = match.group(3), match.group(4) or b""
        if not _may_matter(attributes, body, percent_styles):
            continue  # a plain value: most cells, skipped without parsing their attributes
        facts = _facts(dict(_ATTR.findall(attributes)), body, percent_styles)
        if facts is not None:
            found[int(match.group(2)) - 1, column_index(match.group(1).decode())] = facts
    return found


_STYLE = re.compile(rb'\bs="(\d+)"')


def _may_matter(attributes: bytes, body: bytes, percent_styles: frozenset[int]) -> bool:
    """A cheap test that is true for every cell _facts reports (a formula, an error value or a
    percent style) and false for most others."""
    if b"f" in body or b'"e"' in attributes or b"'e'" in attributes:
        return True
    style = _STYLE.search(attributes)
    return style is not None and int(style.group(1)) in percent_styles


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


def column_letters(index: int) -> str:
    """0 -> 'A', 26 -> 'AA'."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _scan_in_order(
    xml: bytes, columns: set[int], percent_styles: frozenset[int]
) -> dict[tuple[int, int], CellFacts]:
    """Cells without a reference are placed by counting, so every cell is visited."""
    found: dict[tuple[int, int], CellFacts] = {}
    row, col = -1, -1
    for match in _TOKEN.finditer(xml):
        if match.group(1) is not None:
            attrs = dict(_ATTR.findall(match.group(1)))
            row = int(attrs[b"r"]) - 1 if b"r" in attrs else row + 1
            col = -1
            continue
        attrs = dict(_ATTR.findall(match.group(2)))
        ref = _REF.match(attrs.get(b"r", b"").decode("ascii", "replace"))
        if ref:
            row, col = int(ref.group(2)) - 1, column_index(ref.group(1))
        else:
            col += 1
        if col not in columns:
            continue
        facts = _facts(attrs, match.group(3) or b"", percent_styles)
        if facts is not None:
            found[row, col] = facts
    return found
