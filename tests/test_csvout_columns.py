"""The CSV writer's column pass (report/csvout.py, _column): a column of texts and blanks is
spelled once per distinct value, and must give exactly what csv_cell gives cell by cell — the
formula guard included."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.report.csvout import _column, csv_cell

TEXTS = st.one_of(
    st.none(), st.sampled_from(["=1+1", "-5", "+a", "@x", "\tt", "", "市"]), st.text()
)
ANY = st.one_of(TEXTS, st.integers(), st.decimals(allow_nan=False), st.booleans(), st.floats())


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.lists(TEXTS), st.lists(ANY)), st.sampled_from(["text", "percent", "int"]))
def test_a_column_is_spelled_as_cell_by_cell(values: list[object], kind: str) -> None:
    assert _column(values, kind) == ["" if v is None else csv_cell(v, kind) for v in values]


def test_guarded_text_stays_guarded_when_repeated() -> None:
    values = ["=SUM(A1)", None, "=SUM(A1)", "ok", Decimal("1.50")]
    assert _column(values[:4], "text") == ["'=SUM(A1)", "", "'=SUM(A1)", "ok"]
    assert _column(values, "number")[-1] == "1.5"
