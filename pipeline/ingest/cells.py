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
        body = match.group(3) or b""
        formula = bool(_FORMULA.search(body))
        value = _VALUE.search(body)
        error = (
            value.group(1).decode("utf-8", "replace") if attrs.get(b"t") == b"e" and value else ""
        )
        style = attrs.get(b"s", b"0")
        percent = style.isdigit() and int(style) in percent_styles
        if formula or error or percent:
            cached = bool(value and value.group(1).strip())
            found[row, col] = CellFacts(formula, cached, error, percent)
    return found
