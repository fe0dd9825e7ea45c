"""Rows of a DataFrame as plain Python values, fast: `DataFrame.to_dict("records")` and
`itertuples` box every value one by one and cost microseconds a cell at a million rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row as {column: value}, values as Python objects (like to_dict('records'))."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, values, strict=True)) for values in tuples(frame, columns)]


def tuples(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The values of `columns`, row by row."""
    return zip(*(frame[c].tolist() for c in columns), strict=True) if len(columns) else iter(())
