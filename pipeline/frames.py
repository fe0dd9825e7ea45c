"""Rows of a DataFrame as plain Python values, fast: `DataFrame.to_dict("records")` and
`itertuples` box every value one by one and cost microseconds a cell at a million rows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

import pandas as pd


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row as {column: value}, values as Python objects (like to_dict('records'))."""
    columns = [str(c) for c in frame.columns]
    return [dict(zip(columns, values, strict=True)) for values in tuples(frame, columns)]


def tuples(frame: pd.DataFrame, columns: Sequence[str]) -> Iterator[tuple[Any, ...]]:
    """The values of `columns`, row by row."""
    return zip(*(frame[c].tolist() for c in columns), strict=True) if len(columns) else iter(())


def typed_frame(columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]]) -> pd.DataFrame:
    """`rows` as a frame typed by each column's kind (model.ColumnKind): "int" as nullable
    Int64, "number" and "percent" as nullable Float64 (percent to the one decimal shown), text as
    typed (no CSV guard; an empty cell is ""). A figure column holding text stays as typed."""
    data: dict[str, Any] = {}
    for i, (name, kind) in enumerate(columns):
        values = [row[i] for row in rows]
        data[name] = _typed(values, kind)
    return pd.DataFrame(data, columns=[name for name, _ in columns])


def _typed(values: list[Any], kind: str) -> Any:
    figures = all(
        v is None or (isinstance(v, int | float | Decimal) and not isinstance(v, bool))
        for v in values
    )
    if kind == "int" and figures and all(v is None or int(v) == v for v in values):
        return pd.array([None if v is None else int(v) for v in values], dtype="Int64")
    if kind in ("int", "number", "percent") and figures:
        shown = [
            None if v is None else float(f"{v:.1f}" if kind == "percent" else v) for v in values
        ]
        return pd.array(shown, dtype="Float64")
    if kind in ("int", "number", "percent"):  # figures mixed with text (目標値 "―"): as typed
        return pd.Series([_plain(v) for v in values], dtype=object)
    cells = ["" if v is None else v for v in values]
    return pd.Series(cells, dtype="str" if all(type(v) is str for v in cells) else object)


def _plain(value: Any) -> Any:
    """A figure as float and anything else as it is (None for an empty cell)."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    return value
