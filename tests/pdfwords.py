"""Words of a PDF with their font size as printed, to check that a printout can be read."""

from __future__ import annotations

from pathlib import Path


def word_sizes(pdf: Path) -> list[tuple[str, float]]:
    """(word, size in points) for every word on every page, the size as drawn on the paper (a
    sheet printed at 85 % gives 10-pt text 8.5 pt)."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return [
            (word["text"], float(word["size"]))
            for page in document.pages
            for word in page.extract_words(extra_attrs=["size"])
        ]


def share_at_least(pdf: Path, points: float) -> float:
    """The share of words printed at `points` or more (0.0 for a PDF without text)."""
    sizes = word_sizes(pdf)
    return sum(1 for _, size in sizes if size >= points - 0.05) / len(sizes) if sizes else 0.0


def visible_pages(pdf: Path) -> list[str]:
    """Each page's text as printed: words inside the paper only (a drawing that runs past the
    page edge keeps its text in the file, clipped), without spaces."""
    import pdfplumber

    with pdfplumber.open(pdf) as document:
        return [
            "".join(
                word["text"]
                for word in page.extract_words()
                if word["top"] >= 0 and word["bottom"] <= page.height
            )
            for page in document.pages
        ]
