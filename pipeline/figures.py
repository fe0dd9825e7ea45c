"""Counted rows -> the committee's tables: targets set, grade distribution, 未評価, 達成率.

Percentages are exact: counts become fractions and are rounded half-up once (or, with
largest-remainder, adjusted so each row sums to 100.0, ties to the grade earlier in the plan).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Literal, cast

import pandas as pd

from pipeline import labels as L
from pipeline.frames import records
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
    Node,
    PastResult,
    PastResults,
    Plan,
    Project,
    RowState,
    Target,
    TargetValue,
)
from pipeline.rates import Suggestions, clipped, exact_sum, round_half_up
from pipeline.text import key

PercentMethod = Literal["half-up", "largest-remainder"]


@dataclass(frozen=True, slots=True)
class TargetResult:
    """One target of the year: its counted grade and rate, or why it is 未評価."""

    target: Target | None  # None: the project itself is graded (評価単位 事業)
    project: Project
    grade: str | None
    rate: Fraction | None
    capped: Fraction | None = None  # the rate within [0, 達成率上限], as averaged


@dataclass(frozen=True)
class SummaryRow:
    """One row of a summary table: a scope's targets, grades, shares and average rate."""

    scope: str  # 全体, or the node's name
    code: str  # blank for 全体
    targets_set: int
    projects_with_targets: int
    counts: tuple[int, ...]  # per grade, in the plan's order
    shares: tuple[Decimal | None, ...]  # percent with one decimal; None when nothing is graded
    ungraded: int
    average_rate: Decimal | None
    average_count: int


@dataclass(frozen=True)
class LevelTable:
    """The summary rows of one level of the plan's hierarchy."""

    level: str  # the level's label, e.g. 分野
    rows: tuple[SummaryRow, ...]  # 全体 first, then the level's nodes in master order

    @property
    def name(self) -> str:
        """The sheet's name, e.g. 分野別."""
        return L.per_level(self.level)


@dataclass(frozen=True, slots=True)
class ListingRow:
    """One line of 事業一覧: a project (or re-listing) and one of its targets."""

    nodes: tuple[Node, ...]  # top level first
    project: Project
    department: str
    target: Target | None
    target_value: TargetValue | None
    actual: object
    rate: Decimal | None
    grade: str | None
    suggested: str | None
    notes: tuple[str, ...]
    work_done: str | None
    issues: str | None
    outlook: str | None
    past: PastResult | None = None  # last year's figures, when a history store is used
    source: str = ""  # the submission the row was read from
    schedule: str | None = None  # graded per project: this year's schedule word (None: none)
    partners: str | None = None  # graded per project: 協働の相手


@dataclass(frozen=True)
class Breakdown:
    """Counts by something other than the hierarchy: 区分別, 予定別, 取組主体別."""

    name: str
    keys: tuple[str, ...]  # the labels of the first columns, e.g. (取組主体, 役割)
    rows: tuple[tuple[tuple[str, ...], SummaryRow], ...]  # first columns' values, counts


@dataclass(frozen=True)
class Figures:
    """Everything the committee's tables are made from, for one year."""

    year: int
    tables: tuple[LevelTable, ...]  # one per level, top level first
    listing: tuple[ListingRow, ...]
    results: tuple[TargetResult, ...] = field(default=(), repr=False)
    with_past: bool = False  # a history store gave last year's figures
    breakdowns: tuple[Breakdown, ...] = ()

    @property
    def summary(self) -> LevelTable:
        """The top level's table (its 全体 row is the whole plan)."""
        return self.tables[0]


def shares(counts: Sequence[int], method: PercentMethod = "half-up") -> tuple[Decimal | None, ...]:
    """Each count's share in percent with one decimal: rounded half-up, or by largest remainder so
    that a row sums to 100.0."""
    total = sum(counts)
    if total == 0:
        return tuple(None for _ in counts)
    exact = [Fraction(c * 100, total) for c in counts]
    if method == "half-up":
        return tuple(round_half_up(x) for x in exact)
    tenths = [x * 10 for x in exact]
    floors = [int(x) for x in tenths]
    order = sorted(range(len(counts)), key=lambda i: (-(tenths[i] - floors[i]), i))
    for i in order[: 1000 - sum(floors)]:
        floors[i] += 1
    return tuple(Decimal(f).scaleb(-1) for f in floors)


