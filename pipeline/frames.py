"""Rows of a DataFrame as plain Python values and back, fast: `DataFrame.to_dict("records")`
and `itertuples` box every value one by one and cost microseconds a cell at a million rows;
rows as lists become one object block (grid_frame), every file's matched rows one frame."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # the floor's own helpers: nothing of the package imported here
    from pipeline.model import PlainMatched


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


def object_grid(rows: Sequence[Sequence[object]], width: int) -> np.ndarray[Any, np.dtype[Any]]:
    """`rows` (each `width` Python values) as a 2-D object array, the values as they are."""
    grid = np.empty((len(rows), width), dtype=object)
    for r, row in enumerate(rows):
        grid[r] = row
    return grid


def grid_frame(
    grid: np.ndarray[Any, np.dtype[Any]],
    columns: Sequence[str],
    dtypes: Mapping[str, Any],
    index: pd.Index | None = None,
) -> pd.DataFrame:
    """A frame of `grid` (rows x columns of Python values): the columns named in `dtypes`
    converted to theirs, every other one an object column, all of these one block — 3x
    cheaper than a frame of objects retyped column by column."""
    typed = [j for j, c in enumerate(columns) if c in dtypes]
    plain = [j for j in range(len(columns)) if j not in typed]
    frame = pd.DataFrame(
        grid[:, plain], columns=[columns[j] for j in plain], index=index, dtype=object
    )
    for j in typed:  # in order: every column before j is in place
        frame.insert(j, columns[j], grid[:, j].astype(dtypes[columns[j]]))
    return frame


def matched_frame(parts: Sequence[PlainMatched]) -> pd.DataFrame:
    """The rows of `parts` (one or more files' matched rows) as one frame, as concatenating
    each part's frame gives it: one grid when all parts have the same columns and dtypes."""
    first = parts[0]
    if any(p.columns != first.columns or p.dtypes != first.dtypes for p in parts):
        return pd.concat([p.frame() for p in parts], ignore_index=True)
    rows = [row for part in parts for row in part.rows]
    return grid_frame(object_grid(rows, len(first.columns)), first.columns, first.dtypes)
