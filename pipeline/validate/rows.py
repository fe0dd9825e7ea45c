"""Which rows a finding falls on: rows with an エラー are rejected, rows with a 警告 flagged.

Findings carry their row as a number (Finding.row), so nothing here reads A1 text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pandas as pd

from pipeline import labels as L
from pipeline.model import FILE, PLAN_NUMBER, ROW, TARGET_SEQ, Finding


def rows_with(findings: Iterable[Finding], severity: str) -> set[tuple[str, int]]:
    """(file, row) of every data row with a finding of `severity` on one of its cells."""
    return {
        (f.file, f.row)
        for f in findings
        if f.severity == severity and f.row is not None and f.sheet == L.PROGRESS_SHEET
    }


def row_mask(frame: pd.DataFrame, rows: set[tuple[str, int]]) -> pd.Series:
    """True for each row of `frame` (FILE, ROW) among `rows`."""
    mask = [(f, int(r)) in rows for f, r in zip(frame[FILE], frame[ROW], strict=True)]
    return pd.Series(mask, index=frame.index, dtype=bool)


def keys(frame: pd.DataFrame) -> Iterator[tuple[str, int]]:
    """(整理番号, target seq) of each matched row of `frame`."""
    for number, seq in zip(frame[PLAN_NUMBER], frame[TARGET_SEQ], strict=True):
        if number is not None:
            yield str(number), int(seq)