def compute(
    plan: Plan,
    year: int,
    counted: pd.DataFrame,
    state: RowState | None = None,
    method: PercentMethod = "half-up",
    past: PastResults | None = None,
) -> Figures:
    """The figures of `year` from the counted rows (schemas.frames.RatedRows)."""
    state = state or RowState()
    used = [c for c in _USED if c in counted.columns]  # not every column: ~half the memory
    rows = {(r[PLAN_NUMBER], r[TARGET_SEQ]): r for r in records(counted[used])}
    results = tuple(_results(plan, year, rows))
    tables = tuple(_level_table(plan, level, results, method) for level in range(len(plan.levels)))
    listing = tuple(_listing(plan, year, rows, state, past))
    breakdowns = tuple(_breakdowns(plan, year, results, method))
    return Figures(year, tables, listing, results, past is not None, breakdowns)


_USED = (
    PLAN_NUMBER,
    TARGET_SEQ,
    FILE,
    ACTUAL_VALUE,
    GRADE_CODE,
    RATE,
    RATE_SHOWN,
    OUTLOOK_CHOICE,
    L.WORK_DONE,
    L.ISSUES,
    L.PARTNERS,
)  # the counted rows' columns the figures read


def _results(
    plan: Plan, year: int, rows: dict[tuple[object, object], dict[str, object]]
) -> Iterable[TargetResult]:
    cap = Fraction(plan.rate_cap)
    for project, target in plan.units(year):
        row = rows.get((project.number, target.seq if target else 0))
        grade = str(row[GRADE_CODE]) if row and row[GRADE_CODE] is not None else None
        rate = cast(Fraction | None, row[RATE]) if row is not None else None
        capped = None if rate is None else clipped(rate, cap)
        yield TargetResult(target, project, grade, rate, capped)


def _breakdowns(
    plan: Plan, year: int, results: tuple[TargetResult, ...], method: PercentMethod
) -> Iterable[Breakdown]:
    """区分別 for every plan; 予定別 with a 予定 sheet; 取組主体別 with 取組主体. Rows in the
    master's order; a result counts in every row it belongs to (an actor's ◎ and another's ○)."""

    def table(
        name: str, keys: tuple[str, ...], groups: dict[tuple[str, ...], list[TargetResult]]
    ) -> Breakdown:
        rows = tuple(
            (values, _summary_row(plan, values[0], "", items, method))
            for values, items in groups.items()
        )
        return Breakdown(name, keys, rows)

    mains = list(plan.main_projects())
    by_category: dict[tuple[str, ...], list[TargetResult]] = {
        (p.category or L.NO_CATEGORY,): [] for p in mains
    }
    for r in results:
        by_category[(r.project.category or L.NO_CATEGORY,)].append(r)
    yield table(L.CATEGORY_BREAKDOWN, (L.PROJECT_CATEGORY,), by_category)
    if plan.has_schedule:
        by_word: dict[tuple[str, ...], list[TargetResult]] = {(w,): [] for w in plan.schedule_words}
        for r in results:
            word = plan.schedule_of(r.project, year)
            shown = word or (L.NO_SCHEDULE_WORD if word == "" else L.FLAG_NOT_PLANNED)
            by_word.setdefault((shown,), []).append(r)
        yield table(L.SCHEDULE_BREAKDOWN, (L.SCHEDULE_WORD,), by_word)
    if plan.actors:
        by_role: dict[tuple[str, ...], list[TargetResult]] = {}
        for i, actor in enumerate(plan.actors):
            for mark in L.MARKS:
                if any(p.marks[i] == mark for p in mains):
                    by_role[actor, mark] = [r for r in results if r.project.marks[i] == mark]
        yield table(L.ACTOR_BREAKDOWN, (L.ACTOR, L.ROLE), by_role)


def _level_table(
    plan: Plan, level: int, results: tuple[TargetResult, ...], method: PercentMethod
) -> LevelTable:
    under: dict[str, list[TargetResult]] = {n.code: [] for n in plan.nodes if n.level == level}
    for result in results:
        node = plan.ancestors(result.project.node)[level]
        under[node.code].append(result)
    rows = [_summary_row(plan, L.TOTAL, "", results, method)]
    rows += [
        _summary_row(plan, plan.node(code).name, code, items, method)
        for code, items in under.items()
    ]
    return LevelTable(plan.levels[level], tuple(rows))


def _summary_row(
    plan: Plan, scope: str, code: str, results: Sequence[TargetResult], method: PercentMethod
) -> SummaryRow:
    graded = Counter(r.grade for r in results)
    counts = tuple(graded[g.code] for g in plan.grades)
    rates = [r.capped for r in results if r.capped is not None]
    average = round_half_up(exact_sum(rates) / len(rates)) if rates else None
    return SummaryRow(
        scope=scope,
        code=code,
        targets_set=len(results),
        projects_with_targets=len({r.project.number for r in results}),
        counts=counts,
        shares=shares(counts, method),
        ungraded=len(results) - sum(counts),
        average_rate=average,
        average_count=len(rates),
    )


