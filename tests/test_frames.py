"""frames.records/tuples: the fast row iteration gives what pandas' own (slow) way gives."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from pipeline.frames import records, tuples

_VALUE = st.one_of(st.none(), st.integers(), st.text(max_size=5), st.booleans())


@given(st.lists(st.tuples(_VALUE, _VALUE, st.integers(-(2**62), 2**62)), max_size=20))
def test_records_equal_pandas_to_dict(rows: list[tuple[object, object, int]]) -> None:
    frame = pd.DataFrame(
        {
            "a": pd.Series([r[0] for r in rows], dtype=object),
            "b": pd.Series([r[1] for r in rows], dtype=object),
            "n": pd.Series([r[2] for r in rows], dtype="int64"),
        }
    )
    assert records(frame) == frame.to_dict("records")
    assert list(tuples(frame, ("n", "a"))) == [(n, a) for a, _, n in rows]


def test_no_rows_and_no_columns() -> None:
    assert records(pd.DataFrame({"a": pd.Series(dtype=object)})) == []
    assert list(tuples(pd.DataFrame(), ())) == []
