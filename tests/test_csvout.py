"""The published CSV files (report/csvout.py): numbers, negative ones included, stay numbers;
text that a spreadsheet would run as a formula gets a leading quote; the bytes are fixed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.model import Column, Table
from pipeline.report.csvout import csv_cell, csv_text, write_csv


@pytest.mark.parametrize(
    ("value", "kind", "written"),
    [
        (Decimal(-5), "number", "-5"),  # △5 as typed: a number, never the text '-5
        (Decimal("-80.0"), "percent", "-80.0"),  # a negative 達成率
        (Decimal("-0.5"), "number", "-0.5"),
        (-3, "int", "-3"),
        (-2.5, "number", "-2.5"),
        (Decimal("1200.0"), "number", "1200"),
        (Decimal("1E+3"), "number", "1000"),
        (Decimal("0.50"), "number", "0.5"),
        (Decimal("62"), "percent", "62.0"),
        (Decimal("33.3"), "percent", "33.3"),
        (0, "int", "0"),
        (None, "percent", ""),
        (True, "text", "True"),
    ],
)
def test_numbers_are_written_as_numbers(value: object, kind: str, written: str) -> None:
    assert csv_cell(value, kind) == written


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("-5", "'-5"),  # text that looks like a number is still text
        ("@SUM(1)", "'@SUM(1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("相談会を開催。", "相談会を開催。"),
        ("1-(1)-①", "1-(1)-①"),
        (" =1", " =1"),
        ("", ""),
    ],
)
def test_text_starting_like_a_formula_gets_a_leading_quote(text: str, written: str) -> None:
    assert csv_cell(text, "text") == written


def test_file_is_utf8_with_bom_crlf_and_only_csv_columns(tmp_path: Path) -> None:
    table = Table(
        "概要",
        (Column("区分"), Column("隠す", in_csv=False), Column("A割合", "percent")),
        [("全体", "x", Decimal("62")), ("=危険", "y", None), ("分野一", "z", Decimal("-1.5"))],
    )
    path = write_csv(table, tmp_path)
    assert path == tmp_path / "概要.csv"
    data = path.read_bytes()
    assert data == ("\ufeff区分,A割合\r\n全体,62.0\r\n'=危険,\r\n分野一,-1.5\r\n".encode())


@given(
    st.lists(
        st.tuples(
            st.text(),
            st.decimals(allow_nan=False, allow_infinity=False, places=1, max_value=10**6),
        ),
        max_size=8,
    )
)
def test_any_table_reads_back_from_its_csv(rows: list[tuple[str, Decimal]]) -> None:
    import tempfile

    table = Table("表", (Column("名前"), Column("割合", "percent")), rows)
    with tempfile.TemporaryDirectory() as folder:
        path = write_csv(table, Path(folder))
        first = path.read_bytes()
        assert write_csv(table, Path(folder)).read_bytes() == first  # byte-identical again
        with path.open(encoding="utf-8-sig", newline="") as handle:
            read = list(csv.reader(handle))
    assert read[0] == ["名前", "割合"]
    assert len(read) == len(rows) + 1
    for (name, share), (name_read, share_read) in zip(rows, read[1:], strict=True):
        unquoted = name_read[1:] if name.startswith(("=", "+", "-", "@", "\t", "\r")) else name_read
        assert unquoted == name
        assert Decimal(share_read) == share


_CELLS = st.one_of(
    st.none(),
    st.text(alphabet=st.sampled_from("=+-@\t\r 1a,\"'事△")),
    st.integers(-(10**6), 10**6),
    st.decimals(
        allow_nan=False, allow_infinity=False, places=3, min_value=-(10**6), max_value=10**6
    ),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
)
_COLUMNS = st.lists(
    st.tuples(st.sampled_from(["text", "int", "number", "percent"]), st.booleans()),
    min_size=1,
    max_size=4,
).filter(lambda columns: any(kept for _, kept in columns))  # every table has a CSV column


@given(columns=_COLUMNS, data=st.data())
def test_the_column_at_a_time_writer_agrees_with_one_cell_at_a_time(
    columns: list[tuple[str, bool]], data: st.DataObject
) -> None:
    """csv_text caches each distinct text and decimal per column: the file must be exactly the
    one csv.writer gives from csv_cell of every kept cell (header first, CRLF)."""
    rows = data.draw(st.lists(st.tuples(*(_CELLS for _ in columns)), max_size=6))
    table = Table(
        "表",
        tuple(Column(f"列{i}", kind, kept) for i, (kind, kept) in enumerate(columns)),  # type: ignore[arg-type]
        rows,
    )
    kept = [(i, kind) for i, (kind, in_csv) in enumerate(columns) if in_csv]
    expected = io.StringIO(newline="")
    writer = csv.writer(expected, lineterminator="\r\n")
    writer.writerow([f"列{i}" for i, _ in kept])
    writer.writerows([csv_cell(row[i], kind) for i, kind in kept] for row in rows)
    assert csv_text(table) == expected.getvalue()
