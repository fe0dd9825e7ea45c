"""Typed values from what people type: '１，２００件' -> 1200, 'Ａ' -> 'A', '－' -> no value.

A value that cannot be understood is passed on unchanged, so that validation can quote it; the
conversions a person should double-check (万/千, percent formats) become warnings.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import MAX_EMAX, Decimal, InvalidOperation, localcontext
from typing import Any

import pandas as pd

from pipeline import labels as L
from pipeline.frames import tuples
from pipeline.messages import cell_finding
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PERCENT,
    ROW,
    Finding,
    Grade,
    SubmittedFile,
)
from pipeline.text import key, only_dashes

_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
_MULTIPLIERS = {"万": Decimal(10_000), "千": Decimal(1_000)}
_NEGATIVE_MARKS = ("△", "▲")


@dataclass(frozen=True)
class Parsed:
    """A parsed 実績値: a Decimal, None (no value) or the text as typed (not a number)."""

    value: Decimal | str | None
    warning: str = ""  # rule code of a conversion to double-check
    shown: str = ""


def parse_number(raw: object, unit: str = "", percent_format: bool = False) -> Parsed:
    """A 実績値 as a Decimal, None (no value) or the text as typed; 万/千 and percent
    formats come with the warning to double-check."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return Parsed(None)
    if isinstance(raw, bool | dt.date | dt.time | dt.timedelta):
        return Parsed(_quoted(raw))
    if isinstance(raw, int):
        return Parsed(Decimal(raw))
    if isinstance(raw, float | Decimal):
        number = _decimal(str(raw))
        if number is None:
            return Parsed(_quoted(raw))
        if percent_format and key(unit) == "%":
            return Parsed(number * 100, "V11", _plain(number * 100))
        return Parsed(number)
    return _parse_text(str(raw), unit)


def _parse_text(raw: str, unit: str) -> Parsed:
    text = unicodedata.normalize("NFKC", raw).strip()
    text = re.sub(r"\s+", "", text)
    if only_dashes(text):
        return Parsed(None)
    sign = Decimal(1)
    if text.startswith(_NEGATIVE_MARKS):
        sign, text = Decimal(-1), text[1:]
    text = _THOUSANDS.sub("", text)
    unit_key = key(unit).replace(" ", "")
    if unit_key and text.endswith(unit_key) and len(text) > len(unit_key):
        text = text[: -len(unit_key)]
    multiplier = _MULTIPLIERS.get(text[-1:]) if len(text) > 1 else None
    if multiplier is not None:
        text = text[:-1]
    number = _decimal(text)
    if number is None:
        return Parsed(raw)
    if sign < 0:
        number = -number
    if multiplier is not None:
        with localcontext() as exact:
            exact.prec, exact.Emax = 100, MAX_EMAX
            try:
                number = number * multiplier
            except ArithmeticError:
                return Parsed(raw)
        return Parsed(number, "V10", _plain(number))
    return Parsed(number)


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?", re.IGNORECASE)  # compiled once


def _decimal(text: str) -> Decimal | None:
    if not _NUMBER.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _plain(number: Decimal) -> str:
    return format(number.normalize(), "f")


def _quoted(raw: object) -> str:
    return raw.isoformat() if isinstance(raw, dt.date | dt.time) else str(raw)


def parse_grade(raw: object, grades: tuple[Grade, ...]) -> str | None:
    """'Ａ', 'a', 'A評価', '着実に進捗した' -> 'A'; anything else is returned as typed."""
    text = key(raw).replace(" ", "")
    if not text:
        return None
    candidate = text.upper().removesuffix("評価").removeprefix("評価")
    for grade in grades:
        if candidate == grade.code or text == key(grade.label):
            return grade.code
    return str(raw).strip()


def parse_choice(raw: object, choices: tuple[str, ...]) -> str | None:
    """One of `choices` however typed (width, spaces), else the text as typed; None when empty."""
    text = key(raw).replace(" ", "")
    if not text:
        return None
    return next((c for c in choices if key(c) == text), str(raw).strip())


def parse_text(raw: object) -> str | None:
    """Text without surrounding spaces; None when empty."""
    text = "" if raw is None else str(raw).strip()
    return text or None


