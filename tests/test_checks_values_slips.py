"""One explanation per mistake in value checks: a required cell holding an error value (#N/A) or
an uncached formula is that finding (V04, V03) alone, not also 'empty' (V05, V07, V12) — a
trial slip that forgot V04 in the filter reported such cells twice and no test noticed."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.batch import Options, check_folder
from tests.hostile import MAIN, YEAR, Base, ErrorValue, Formula, edited, make_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


@pytest.mark.parametrize(
    ("cell", "typed", "rule"),
    [
        ("J7", ErrorValue("#N/A"), "V04"),  # 自己評価: else V05 (graded row without a grade)
        ("K7", ErrorValue("#VALUE!"), "V04"),  # 取組内容: else V07
        ("J7", Formula('="A"'), "V03"),  # a formula without a result: else V05
    ],
)
def test_an_unreadable_required_cell_is_one_finding(
    cell: str, typed: str, rule: str, base: Base, tmp_path: Path
) -> None:
    folder = tmp_path / "in"
    edited({cell: typed})(base, folder)
    checked = check_folder(base.plan, folder, YEAR, Options(workers=1))
    at_cell = sorted(f.rule for f in checked.finding_list if f.file == MAIN and f.cell == cell)
    assert at_cell == [rule]
