"""The summary line of a run adds up: 読込 = 集計 + 除外, and 除外 = エラーの行 +
使わなかったファイルの行. A trial slip that printed the error rows as 除外 passed the suite, as no
CLI fixture had a superseded file (so both were equal). Here a department sent two files."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from click.testing import CliRunner

from pipeline.cli import main
from tests.hostile import YEAR, edited, make_base

SUMMARY = re.compile(
    r"行: 読込 (\d+) = 集計 (\d+) \+ 除外 (\d+)（エラーの行 (\d+)、使わなかったファイルの行 (\d+)）"
)


def test_rows_of_a_superseded_file_are_counted_as_excluded(tmp_path: Path) -> None:
    base = make_base(tmp_path / "base")
    folder = tmp_path / "in"
    # the file in use (saved last): one row with an error (V01); an older copy, 4 rows unused
    edited({"H7": "未集計"}, saved_at=dt.datetime(2025, 6, 30, 1, tzinfo=dt.UTC))(base, folder)
    older = dt.datetime(2025, 6, 1, 1, tzinfo=dt.UTC)
    edited(name="古い版/A課.xlsx", saved_at=older)(base, folder)
    args = ["validate", str(base.master), str(folder), "--year", str(YEAR)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    found = SUMMARY.search(result.output)
    assert found is not None, result.output
    assert tuple(map(int, found.groups())) == (8, 3, 5, 1, 4), result.output