def normalise(
    raw: pd.DataFrame, grades: tuple[Grade, ...], files: Mapping[str, SubmittedFile]
) -> tuple[pd.DataFrame, list[Finding]]:
    """Add typed columns to the merged rows (schemas.frames.MatchedRows -> TypedRows);
    conversions to double-check become warnings."""
    from schemas.frames import check_matched, check_typed  # pandera: imported while files are read

    check_matched(raw)
    cells = [c for c in raw.columns if c not in _NOT_CELLS]
    raw = raw.copy()
    raw[cells] = raw[cells].astype(object).where(raw[cells].notna(), None)  # NaN: empty cells
    overlong = _overlong(raw, files)  # before the text columns are replaced below
    typed = raw  # a copy already: the typed columns are added to it
    findings: list[Finding] = []
    actuals: list[object] = []
    qualitative = _Memo(lambda direction: key(direction) == L.DIRECTION_QUALITATIVE)
    number_of = _Memo(lambda cell: parse_number(cell[1], cell[2], cell[3]))
    for record in tuples(raw, (FILE, ROW, L.NUMBER, L.UNIT, L.DIRECTION, L.ACTUAL, PERCENT)):
        file, row, number, unit, direction, actual, percent = record
        if qualitative(direction):
            actuals.append(parse_text(actual))
            continue
        unit_text = "" if unit is None else str(unit)
        cell = (actual.__class__, actual, unit_text, bool(percent))
        parsed: Parsed = number_of(cell) if _alike(actual) else parse_number(*cell[1:])
        actuals.append(parsed.value)
        if parsed.warning:
            at = (files[file], int(row), L.ACTUAL, str(number or ""))
            findings.append(cell_finding(parsed.warning, *at, value=actual, parsed=parsed.shown))
    typed[ACTUAL_VALUE] = pd.Series(actuals, index=raw.index, dtype=object)
    typed[GRADE_CODE] = _each(raw[L.GRADE], lambda v: parse_grade(v, grades))
    typed[OUTLOOK_CHOICE] = _each(raw[L.OUTLOOK], lambda v: parse_choice(v, L.OUTLOOK_CHOICES))
    for label in (L.WORK_DONE, L.ISSUES, L.PARTNERS):
        if label in raw.columns:  # 協働の相手: plans graded per project only
            typed[label] = _each(raw[label], parse_text)
    findings += overlong
    return check_typed(typed), findings


class _Memo:
    """`parse` of each distinct (hashable) argument worked out once: the same units, directions
    and values come round in every file (a Parsed is immutable, so rows may share one)."""

    def __init__(self, parse: Callable[[Any], Any]) -> None:
        self._parse = parse
        self._known: dict[object, object] = {}

    def __call__(self, value: Any) -> Any:
        try:
            found = self._known.get(value, _NOT_KNOWN)
        except TypeError:  # unhashable: parsed as it is
            return self._parse(value)
        if found is _NOT_KNOWN:
            found = self._known[value] = self._parse(value)
        return found


_NOT_KNOWN = object()


def _alike(value: object) -> bool:
    """Whether values of its kind equal to `value` parse alike (not so 0.0 and -0.0, nor a
    Decimal's exponent: '1.0' and '1')."""
    kind = value.__class__
    return kind is str or kind is int or value is None or (kind is float and value != 0)


_NOT_CELLS = (ROW, PERCENT)  # the raw rows' integer and boolean columns: kept as they are


def _each(column: pd.Series, parse: Callable[[object], object]) -> pd.Series:
    """Parse every value into an object column (pandas would turn None into NaN in a str column).
    Each distinct value is parsed once: a grade column holds a handful of them."""
    values = column.tolist()
    if _TEXTS.issuperset(map(type, values)):  # texts and blanks: equal values parse alike
        known = {v: parse(v) for v in dict.fromkeys(values)}
        return pd.Series(list(map(known.__getitem__, values)), index=column.index, dtype=object)
    by_kind = _Memo(lambda kind_and_value: parse(kind_and_value[1]))  # 1 and True apart
    out = [by_kind((type(value), value)) for value in values]
    return pd.Series(out, index=column.index, dtype=object)


CELL_TEXT_LIMIT = 32_767  # Excel's limit for one cell
_TEXTS = frozenset({str, type(None)})


def _too_long(value: object) -> bool:
    return isinstance(value, str) and len(value) > CELL_TEXT_LIMIT


def _distinct(values: list[object]) -> Iterable[object]:
    try:
        return dict.fromkeys(values)
    except TypeError:  # an unhashable value: every value
        return values


def _overlong(raw: pd.DataFrame, files: Mapping[str, SubmittedFile]) -> list[Finding]:
    """Text longer than a cell can hold is reported here and cut visibly when written."""
    found = []
    for label in (*L.EDITABLE_COLUMNS, L.PARTNERS):
        if label not in raw.columns:
            continue
        values = raw[label].tolist()
        if not any(_too_long(v) for v in _distinct(values)):
            continue  # each distinct text measured once (most repeat, none is too long)
        long = [i for i, v in enumerate(values) if _too_long(v)]
        for file, row, number, value in tuples(raw.iloc[long], (FILE, ROW, L.NUMBER, label)):
            if isinstance(value, str):
                at = (files[file], int(row), label, str(number or ""))
                shown = value[:50] + "…"
                found.append(cell_finding("V13", *at, column=label, length=len(value), value=shown))
    return found
