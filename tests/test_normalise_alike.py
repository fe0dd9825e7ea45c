"""normalise parses each distinct 実績値 once (the same values come round in every file): the
rows that share a parse must be exactly those a row-by-row parse would give alike — not 0.0
and -0.0, not Decimals spelled with another exponent, not 1 and True."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import labels as L
from pipeline.model import ACTUAL_VALUE, FILE, PERCENT, ROW, SubmittedFile
from pipeline.normalise import normalise, parse_number
from schemas.frames import MatchedRows
from tests.stageframes import complete
from tests.test_normalise_rows import GRADES

FILES = {"a.xlsx": SubmittedFile("a.xlsx", 1, "", columns=((L.ACTUAL, "H"),))}
CELLS = st.one_of(
    st.sampled_from([0.0, -0.0, 1, 1.0, True, False, "1", " 1 ", "1.0", "△1", "1千", "", None]),
    st.sampled_from([Decimal("1"), Decimal("1.0"), Decimal("-0"), Decimal("0"), 0.5, -2.5]),
    st.integers(-3, 3),
    st.text("0１2.,万千件%－ ", max_size=5),
)


def _typed(actuals: list[object], units: list[str], percents: list[bool]) -> pd.DataFrame:
    rows = [
        ("a.xlsx", 7 + i, f"1-{i}", unit, "増加", actual, percent)
        for i, (actual, unit, percent) in enumerate(zip(actuals, units, percents, strict=True))
    ]
    columns = [FILE, ROW, L.NUMBER, L.UNIT, L.DIRECTION, L.ACTUAL, PERCENT]
    frame = pd.DataFrame(rows, columns=columns)
    frame[L.ACTUAL] = pd.Series(actuals, index=frame.index, dtype=object)  # as read: 0 stays int
    typed, _ = normalise(complete(frame, MatchedRows), GRADES, FILES)
    return typed


def _same(a: object, b: object) -> bool:
    """Equal and spelled alike (Decimal('1.0') == Decimal('1'), but they are not shown alike)."""
    return type(a) is type(b) and repr(a) == repr(b)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(CELLS, st.sampled_from(["件", "%", ""]), st.booleans()), max_size=12))
def test_each_row_parses_as_it_would_alone(cells: list[tuple[object, str, bool]]) -> None:
    actuals = [c[0] for c in cells]
    typed = _typed(actuals, [c[1] for c in cells], [c[2] for c in cells])
    for (actual, unit, percent), got in zip(cells, typed[ACTUAL_VALUE].tolist(), strict=True):
        expected = parse_number(actual, unit, percent).value
        assert _same(got, expected), (actual, unit, percent, got, expected)


def test_zero_and_minus_zero_stay_apart() -> None:
    typed = _typed([0.0, -0.0, Decimal("1"), Decimal("1.0")], ["件"] * 4, [False] * 4)
    shown = [str(v) for v in typed[ACTUAL_VALUE].tolist()]
    assert shown == ["0.0", "-0.0", "1", "1.0"]
