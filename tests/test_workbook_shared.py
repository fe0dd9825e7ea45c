"""The committee workbook's shared strings (report/workbook.py, _share_texts): a chunk of rows
taken in one pass must number each text as write_string would — row by row, left to right, in
the order each text first appears — and count every text cell; values equal to each other but
written differently (1, 1.0, True, Decimal(1)) must not be taken for one another."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.report import workbook

VALUES = st.one_of(
    st.sampled_from(["a", "b", "", " a", "市民局", None, 1, 1.0, True, False, 0, Decimal(1)]),
    st.sampled_from([Decimal("2.5"), 2.5, float("inf"), "True", "1"]),
    st.text("ab市", max_size=3),
)


class _Table:
    """What xlsxwriter's shared string table holds: the next number and the cell count."""

    unique_count = 0
    count = 0


def _by_cell(rows: list[tuple[object, ...]]) -> tuple[dict[str, int], int]:
    """The numbering write_string gives, cell by cell (the reference)."""
    index: dict[str, int] = {}
    count = 0
    for row in rows:
        for value in row:
            text = workbook._text_of(value)
            if text is not None:
                count += 1
                index.setdefault(text, len(index))
    return index, count


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.tuples(*[VALUES] * n), max_size=20)))
def test_shared_strings_are_numbered_as_cell_by_cell(rows: list[tuple[object, ...]]) -> None:
    index: dict[str, int] = {}
    table = _Table()
    count = 0
    for start in range(0, len(rows), 7):  # several chunks, as a long table has
        columns = list(zip(*rows[start : start + 7], strict=True))
        count += workbook._share_texts(columns, index, table)
    expected, cells = _by_cell(rows)
    assert index == expected
    assert list(index) == list(expected)  # the same order in the file
    assert count == cells and table.unique_count == len(expected)


@settings(max_examples=100, deadline=None)
@given(st.lists(VALUES, max_size=30))
def test_a_column_of_cells_is_spelled_as_value_by_value(values: list[object]) -> None:
    shared = {t: i for i, t in enumerate(dict.fromkeys(map(str, values)))}
    shared.update({t: i + len(shared) for i, t in enumerate(["", " a"])})
    texts = {workbook._text_of(v) for v in values} - {None}
    shared.update({t: len(shared) + i for i, t in enumerate(sorted(texts - set(shared)))})
    got = workbook._cell_xml(values, ' s="1"', False, shared)
    one_by_one = [workbook._cell_xml([v], ' s="1"', False, shared)[0] for v in values]
    assert got == one_by_one
