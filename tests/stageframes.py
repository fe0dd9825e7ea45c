"""Frames of one stage's shape (schemas/frames.py) from the few columns a test is about."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from pipeline.model import FILE, PERCENT, ROW, ZERO_DENOMINATOR
from schemas.frames import schema_of

_FILLED: dict[str, object] = {FILE: "a.xlsx", PERCENT: False, ZERO_DENOMINATOR: False}


def complete(frame: pd.DataFrame, model: type[pa.DataFrameModel]) -> pd.DataFrame:
    """`frame` with every column of `model` it lacks: empty cells (None), sheet rows from 7, no
    percent format; the values it has are kept, in object columns as the reader makes them."""
    frame = frame.copy()
    for column in schema_of(model).columns:
        if column in frame.columns:
            continue
        if column == ROW:
            frame[column] = range(7, 7 + len(frame))
        elif column in _FILLED:
            frame[column] = pd.Series([_FILLED[column]] * len(frame), index=frame.index)
        else:
            frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    typed = {ROW: "int64", PERCENT: bool, ZERO_DENOMINATOR: bool}
    return frame.astype({c: typed.get(c, object) for c in frame.columns})
