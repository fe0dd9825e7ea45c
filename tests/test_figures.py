"""figures.compute from counted rows: what each level's table counts (targets due this year, the
projects having them, grades, 未評価, the capped average rate) and what 事業一覧 says of each
target (再掲 rows with their main entry's figures, and why a figure is missing)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.figures import Figures, RowState, compute
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
)
from pipeline.rates import round_half_up
from tests.builders import master_sheets, write_plan

YEAR = 2024
PROJECTS = [
    ["1-(1)-1", "一", "1-(1)", "A課", "", "", ""],
    ["1-(1)-2", "二", "1-(1)", "B課", "", "", ""],
    ["2-(1)-4", "四", "2-(1)", "A課", "", "", ""],
    ["2-(1)-5", "一の再掲", "2-(1)", "", "", "1-(1)-1", ""],
    ["2-(1)-6", "六", "2-(1)", "A課", "", "", ""],
    ["2-(2)-7", "七", "2-(2)", "A課", "", "", ""],
    ["2-(2)-8", "八", "2-(2)", "A課", "", "", ""],
    ["2-(2)-9", "九", "2-(2)", "A課", "", "", ""],  # no target at all
]
TARGETS = [
    ["1-(1)-1", "件数", "件", "増加", "", "100"],
    ["1-(1)-1", "回数", "回", "増加", "", "50"],
    ["1-(1)-2", "人数", "人", "増加", "", "10"],
    ["2-(1)-4", "来年", "件", "増加", "", ""],  # nothing due this year
    ["2-(1)-6", "件数", "件", "増加", "", "10"],
    ["2-(2)-7", "件数", "件", "増加", "", "10"],
    ["2-(2)-8", "指針", "", "定性", "", "策定"],
]


def _row(number: str, seq: int, grade: str | None, actual: object, rate: Fraction | None):  # type: ignore[no-untyped-def]
    shown = None if rate is None else round_half_up(rate)
    return {
        PLAN_NUMBER: number,
        TARGET_SEQ: seq,
        GRADE_CODE: grade,
        ACTUAL_VALUE: actual,
        RATE: rate,
        RATE_SHOWN: shown,
        L.WORK_DONE: f"{number}の取組",
        L.ISSUES: None,
        OUTLOOK_CHOICE: "継続",
        FILE: "a.xlsx",
    }


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Figures:
    sheets = master_sheets(
        tree=[
            ["1", "分野一", "", "分野"],
            ["1-(1)", "施策一", "1", "施策"],
            ["2", "分野二", "", "分野"],
            ["2-(1)", "施策二", "2", "施策"],
            ["2-(2)", "施策三", "2", "施策"],
        ],
        projects=PROJECTS,
        targets=TARGETS,
        years=[YEAR],
    )
    _, plan = write_plan(sheets, tmp_path_factory.mktemp("plan"))
    counted = pd.DataFrame(
        [
            _row("1-(1)-1", 1, "A", Decimal(120), Fraction(120)),
            _row("1-(1)-1", 2, "A", Decimal(30), Fraction(60)),  # 60 suggests C: two steps
            _row("2-(2)-8", 1, None, "策定", None),  # counted, due, but no grade
        ],
        dtype=object,
    )
    state = RowState(
        submitted=frozenset({"A課"}),
        reported=frozenset({("1-(1)-1", 1), ("1-(1)-1", 2), ("2-(1)-6", 1), ("2-(2)-8", 1)}),
        rejected=frozenset({("2-(1)-6", 1)}),
        warned=frozenset({("1-(1)-1", 1)}),
    )
    return compute(plan, YEAR, counted, state)


def _summary(figures: Figures, level: int) -> list[tuple[object, ...]]:
    return [
        (
            r.scope,
            r.code,
            r.targets_set,
            r.projects_with_targets,
            r.counts,
            tuple(None if s is None else str(s) for s in r.shares),
            r.ungraded,
            None if r.average_rate is None else str(r.average_rate),
            r.average_count,
        )
        for r in figures.tables[level].rows
    ]


def test_each_level_counts_targets_due_grades_ungraded_and_the_capped_average(
    figures: Figures,
) -> None:
    assert [t.level for t in figures.tables] == ["分野", "施策"]
    assert figures.summary is figures.tables[0]
    assert figures.tables[0].name == "分野別"
    # 120 is capped at 100: (100 + 60) / 2 = 80.0 over 2 rates
    assert _summary(figures, 0) == [
        (L.TOTAL, "", 6, 5, (2, 0, 0), ("100.0", "0.0", "0.0"), 4, "80.0", 2),
        ("分野一", "1", 3, 2, (2, 0, 0), ("100.0", "0.0", "0.0"), 1, "80.0", 2),
        ("分野二", "2", 3, 3, (0, 0, 0), (None, None, None), 3, None, 0),
    ]
    assert _summary(figures, 1)[1:] == [
        ("施策一", "1-(1)", 3, 2, (2, 0, 0), ("100.0", "0.0", "0.0"), 1, "80.0", 2),
        ("施策二", "2-(1)", 1, 1, (0, 0, 0), (None, None, None), 1, None, 0),
        ("施策三", "2-(2)", 2, 2, (0, 0, 0), (None, None, None), 2, None, 0),
    ]
    assert _summary(figures, 1)[0] == _summary(figures, 0)[0]


def _listing(figures: Figures) -> list[tuple[object, ...]]:
    return [
        (
            r.project.number,
            r.target.name if r.target else None,
            r.department,
            r.target_value,
            r.actual,
            None if r.rate is None else str(r.rate),
            r.grade,
            r.suggested,
            r.notes,
        )
        for r in figures.listing
    ]


def test_listing_says_why_each_figure_is_there_or_missing(figures: Figures) -> None:
    D100, D50, D10 = Decimal(100), Decimal(50), Decimal(10)
    gap, warned = L.FLAG_GRADE_GAP, L.FLAG_WARNING
    relisted = f"{L.FLAG_RELISTED}（1-(1)-1）"
    assert _listing(figures) == [
        ("1-(1)-1", "件数", "A課", D100, Decimal(120), "120.0", "A", "A", (warned,)),
        ("1-(1)-1", "回数", "A課", D50, Decimal(30), "60.0", "A", "C", (gap,)),
        ("1-(1)-2", "人数", "B課", D10, None, None, None, None, (L.FLAG_NOT_SUBMITTED,)),
        ("2-(1)-4", "来年", "A課", None, None, None, None, None, (L.FLAG_NOT_REPORTED,)),
        ("2-(1)-5", "件数", "A課", D100, Decimal(120), "120.0", "A", "A", (relisted, warned)),
        ("2-(1)-5", "回数", "A課", D50, Decimal(30), "60.0", "A", "C", (relisted, gap)),
        ("2-(1)-6", "件数", "A課", D10, None, None, None, None, (L.FLAG_REJECTED,)),
        ("2-(2)-7", "件数", "A課", D10, None, None, None, None, (L.FLAG_NOT_REPORTED,)),
        ("2-(2)-8", "指針", "A課", "策定", "策定", None, None, None, (L.FLAG_UNGRADED,)),
        ("2-(2)-9", None, "A課", None, None, None, None, None, (L.FLAG_NOT_REPORTED,)),
    ]


def test_listing_rows_carry_the_departments_text_and_level_names(figures: Figures) -> None:
    first = figures.listing[0]
    assert [n.name for n in first.nodes] == ["分野一", "施策一"]
    assert (first.work_done, first.issues, first.outlook) == ("1-(1)-1の取組", None, "継続")
    assert first.source == "a.xlsx"
    relisting = figures.listing[4]
    assert [n.code for n in relisting.nodes] == ["2", "2-(1)"]  # where the 再掲 row sits
    assert relisting.work_done == "1-(1)-1の取組"
    assert figures.listing[2].source == ""


def test_results_list_every_target_due_with_its_grade_and_rate(figures: Figures) -> None:
    results = [(r.project.number, r.target.name, r.grade, r.rate) for r in figures.results]
    assert results == [
        ("1-(1)-1", "件数", "A", Fraction(120)),
        ("1-(1)-1", "回数", "A", Fraction(60)),
        ("1-(1)-2", "人数", None, None),
        ("2-(1)-6", "件数", None, None),
        ("2-(2)-7", "件数", None, None),
        ("2-(2)-8", "指針", None, None),
    ]


def test_largest_remainder_is_applied_to_every_row(tmp_path: Path) -> None:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[[f"1-(1)-{i}", "事業", "1-(1)", "A課", "", "", ""] for i in (1, 2, 3)],
        targets=[[f"1-(1)-{i}", "件数", "件", "増加", "", "100"] for i in (1, 2, 3)],
        years=[YEAR],
    )
    _, plan = write_plan(sheets, tmp_path)
    counted = pd.DataFrame(
        [
            _row(f"1-(1)-{i}", 1, g, Decimal(100), Fraction(100))
            for i, g in zip((1, 2, 3), "ABC", strict=True)
        ],
        dtype=object,
    )
    half_up = compute(plan, YEAR, counted)
    largest = compute(plan, YEAR, counted, method="largest-remainder")
    for table in half_up.tables:
        assert all(str(s) == "33.3" for s in table.rows[0].shares)
    for table in largest.tables:
        for row in table.rows:
            assert [str(s) for s in row.shares] == ["33.4", "33.3", "33.3"]
