"""Matching keys for text people type: NFKC, one kind of dash, trimmed spaces.

Keys are for comparing only; what is shown stays as the plan master writes it.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

_DASHES = {cp: "-" for cp in [*range(0x2010, 0x2016), 0x2212, 0x30FC, 0xFF0D]}


def key(value: object) -> str:
    """The matching key of a cell value ('' for empty)."""
    if value is None:
        return ""
    return _text_key(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=65536)
def _text_key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DASHES).strip()


def canonical(value: object) -> str:
    """One spelling per value: numbers as plain decimals (66000.0 -> '66000'), text as its key."""
    if value is None:
        return ""
    if type(value) is str:
        return key(value)
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, int | float | Decimal):
        # cached by the number's own text: equal numbers such as 0 and -0 are spelled as written
        return _number_spelling(str(value))
    return key(value)


@lru_cache(maxsize=65536)  # the same targets come round in every row and file
def _number_spelling(text: str) -> str:
    try:
        number = Decimal(text).normalize()
    except InvalidOperation:
        return key(text)
    return format(number, "f") if number.is_finite() else key(text)


def display_width(text: str) -> int:
    """Width in half-width columns: East-Asian wide and full-width characters count double."""
    if text.isascii():
        return len(text)
    return _short_width(text) if len(text) <= 64 else _width(text)


@lru_cache(maxsize=16384)
def _short_width(text: str) -> int:  # names and codes repeat on every row of a listing
    return _width(text)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def safe_filename_part(text: str) -> str:
    """Characters not allowed in file names (Windows rules) become full-width '＿'."""
    banned = '\\/:*?"<>|'
    cleaned = "".join("＿" if ch in banned or ord(ch) < 32 else ch for ch in text.strip())
    return cleaned.rstrip(". ") or "＿"