def _listing(
    plan: Plan,
    year: int,
    rows: dict[tuple[object, object], dict[str, object]],
    state: RowState,
    past: PastResults | None,
) -> Iterable[ListingRow]:
    suggestions = Suggestions(plan)
    for project in plan.projects:
        main = plan.project(project.relisted_from) if project.relisted_from else project
        assert main is not None  # the plan reader guarantees 再掲元 exists
        nodes = tuple(plan.ancestors(project.node))
        if plan.by_project:
            yield _project_line(plan, year, (project, main), nodes, rows, (state, suggestions))
            continue
        targets: list[Target | None] = [*plan.targets_of(main.number)] or [None]
        for target in targets:
            seq = target.seq if target else 0
            row = rows.get((main.number, seq), {})
            value = target.value_for(year) if target else None
            shown = cast(Decimal | None, row.get(RATE_SHOWN))
            suggested = suggestions.grade(shown)
            grade = row.get(GRADE_CODE)
            yield ListingRow(
                nodes=nodes,
                project=project,
                department=main.department,
                target=target,
                target_value=value,
                actual=row.get(ACTUAL_VALUE),
                rate=shown,
                grade=None if grade is None else str(grade),
                suggested=suggested,
                notes=_notes(
                    project,
                    main,
                    seq,
                    (value is not None, bool(row)),
                    grade,
                    suggested,
                    suggestions,
                    state,
                ),
                work_done=_opt(row.get(L.WORK_DONE)),
                issues=_opt(row.get(L.ISSUES)),
                outlook=_opt(row.get(OUTLOOK_CHOICE)),
                past=past.get((key(main.number), key(target.name if target else "")))
                if past
                else None,
                source=str(row.get(FILE, "")),
            )


def _project_line(
    plan: Plan,
    year: int,
    projects: tuple[Project, Project],
    nodes: tuple[Node, ...],
    rows: dict[tuple[object, object], dict[str, object]],
    known: tuple[RowState, Suggestions],
) -> ListingRow:
    """A line of 事業一覧 for a plan graded per project: the project itself (and its main
    entry), graded."""
    (project, main), (state, suggestions) = projects, known
    row = rows.get((main.number, 0), {})
    word = plan.schedule_of(main, year)
    grade = row.get(GRADE_CODE)
    if word is None:
        notes: tuple[str, ...] = (L.FLAG_NOT_PLANNED,)
        if project.is_relisting:
            notes = (f"{L.FLAG_RELISTED}（{main.number}）", *notes)
    else:
        notes = _notes(project, main, 0, (True, bool(row)), grade, None, suggestions, state)
    return ListingRow(
        nodes=nodes,
        project=project,
        department=main.department,
        target=None,
        target_value=None,
        actual=None,
        rate=None,
        grade=None if grade is None else str(grade),
        suggested=None,
        notes=notes,
        work_done=_opt(row.get(L.WORK_DONE)),
        issues=_opt(row.get(L.ISSUES)),
        outlook=_opt(row.get(OUTLOOK_CHOICE)),
        source=str(row.get(FILE, "")),
        schedule=word,
        partners=_opt(row.get(L.PARTNERS)),
    )


def _notes(
    project: Project,
    main: Project,
    seq: int,
    due_counted: tuple[bool, bool],
    grade: object,
    suggested: str | None,
    suggestions: Suggestions,
    state: RowState,
) -> tuple[str, ...]:
    due, counted = due_counted
    notes: list[str] = []
    if project.is_relisting:
        notes.append(f"{L.FLAG_RELISTED}（{main.number}）")
    target_key = (main.number, seq)
    if not counted:
        if target_key in state.rejected:
            notes.append(L.FLAG_REJECTED)
        elif main.department not in state.submitted:
            notes.append(L.FLAG_NOT_SUBMITTED)
        elif target_key not in state.reported:
            notes.append(L.FLAG_NOT_REPORTED)
    elif due and grade is None:
        notes.append(L.FLAG_UNGRADED)
    if target_key in state.warned:
        notes.append(L.FLAG_WARNING)
    if suggestions.far(grade, suggested):
        notes.append(L.FLAG_GRADE_GAP)
    return tuple(notes)


def _opt(value: object) -> str | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)
