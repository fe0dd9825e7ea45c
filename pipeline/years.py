"""Fiscal years (年度, April-March) and the Japanese era names (和暦) people write them in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from pipeline.text import key

# era -> (first western year of the era's year 1, names it is written as)
_ERAS: dict[str, tuple[int, tuple[str, ...]]] = {
    "令和": (2019, ("令和", "R")),
    "平成": (1989, ("平成", "H")),
    "昭和": (1926, ("昭和", "S")),
}
_ERA_PATTERN = re.compile(
    r"^(?P<era>令和|平成|昭和|R|H|S)\s*(?P<n>元|\d{1,3})\s*(?:年度|年)?$", re.IGNORECASE
)
_WESTERN_PATTERN = re.compile(r"^(?:FY\s*)?(?P<y>\d{4})\s*(?:年度|年)?$", re.IGNORECASE)

MIN_YEAR, MAX_YEAR = 1950, 2200
JST = timezone(timedelta(hours=9), "JST")


class YearError(ValueError):
    """A value that is not a fiscal year in any accepted form."""


def parse_fiscal_year(value: object) -> int:
    """2024, '2024年度', 'FY2024', '令和6年度', 'R6', 'H31', '平成32年度', '令和元年度', ..."""
    if isinstance(value, bool):
        raise YearError(str(value))
    if isinstance(value, int | float) and float(value).is_integer():
        year = int(value)
    else:
        text = key(value).replace(" ", "")
        year = _parse_text(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise YearError(str(value))
    return year


def _parse_text(text: str) -> int:
    western = _WESTERN_PATTERN.match(text)
    if western:
        return int(western["y"])
    era = _ERA_PATTERN.match(text)
    if not era:
        raise YearError(text)
    name = era["era"].upper()
    start = next(first for first, names in _ERAS.values() if name in names)
    number = 1 if era["n"] == "元" else int(era["n"])
    if number < 1:
        raise YearError(text)
    return start + number - 1


def era_name(year: int) -> str:
    """'令和6年度' for 2024, '令和元年度' for 2019, '平成30年度' for 2018 (fiscal years)."""
    for name, (start, _) in _ERAS.items():
        if year >= start:
            number = year - start + 1
            return f"{name}{'元' if number == 1 else number}年度"
    return f"{year}年度"


def display(year: int) -> str:
    """'令和6年度（2024年度）'."""
    return f"{era_name(year)}（{year}年度）"


TIME_FORMAT = "%Y/%m/%d %H:%M:%S"  # the one way a time is shown (always Japan time)


def now() -> datetime:
    """The current time in Japan, to the second, whatever the machine's zone."""
    return datetime.now(JST).replace(microsecond=0)


def in_japan(moment: datetime) -> datetime:
    """`moment` in Japan time; a naive time is taken as Japan time already."""
    return moment.replace(tzinfo=JST) if moment.tzinfo is None else moment.astimezone(JST)


def shown(moment: datetime) -> str:
    """'2025/06/30 14:05:09' in Japan time."""
    return in_japan(moment).strftime(TIME_FORMAT)


def _parsed(iso: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_time(iso: str) -> str:
    """'2025-05-20T09:00:00Z' -> '2025/05/20 18:00:00' in Japan time (JST, no daylight saving).

    An ISO time without a zone is UTC (as docProps and file times are written)."""
    if not iso:
        return ""
    moment = _parsed(iso)
    return iso if moment is None else shown(moment)


def iso_japan(iso: str) -> str:
    """An ISO time as ISO 8601 in Japan time with '+09:00' (for CSV and the store); '' stays ''."""
    moment = _parsed(iso) if iso else None
    return iso if moment is None else in_japan(moment).isoformat(timespec="seconds")


def file_label(year: int) -> str:
    """'2024年度': the form used in file names."""
    return f"{year}年度"
