"""frames.matched_frame: the workers' matched rows (model.PlainMatched, lists) made into one
frame by the batch — the very frame that concatenating one frame a file gave (values, dtypes,
a fresh index), whatever the files' rows; parts of other columns are concatenated as frames."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.frames import grid_frame, matched_frame, object_grid
from pipeline.model import PERCENT, PLAN_NUMBER, RAW_DTYPES, ROW, TARGET_SEQ, PlainMatched

COLUMNS = ("file", ROW, "整理番号", "実績値", PERCENT, TARGET_SEQ, PLAN_NUMBER)
CELLS = st.one_of(
    st.none(),
    st.text(max_size=4),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.booleans(),
    st.just(Decimal("1.50")),
    st.just(datetime(2025, 4, 1)),
)


def _row(draw: st.DrawFn) -> list[object]:
    return [
        draw(st.text(max_size=3)),
        draw(st.integers(1, 10_000)),
        draw(CELLS),
        draw(CELLS),
        draw(st.booleans()),
        draw(st.one_of(st.none(), st.integers(0, 3))),
        draw(st.one_of(st.none(), st.text(max_size=3))),
    ]


@st.composite
def parts(draw: st.DrawFn) -> list[PlainMatched]:
    files = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    return [PlainMatched(COLUMNS, [_row(draw) for _ in range(n)], RAW_DTYPES) for n in files]


def _concatenated(found: list[PlainMatched]) -> pd.DataFrame:
    """What the batch did before: one frame a file (built as the worker built it), concatenated."""
    frames = [grid_frame(object_grid(p.rows, len(p.columns)), p.columns, p.dtypes) for p in found]
    return pd.concat(frames, ignore_index=True)


@settings(max_examples=25, deadline=None)
@given(parts())
def test_one_frame_of_every_files_rows_is_the_concatenation_of_their_frames(
    found: list[PlainMatched],
) -> None:
    merged = matched_frame(found)
    pd.testing.assert_frame_equal(merged, _concatenated(found), check_exact=True)
    assert merged[ROW].dtype == np.int64 and merged[PERCENT].dtype == bool
    assert merged[TARGET_SEQ].dtype == object and isinstance(merged.index, pd.RangeIndex)
    kept = [j for j, c in enumerate(COLUMNS) if c not in RAW_DTYPES]  # the cells, as they were
    values = [row[j] for p in found for row in p.rows for j in kept]
    cells = merged[[COLUMNS[j] for j in kept]].to_numpy(dtype=object).ravel()
    assert all(a is b for a, b in zip(cells, values, strict=True))


def test_parts_of_other_columns_are_concatenated_as_frames() -> None:
    narrow = PlainMatched(("整理番号", TARGET_SEQ), [["1-①", 1]], {})
    wide = PlainMatched(("整理番号", TARGET_SEQ, PLAN_NUMBER), [["2-①", None, None]], {})
    merged = matched_frame([narrow, wide])
    assert list(merged.columns) == ["整理番号", TARGET_SEQ, PLAN_NUMBER]
    assert merged["整理番号"].tolist() == ["1-①", "2-①"]
    assert narrow.frame()[TARGET_SEQ].tolist() == [1]
