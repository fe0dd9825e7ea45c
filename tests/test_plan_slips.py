"""評価目安 (grade floors) that cannot be read as numbers are refused with the cell, never taken as
'no floor' (which would silently change every suggested grade and C01 warning). A trial slip that
dropped the check passed the suite: no test wrote a floor that was not a number."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.plan import PlanError, read_plan
from pipeline.plan_source import write_master
from tests.builders import master_sheets


def _sheets(floors: str) -> dict[str, list[list[str]]]:
    return master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-(1)-①", "事業A", "1-(1)", "A課", "", "", ""]],
        targets=[["1-(1)-①", "参加者数", "人", "増加", "", "100"]],
        years=[2024],
        floors=floors,
    )


@pytest.mark.parametrize(("floors", "quoted"), [("A=百;B=80", "A=百"), ("A=100;B=", "B=")])
def test_a_floor_that_is_not_a_number_is_refused_at_its_cell(
    floors: str, quoted: str, tmp_path: Path
) -> None:
    path = write_master(_sheets(floors), tmp_path / "計画マスタ.xlsx")
    with pytest.raises(PlanError) as raised:
        read_plan(path)
    found = [(f.rule, f.sheet, f.cell, f.value) for f in raised.value.findings]
    assert found == [("M04", L.MASTER_PLAN_SHEET, "B8", quoted)]


def test_floors_that_are_numbers_are_read(tmp_path: Path) -> None:
    plan = read_plan(write_master(_sheets("A=100;B=79.5"), tmp_path / "計画マスタ.xlsx"))
    assert [(g.code, g.floor) for g in plan.grades] == [("A", 100), ("B", 79.5), ("C", None)]
