"""Counted rows -> the committee's tables: targets set, grade distribution, 未評価, 達成率.

Percentages are exact: counts become fractions and are rounded half-up once (or, with
largest-remainder, adjusted so each row sums to 100.0, ties to the grade earlier in the plan).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from pipeline import labels as L
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
    Breakdown,
    Figures,
    LevelTable,
    ListingRow,
    Node,
    PastResults,
    PercentMethod,
    Plan,
    Project,
    RowState,
    SummaryRow,
    Target,
    TargetResult,
)
from pipeline.rates import Suggestions, clipped, round_half_up
from pipeline.text import key


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
    rows = _Counted(counted)
    results = tuple(_results(plan, year, rows))
    tally = _Tally(plan, results, method)
    tables = tuple(_level_table(plan, level, tally) for level in range(len(plan.levels)))
    listing = tuple(_listing(plan, year, rows, state, past))
    breakdowns = tuple(_breakdowns(plan, year, results, tally))
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


class _Counted:
    """The counted rows as columns (plain lists) and the position of each (整理番号, seq): a
    row is read cell by cell where it is needed, without a dict per row. A key counted twice
    is the last row's, as a dict of rows would have it."""

    def __init__(self, counted: pd.DataFrame) -> None:
        self.columns: dict[str, list[Any]] = {
            c: counted[c].tolist() for c in _USED if c in counted.columns
        }
        self.size = len(counted)
        numbers, seqs = self.columns[PLAN_NUMBER], self.columns[TARGET_SEQ]
        self.at: dict[tuple[object, object], int] = {
            k: i for i, k in enumerate(zip(numbers, seqs, strict=True))
        }

    def column(self, name: str) -> list[Any]:
        """The column's values; all None for a column the rows do not have (協働の相手)."""
        found = self.columns.get(name)
        return found if found is not None else [None] * self.size


def _results(plan: Plan, year: int, rows: _Counted) -> Iterable[TargetResult]:
    cap = Fraction(plan.rate_cap)
    at, grades, rates = rows.at, rows.columns[GRADE_CODE], rows.columns[RATE]
    for project, target in plan.units(year):
        i = at.get((project.number, target.seq if target else 0))
        if i is None:
            yield TargetResult(target, project, None, None)
            continue
        grade, rate = grades[i], rates[i]
        capped = None if rate is None else clipped(rate, cap)
        yield TargetResult(target, project, None if grade is None else str(grade), rate, capped)


class _Tally:
    """What a summary row counts, worked out once per result (grade, project, the capped
    rate as integers) so that every table's rows are counted from plain lists, a group at a
    time: the 全体 row once for every table, each level's nodes in one pass."""

    def __init__(self, plan: Plan, results: tuple[TargetResult, ...], method: PercentMethod):
        self.plan, self.results, self.method = plan, results, method
        self.grades = [r.grade for r in results]
        self.numbers = [r.project.number for r in results]
        self.ratios = [None if r.capped is None else r.capped.as_integer_ratio() for r in results]
        self._total: SummaryRow | None = None

    def total(self) -> SummaryRow:
        """The 全体 row: every result."""
        if self._total is None:
            everything: dict[Hashable, Sequence[int]] = {L.TOTAL: range(len(self.results))}
            self._total = self.rows(everything, {L.TOTAL: (L.TOTAL, "")})[0]
        return self._total

    def rows(
        self,
        groups: Mapping[Hashable, Sequence[int]],
        names: Mapping[Hashable, tuple[str, str]],
    ) -> list[SummaryRow]:
        """A summary row per group (the positions of its results), named (scope, code)."""
        out = []
        grades, numbers, ratios = self.grades, self.numbers, self.ratios
        codes = [g.code for g in self.plan.grades]
        for group, members in groups.items():
            graded = Counter([grades[i] for i in members])
            counts = tuple(graded[c] for c in codes)
            sums: dict[int, int] = {}
            rated = 0
            for i in members:
                ratio = ratios[i]
                if ratio is not None:
                    n, d = ratio
                    sums[d] = sums.get(d, 0) + n
                    rated += 1
            total = sum((Fraction(n, d) for d, n in sums.items()), Fraction(0))
            scope, code = names[group]
            out.append(
                SummaryRow(
                    scope=scope,
                    code=code,
                    targets_set=len(members),
                    projects_with_targets=len({numbers[i] for i in members}),
                    counts=counts,
                    shares=shares(counts, self.method),
                    ungraded=len(members) - sum(counts),
                    average_rate=round_half_up(total / rated) if rated else None,
                    average_count=rated,
                )
            )
        return out

    def grouped(
        self, keys: Iterable[Hashable], order: Iterable[Hashable] = ()
    ) -> dict[Hashable, list[int]]:
        """The positions of the results per key (`keys`: one per result, None for none),
        groups in `order` first (empty ones too), then as they come."""
        groups: dict[Hashable, list[int]] = {k: [] for k in order}
        for i, k in enumerate(keys):
            if k is not None:
                members = groups.get(k)
                if members is None:
                    members = groups[k] = []
                members.append(i)
        return groups


