"""Words of a PDF with their font size as printed, to check that a printout can be read."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Word:
    text: str
    size: float  # points as drawn on the paper (a sheet printed at 85 % gives 10-pt text 8.5 pt)
    on_paper: bool  # inside the page (a drawing past the page edge keeps its text, clipped)


def pages(pdf: Path) -> list[list[Word]]:
    """Every page's words, read once (pdfplumber; a PDF several tests look at is read once for
    them all, again only if it changed). Not to be modified by the caller."""
    stat = pdf.stat()
    return _pages(pdf, stat.st_mtime_ns, stat.st_size)


@functools.cache
def _pages(pdf: Path, mtime: int, size: int) -> list[list[Word]]:
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return [
            [
                Word(w["text"], float(w["size"]), w["top"] >= 0 and w["bottom"] <= page.height)
                for w in page.extract_words(extra_attrs=["size"])
            ]
            for page in document.pages
        ]


def share_at_least(words: list[list[Word]], points: float) -> float:
    """The share of words printed at `points` or more (0.0 for a PDF without text)."""
    sizes = [w.size for page in words for w in page]
    return sum(1 for size in sizes if size >= points - 0.05) / len(sizes) if sizes else 0.0


def smallest(words: list[list[Word]], count: int = 10) -> list[tuple[float, str]]:
    """The smallest words, for a failure message."""
    return sorted((w.size, w.text) for page in words for w in page)[:count]


def visible_text(words: list[list[Word]]) -> list[str]:
    """Each page's text as printed, without spaces."""
    return ["".join(w.text for w in page if w.on_paper) for page in words]
