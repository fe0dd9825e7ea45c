"""figures.compute on small hand-made plans, for the paths the seeds and the other figures tests
do not take: an average of rates that are not whole percents, 予定別 rows for a project not
planned this year and one the 予定 sheet does not list (with the master's words in order, empty
ones too), a 取組主体's role held only by a project not planned this year, last year's figures
beside a project without 指標, and a text column pandas filled with NaN."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pandas as pd

from pipeline import labels as L
from pipeline.figures import compute
from pipeline.model import (
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
    Grade,
    Node,
    PastResult,
    Plan,
    Project,
    Target,
)
from pipeline.rates import round_half_up
from pipeline.text import key

YEAR = 2024
GRADES = tuple(Grade(c, c, None) for c in "ABC")
WORDS = ("準備", "実施", "完了")


def _plan(
    projects: list[Project], targets: list[Target], unit: str = L.UNIT_TARGET, **more: object
) -> Plan:
    nodes = (Node("1", "目標", None, 0),)
    return Plan(
        "p", "計画", YEAR, YEAR + 1, ("目標",), GRADES, Decimal(100), nodes, tuple(projects),
        tuple(targets), unit=unit, **more,  # type: ignore[arg-type]
    )  # fmt: skip


def _project(number: str, schedule: object = None, marks: tuple[str, ...] = ()) -> Project:
    return Project(number, f"事業{number}", "1", "課", "", None, "", "", marks, schedule)  # type: ignore[arg-type]


def _target(number: str, seq: int, name: str = "件数") -> Target:
    return Target(number, seq, name, "件", "増加", None, ((YEAR, Decimal(3)),))


def _counted(
    rows: list[tuple[str, int, str | None, Fraction | None]], **text: list[object]
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            PLAN_NUMBER: [r[0] for r in rows],
            TARGET_SEQ: [r[1] for r in rows],
            GRADE_CODE: [r[2] for r in rows],
            RATE: [r[3] for r in rows],
            RATE_SHOWN: [None if r[3] is None else round_half_up(r[3]) for r in rows],
            OUTLOOK_CHOICE: ["継続"] * len(rows),
        },
        dtype=object,
    )
    for label, values in text.items():
        frame[label] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def test_the_average_of_rates_that_are_not_whole_percents_is_exact() -> None:
    """33.3…% and 66.6…% (1 and 2 of a 目標値 3) average 50.0 %, each rate over its own
    denominator: not the numerators added up (150.0) nor the shown rates (49.95 -> 50.0 by luck)."""
    plan = _plan([_project("P1"), _project("P2")], [_target("P1", 1), _target("P2", 1)])
    counted = _counted([("P1", 1, "B", Fraction(100, 3)), ("P2", 1, "A", Fraction(200, 3))])
    total = compute(plan, YEAR, counted).summary.rows[0]
    assert (total.average_rate, total.average_count) == (Decimal("50.0"), 2)
    thirds = _counted([("P1", 1, "B", Fraction(100, 3)), ("P2", 1, "B", Fraction(100, 3))])
    assert compute(plan, YEAR, thirds).summary.rows[0].average_rate == Decimal("33.3")


def test_schedule_breakdown_rows_in_the_masters_order_then_not_planned_and_unlisted() -> None:
    """予定別: the master's words first, those no project has this year too (0 targets); a target
    due in a year its project's 予定 leaves empty is 今年度の予定なし, a project the 予定 sheet
    does not list is （指定なし） — two different things for the committee."""
    projects = [
        _project("P1", ((YEAR, "実施"),)),
        _project("P2", ((YEAR + 1, "実施"),)),  # a target due this year, nothing planned
        _project("P3", None),  # not on the 予定 sheet: planned every year, no word
    ]
    plan = _plan(
        projects,
        [_target("P1", 1), _target("P2", 1), _target("P3", 1)],
        has_schedule=True,
        schedule_words=WORDS,
    )
    counted = _counted([("P1", 1, "A", Fraction(80)), ("P2", 1, "B", Fraction(50))])
    by_word = {b.name: b for b in compute(plan, YEAR, counted).breakdowns}[L.SCHEDULE_BREAKDOWN]
    assert [(k, r.targets_set, r.counts) for k, r in by_word.rows] == [
        (("準備",), 0, (0, 0, 0)),
        (("実施",), 1, (1, 0, 0)),
        (("完了",), 0, (0, 0, 0)),
        ((L.FLAG_NOT_PLANNED,), 1, (0, 1, 0)),
        ((L.NO_SCHEDULE_WORD,), 1, (0, 0, 0)),
    ]


def test_a_role_held_only_by_a_project_not_planned_this_year_is_a_row_of_nothing() -> None:
    """取組主体別 lists a role some project of the plan has (the master says who does what),
    even when that project is not graded this year: 0 projects, no crash."""
    projects = [
        _project("P1", ((YEAR, "実施"),), ("◎",)),
        _project("P2", ((YEAR + 1, "実施"),), ("○",)),  # ○ only here, planned next year
    ]
    plan = _plan(projects, [], L.UNIT_PROJECT, actors=("市",), has_schedule=True)
    counted = _counted([("P1", 0, "A", None)])
    actors = {b.name: b for b in compute(plan, YEAR, counted).breakdowns}[L.ACTOR_BREAKDOWN]
    assert [(k, r.targets_set, r.counts, r.ungraded) for k, r in actors.rows] == [
        (("市", "◎"), 1, (1, 0, 0), 0),
        (("市", "○"), 0, (0, 0, 0), 0),
    ]


def test_last_years_figures_beside_a_project_without_targets() -> None:
    """With a history store, 事業一覧 shows last year's figures of each target; a project
    without 指標 is listed too (no past figures), not a crash."""
    plan = _plan([_project("P1"), _project("P2")], [_target("P1", 1, "参加者数")])
    past = {(key("P1"), key("参加者数")): PastResult("2", "66.7")}
    counted = _counted([("P1", 1, "A", Fraction(100)), ("P2", 0, None, None)])
    listing = compute(plan, YEAR, counted, past=past).listing
    assert [(r.project.number, r.target is not None, r.past) for r in listing] == [
        ("P1", True, PastResult("2", "66.7")),
        ("P2", False, None),
    ]


def test_a_text_column_pandas_filled_with_nan_is_listed_blank() -> None:
    """A frame put together by pandas may hold NaN for an empty text cell (a float): 事業一覧
    shows a blank there, not 'nan' and not a crash; other floats are not taken for blanks."""
    plan = _plan([_project("P1"), _project("P2")], [_target("P1", 1), _target("P2", 1)])
    counted = _counted(
        [("P1", 1, "A", Fraction(100)), ("P2", 1, "A", Fraction(100))],
        **{L.WORK_DONE: [float("nan"), "講座を開いた"], L.ISSUES: [None, 1.5]},
    )
    listing = compute(plan, YEAR, counted).listing
    assert [(r.work_done, r.issues) for r in listing] == [(None, None), ("講座を開いた", "1.5")]
