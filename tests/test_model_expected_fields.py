"""Plan.expected_fields: a department's template rows as the tuples a worker is sent
(checks.per_file.plan_answer) — the same rows, field for field, as Plan.expected_rows, for a
plan graded per target and for plans graded per project (schedule words, marks, targets shown)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline.checks.per_file import plan_answer
from pipeline.model import ExpectedRow
from pipeline.plan import read_plan

DATA = Path(__file__).resolve().parent.parent / "pipeline" / "data"


@pytest.mark.parametrize("name", ["sendai2021", "ichinoseki2024", "shiminkyodo2"])
def test_the_fields_sent_are_the_template_rows(name: str) -> None:
    plan = read_plan(DATA / f"{name}_計画マスタ.xlsx")
    answer = plan_answer(plan)
    compared = 0
    for year in plan.years():
        for department in plan.departments():
            rows = plan.expected_rows(department, year)
            fields = plan.expected_fields(department, year)
            assert [ExpectedRow(*f) for f in fields] == rows
            assert fields == [dataclasses.astuple(r) if r.extras else _plain(r) for r in rows]
            spelling, sent = answer(("department", department.strip() + " ", year))
            assert spelling == department and [ExpectedRow(*f) for f in sent] == rows
            compared += len(rows)
    assert compared > 50
    assert answer(("department", "どこにもない課", min(plan.years()))) == (None, None)


def _plain(row: ExpectedRow) -> tuple[object, ...]:
    """A row without extras as sent: its eight fields (extras left to their default)."""
    return dataclasses.astuple(row)[:-1]
