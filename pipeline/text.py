"""Matching keys for text people type: NFKC, one kind of dash, trimmed spaces.

Keys are for comparing only; what is shown stays as the plan master writes it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# every character read as a dash: hyphens and dashes (U+2010-2015), minus sign, the long vowel
# mark and full-width hyphen-minus that people type for 'none', and box-drawing lines (─ ━)
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc\uff0d\u2500\u2501"
_DASHES = {ord(ch): "-" for ch in DASHES[1:]}


def only_dashes(text: str) -> bool:
    """Whether `text` is one or more dashes and nothing else ('－', 'ー', '---'): no value."""
    return bool(text) and not text.translate(_DASHES).strip("-")


def key(value: object) -> str:
    """The matching key of a cell value ('' for empty)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isascii():  # NFKC leaves ASCII as it is, and '-' is the one ASCII dash
        return text.strip()
    return _text_key(text)


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


# Windows' rules for a file name (they also hold on Linux and macOS, so one rule set suffices).
_BANNED = '\\/:*?"<>|'
_RESERVED = {
    "CON", "PRN", "AUX", "NUL",
    *(f"{device}{n}" for device in ("COM", "LPT") for n in (*"0123456789", "¹", "²", "³")),
}  # fmt: skip
# A name part's budget in UTF-8 bytes: with a prefix such as 進捗状況_ and _2024年度.xlsx the
# whole name stays under 255 (Windows counts UTF-16 units, Linux bytes: bytes are the stricter).
PART_BYTES = 200


def safe_filename_part(text: str) -> str:
    """A name as part of a file name valid on Windows: characters not allowed (and control
    characters) become full-width '＿', no trailing dot or space, no device name such as CON,
    at most PART_BYTES bytes."""
    cleaned = "".join("＿" if ch in _BANNED or ord(ch) < 32 else ch for ch in text.strip())
    cleaned = cleaned.encode()[:PART_BYTES].decode(errors="ignore")
    cleaned = cleaned.rstrip(". ") or "＿"
    if cleaned.split(".")[0].upper() in _RESERVED:
        cleaned += "＿"
    return cleaned


def file_name_parts(names: Iterable[str]) -> dict[str, str]:
    """Each name's part of a file name: valid on Windows, and unique the way Windows compares
    names (ignoring case) — a second name that maps to a part already taken gets _2, _3, …"""
    parts: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = part = safe_filename_part(name)
        number = 1
        while part.casefold() in taken:
            number += 1
            part = f"{base}_{number}"
        taken.add(part.casefold())
        parts[name] = part
    return parts