def _breakdowns(
    plan: Plan, year: int, results: tuple[TargetResult, ...], tally: _Tally
) -> Iterable[Breakdown]:
    """区分別 for every plan; 予定別 with a 予定 sheet; 取組主体別 with 取組主体. Rows in the
    master's order; a result counts in every row it belongs to (an actor's ◎ and another's ○)."""

    def table(
        name: str, keys: tuple[str, ...], groups: dict[Hashable, list[int]], first: Any
    ) -> Breakdown:
        names = {values: (first(values), "") for values in groups}
        rows = tally.rows(groups, names)
        return Breakdown(name, keys, tuple(zip(groups, rows, strict=True)))  # type: ignore[arg-type]

    mains = list(plan.main_projects())
    categories = [(r.project.category or L.NO_CATEGORY,) for r in results]
    order = [(p.category or L.NO_CATEGORY,) for p in mains]
    by_category = tally.grouped(categories, order)
    yield table(L.CATEGORY_BREAKDOWN, (L.PROJECT_CATEGORY,), by_category, lambda v: v[0])
    if plan.has_schedule:
        words = []
        for r in results:
            word = plan.schedule_of(r.project, year)
            words.append((word or (L.NO_SCHEDULE_WORD if word == "" else L.FLAG_NOT_PLANNED),))
        by_word = tally.grouped(words, [(w,) for w in plan.schedule_words])
        yield table(L.SCHEDULE_BREAKDOWN, (L.SCHEDULE_WORD,), by_word, lambda v: v[0])
    if plan.actors:
        by_role: dict[Hashable, list[int]] = {}
        for i, actor in enumerate(plan.actors):
            marks = tally.grouped(r.project.marks[i] for r in results)
            for mark in L.MARKS:
                if any(p.marks[i] == mark for p in mains):
                    by_role[actor, mark] = marks.get(mark, [])
        yield table(L.ACTOR_BREAKDOWN, (L.ACTOR, L.ROLE), by_role, lambda v: v[0])


def _level_table(plan: Plan, level: int, tally: _Tally) -> LevelTable:
    nodes = [n.code for n in plan.nodes if n.level == level]
    chains: dict[str, str] = {}  # a project's node -> its node at `level`
    keys = []
    for result in tally.results:
        code = result.project.node
        at = chains.get(code)
        if at is None:
            at = chains[code] = plan.ancestors(code)[level].code
        keys.append(at)
    under = tally.grouped(keys, nodes)
    if len(under) > len(nodes):  # a node of another level: as indexing a dict of nodes would
        raise KeyError(next(k for k in under if k not in set(nodes)))
    names: dict[Hashable, tuple[str, str]] = {c: (plan.node(c).name, c) for c in nodes}
    rows = [tally.total(), *tally.rows(under, names)]
    return LevelTable(plan.levels[level], tuple(rows))


def _listing(
    plan: Plan,
    year: int,
    rows: _Counted,
    state: RowState,
    past: PastResults | None,
) -> Iterable[ListingRow]:
    suggestions = Suggestions(plan)
    at, column = rows.at, rows.column
    files, actuals, grades = column(FILE), column(ACTUAL_VALUE), column(GRADE_CODE)
    shown_rates, outlooks = column(RATE_SHOWN), column(OUTLOOK_CHOICE)
    work, issues = column(L.WORK_DONE), column(L.ISSUES)
    chains: dict[str, tuple[Node, ...]] = {}
    for project in plan.projects:
        main = plan.project(project.relisted_from) if project.relisted_from else project
        assert main is not None  # the plan reader guarantees 再掲元 exists
        nodes = chains.get(project.node)
        if nodes is None:
            nodes = chains[project.node] = tuple(plan.ancestors(project.node))
        if plan.by_project:
            yield _project_line(plan, year, (project, main), nodes, rows, (state, suggestions))
            continue
        targets: list[Target | None] = [*plan.targets_of(main.number)] or [None]
        for target in targets:
            seq = target.seq if target else 0
            i = at.get((main.number, seq))
            value = target.value_for(year) if target else None
            if i is None:
                shown = grade = actual = None
                done = issue = outlook = None
                source = ""
            else:
                shown, grade, actual = shown_rates[i], grades[i], actuals[i]
                done, issue, outlook = _opt(work[i]), _opt(issues[i]), _opt(outlooks[i])
                source = str(files[i])
            suggested = suggestions.grade(shown)
            yield ListingRow(
                nodes=nodes,
                project=project,
                department=main.department,
                target=target,
                target_value=value,
                actual=actual,
                rate=shown,
                grade=None if grade is None else str(grade),
                suggested=suggested,
                notes=_notes(
                    project,
                    main,
                    seq,
                    (value is not None, i is not None),
                    grade,
                    suggested,
                    suggestions,
                    state,
                ),
                work_done=done,
                issues=issue,
                outlook=outlook,
                past=past.get((key(main.number), key(target.name if target else "")))
                if past
                else None,
                source=source,
            )


def _project_line(
    plan: Plan,
    year: int,
    projects: tuple[Project, Project],
    nodes: tuple[Node, ...],
    rows: _Counted,
    known: tuple[RowState, Suggestions],
) -> ListingRow:
    """A line of 事業一覧 for a plan graded per project: the project itself (and its main
    entry), graded."""
    (project, main), (state, suggestions) = projects, known
    i = rows.at.get((main.number, 0))

    def cell(name: str) -> Any:
        return None if i is None else rows.column(name)[i]

    word = plan.schedule_of(main, year)
    grade = cell(GRADE_CODE)
    if word is None:
        notes: tuple[str, ...] = (L.FLAG_NOT_PLANNED,)
        if project.is_relisting:
            notes = (f"{L.FLAG_RELISTED}（{main.number}）", *notes)
    else:
        notes = _notes(project, main, 0, (True, i is not None), grade, None, suggestions, state)
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
        work_done=_opt(cell(L.WORK_DONE)),
        issues=_opt(cell(L.ISSUES)),
        outlook=_opt(cell(OUTLOOK_CHOICE)),
        source="" if i is None else str(cell(FILE)),
        schedule=word,
        partners=_opt(cell(L.PARTNERS)),
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
