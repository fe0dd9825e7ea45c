"""事業一覧 says which grade the department gave and which the rate suggests, each in its own
column: a trial slip that swapped the two passed the suite, as every fixture's self-grade agreed
with its suggestion. Here they disagree, and the CSV must say which is which."""

from __future__ import annotations

import csv

import pytest

from pipeline import labels as L
from pipeline.batch import Options, run
from tests.hostile import YEAR, edited, make_base


@pytest.fixture(scope="module")
def listing(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    root = tmp_path_factory.mktemp("slips")
    base = make_base(root / "base")
    folder = root / "in"
    # 件数: 50 of 100 (50.0 %: below B's floor of 80, so C is suggested) yet graded A (C01)
    edited({"H7": 50, "J7": "A"})(base, folder)
    out = root / "out"
    run(base.master, folder, YEAR, out, Options(workers=1))
    with (out / f"{L.LISTING_SHEET}.csv").open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def test_self_grade_and_suggested_grade_are_in_their_own_columns(
    listing: list[dict[str, str]],
) -> None:
    row = next(r for r in listing if r[L.NUMBER] == "1-(1)-①" and r[L.TARGET_NAME] == "件数")
    assert (row[L.ACTUAL], row[L.RATE], row[L.GRADE], row[L.FLOOR_GUIDE]) == (
        "50",
        "50.0",
        "A",
        "C",
    )
    assert L.FLAG_GRADE_GAP in row[L.NOTE]
