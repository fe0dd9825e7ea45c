"""Every workbook shinchoku writes: atomic, text stays text, over-long text cut visibly."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline.xlsx import CELL_TEXT_LIMIT, atomic_path, cut_text, new_workbook, write_cell


def test_a_failed_write_leaves_no_file_and_keeps_the_previous_one(tmp_path: Path) -> None:
    final = tmp_path / "out.xlsx"
    final.write_bytes(b"previous run")
    with pytest.raises(RuntimeError), new_workbook(final) as book:
        sheet = book.add_worksheet("s")
        write_cell(sheet, 0, 0, "half written")
        raise RuntimeError("killed mid-write")
    assert final.read_bytes() == b"previous run"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xlsx"]  # no temporary left behind


def test_atomic_path_renames_only_on_success(tmp_path: Path) -> None:
    final = tmp_path / "a.csv"
    with atomic_path(final) as temporary:
        temporary.write_text("x")
        assert not final.exists()
    assert final.read_text() == "x"


def test_formula_like_text_is_written_as_text(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    texts = ['=HYPERLINK("http://evil","click")', "+1+1", "-2", "@SUM(A1)", "http://example.com"]
    with new_workbook(path) as book:
        sheet = book.add_worksheet("s")
        for row, text in enumerate(texts):
            write_cell(sheet, row, 0, text)
    cells = [row[0] for row in load_workbook(path)["s"].iter_rows()]
    assert [c.value for c in cells] == texts
    assert all(c.data_type == "s" for c in cells) and not any(c.hyperlink for c in cells)


def test_text_over_the_cell_limit_is_cut_visibly(tmp_path: Path) -> None:
    long = "あ" * (CELL_TEXT_LIMIT + 10)
    cut, was_cut = cut_text(long)
    assert was_cut and len(cut) == CELL_TEXT_LIMIT and cut.endswith("以下省略）")
    path = tmp_path / "t.xlsx"
    with new_workbook(path) as book:
        assert write_cell(book.add_worksheet("s"), 0, 0, long) is True
    assert len(load_workbook(path)["s"]["A1"].value) == CELL_TEXT_LIMIT
