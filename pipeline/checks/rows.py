"""Which rows a finding falls on: rows with an エラー are rejected, rows with a 警告 flagged.

Findings carry their row as a number (Finding.row), so nothing here reads A1 text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

import pandas as pd

from pipeline import labels as L
from pipeline.model import (
    FILE,
    PLAN_NUMBER,
    ROW,
    TARGET_SEQ,
    Finding,
    Plan,
    RowState,
    SubmittedFile,
)


def rows_with(findings: Iterable[Finding], severity: str) -> set[tuple[str, int]]:
    """(file, row) of every data row with a finding of `severity` on one of its cells."""
    return {
        (f.file, f.row)
        for f in findings
        if f.severity == severity and f.row is not None and f.sheet == L.PROGRESS_SHEET
    }


def row_mask(frame: pd.DataFrame, rows: set[tuple[str, int]]) -> pd.Series:
    """True for each row of `frame` (FILE, ROW) among `rows`."""
    if not rows:  # a clean batch: no row to look up
        return pd.Series(False, index=frame.index, dtype=bool)
    mask = [(f, int(r)) in rows for f, r in zip(frame[FILE], frame[ROW], strict=True)]
    return pd.Series(mask, index=frame.index, dtype=bool)


def keys(frame: pd.DataFrame) -> Iterator[tuple[str, int]]:
    """(整理番号, target seq) of each matched row of `frame`."""
    for number, seq in zip(frame[PLAN_NUMBER], frame[TARGET_SEQ], strict=True):
        if number is not None:
            yield str(number), int(seq)


def row_state(
    plan: Plan,
    year: int,
    typed: pd.DataFrame,
    rejected: pd.Series,
    findings: Sequence[Finding],
    in_use: Mapping[str, SubmittedFile],
) -> RowState:
    """What the 注記 flags need beyond the counted rows, from the typed rows
    (schemas.frames.TypedRows): departments with a file in use, rows reported, rows rejected
    (every unit of a department whose file was rejected whole, too) and rows with a 警告."""
    unreadable = {d for d, f in in_use.items() if not f.readable}
    rejected_whole = {
        (p.number, t.seq if t else 0) for p, t in plan.units(year) if p.department in unreadable
    }
    return RowState(
        submitted=frozenset(in_use),
        reported=frozenset(keys(typed)),
        rejected=frozenset(keys(typed[rejected])) | rejected_whole,
        warned=frozenset(keys(typed[row_mask(typed, rows_with(findings, L.WARNING))])),
    )
