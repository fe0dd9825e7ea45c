"""What the publication shows, read off the committee's tables (the ones the CSV files are written
from), so that the web pages, the PDF and the open data never disagree: no figure is recomputed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from pipeline import labels as L
from pipeline import years
from pipeline.model import Plan, Table
from pipeline.report.tables import plain_number

PUBLISHED_TABLES = "公表する表"  # 概要, the level tables, 推移, 事業一覧 (not 提出状況 or 検証結果)


@dataclass(frozen=True)
class Bar:
    """One bar of a share chart: a row of a summary table."""

    label: str
    shares: tuple[Decimal | None, ...]  # percent per grade, as in the table
    counts: tuple[int, ...]
    graded: int
    targets: int


@dataclass(frozen=True)
class Chart:
    """A stacked 100 % bar chart of grade shares, one bar per row of a summary-shaped table."""

    title: str
    bars: tuple[Bar, ...]
    grades: tuple[tuple[str, str], ...]  # (code, label)


@dataclass(frozen=True)
class ProjectBlock:
    """A project of an entry's page with its targets (rows of 事業一覧)."""

    number: str
    name: str
    department: str
    rows: tuple[dict[str, str], ...]  # column name -> text as shown


@dataclass(frozen=True)
class Group:
    """Projects under one lowest-level node (e.g. a 施策)."""

    code: str
    name: str
    path: tuple[str, ...]  # names of the levels between the entry and this node
    projects: tuple[ProjectBlock, ...]


@dataclass(frozen=True)
class Entry:
    """A level-1 entry (e.g. a 分野) with its own page."""

    index: int
    code: str
    name: str
    page: str  # file name of its web page
    summary: Table | None  # its rows of the next level's table (全体 first: the entry itself)
    chart: Chart | None
    groups: tuple[Group, ...] = field(default=())


@dataclass(frozen=True)
class Edition:
    """What one publication shows: the plan, the year, when the figures were computed, and the
    tables the public sees."""

    plan: Plan
    year: int
    run_at: datetime
    tables: tuple[Table, ...]  # the published ones, in order

    @property
    def title(self) -> str:
        """The heading of the pages and the report: the plan's name and the year in 和暦."""
        return f"{self.plan.name}　{years.display(self.year)}の進捗状況"

    @property
    def pdf_name(self) -> str:
        """The report's file name, ASCII plan id and year, so that links to it need no escaping."""
        return f"{self.plan.plan_id}_{years.file_label(self.year)}.pdf"

    @property
    def run_at_shown(self) -> str:
        """When the figures were computed, as every other output shows a time (Japan time)."""
        return years.shown(self.run_at)

    def table(self, name: str) -> Table | None:
        """The published table called `name`, if the plan has one."""
        return next((t for t in self.tables if t.name == name), None)


def published(tables: Sequence[Table]) -> tuple[Table, ...]:
    """The committee's tables the public sees: the figures and the project list; 提出状況 and
    検証結果 (file names, staff names, internal findings) stay with the secretariat."""
    return tuple(t for t in tables if t.name not in {L.STATUS_SHEET, L.FINDINGS_SHEET})


def counted_column(table: Table) -> str:
    """What a summary-shaped table counts: targets, or projects in a plan graded per project."""
    names = {c.name for c in table.columns}
    return L.PROJECTS_EVALUATED if L.PROJECTS_EVALUATED in names else L.TARGETS_SET


def is_summary(table: Table) -> bool:
    """概要, a level table, a breakdown (区分別, …) or 推移: grade counts and shares per row."""
    return any(c.name == L.UNGRADED for c in table.columns)


def breakdowns(edition: Edition) -> list[Table]:
    """The summary-shaped tables beyond 概要, the levels and 推移 (e.g. 区分別, 予定別)."""
    fixed = {L.SUMMARY_SHEET, L.TREND_SHEET, *(L.per_level(x) for x in edition.plan.levels)}
    return [t for t in edition.tables if is_summary(t) and t.name not in fixed]


def shown(value: object, kind: str) -> str:
    """A cell as text for a page: percent with one decimal and '%', numbers without exponent."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.1f}%" if kind == "percent" else _grouped(value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if kind == "int" else str(value)
    return str(value)


def _grouped(value: Decimal) -> str:
    text = plain_number(value)
    whole, dot, fraction = text.partition(".")
    return f"{int(whole):,}{dot}{fraction}" if whole.lstrip("-").isdigit() else text


def chart_of(table: Table, plan: Plan, title: str, label_column: str = "") -> Chart:
    """The share chart of a summary-shaped table (概要, a level table, a breakdown, or with
    label_column 年度 推移's 全体 rows)."""
    names = [c.name for c in table.columns]
    at = names.index
    counted = at(counted_column(table))
    shown_at = [i for i in range(counted) if names[i] != L.CODE]  # 区分; 取組主体 and 役割
    bars = []
    for row in table.rows:
        if label_column == L.YEAR and row[at(L.SCOPE)] != L.TOTAL:
            continue
        if label_column == L.YEAR:
            label = years.era_name(int(str(row[at(L.YEAR)])))
        else:
            label = " ".join(str(row[i]) for i in shown_at if row[i] is not None)
        targets = int(str(row[counted]))
        ungraded = int(str(row[at(L.UNGRADED)]))
        shares = tuple(_decimal(row[at(g.code + L.SHARE_SUFFIX)]) for g in plan.grades)
        counts = tuple(int(str(row[at(g.code)] or 0)) for g in plan.grades)
        bars.append(Bar(str(label), shares, counts, targets - ungraded, targets))
    return Chart(title, tuple(bars), tuple((g.code, g.label) for g in plan.grades))


LONG_COLUMNS = (L.WORK_DONE, L.ISSUES)  # shown as paragraphs under a project's figures


def _decimal(value: object) -> Decimal | None:
    return value if isinstance(value, Decimal) else None


def entries(edition: Edition) -> list[Entry]:
    """A page per level-1 entry: its row and children's rows of the level tables, and its
    projects grouped by the lowest level, in master order."""
    plan = edition.plan
    top = [n for n in plan.nodes if n.level == 0]
    second = edition.table(L.per_level(plan.levels[1])) if len(plan.levels) > 1 else None
    listing = edition.table(L.LISTING_SHEET)
    result = []
    for index, node in enumerate(top, start=1):
        summary = None
        chart = None
        if second is not None:
            children = {n.code for n in plan.nodes if n.parent == node.code}
            names = [c.name for c in second.columns]
            code_at = names.index(L.CODE)
            own = _level_row(edition, node.code)
            rows = [r for r in second.rows if r[code_at] in children]
            summary = Table(second.name, second.columns, [*own, *rows])
            chart = chart_of(summary, plan, f"評価区分の割合（{node.name}）")
        groups = _groups(listing, plan, node.code) if listing is not None else ()
        result.append(
            Entry(index, node.code, node.name, f"entry-{index}.html", summary, chart, groups)
        )
    return result


def _level_row(edition: Edition, code: str) -> list[tuple[object, ...]]:
    table = edition.table(L.per_level(edition.plan.levels[0]))
    if table is None:
        return []
    at = [c.name for c in table.columns].index(L.CODE)
    return [r for r in table.rows if r[at] == code]


def _groups(listing: Table, plan: Plan, top_code: str) -> tuple[Group, ...]:
    names = [c.name for c in listing.columns]
    top_at = names.index(plan.levels[0])
    low_at = names.index(plan.levels[-1])
    low_name_at = names.index(f"{plan.levels[-1]}名")
    middle = [names.index(f"{label}名") for label in plan.levels[1:-1]]
    number_at, name_at = names.index(L.NUMBER), names.index(L.PROJECT_NAME)
    department_at = names.index(L.PROJECT_DEPARTMENT)
    shown_columns = [
        i
        for i, c in enumerate(listing.columns)
        if c.name not in {*plan.levels, *(f"{x}名" for x in plan.levels), L.NUMBER, L.PROJECT_NAME}
        and c.name != L.PROJECT_DEPARTMENT
    ]
    groups: dict[str, tuple[str, tuple[str, ...], dict[str, list[tuple[object, ...]]]]] = {}
    for row in listing.rows:
        if row[top_at] != top_code:
            continue
        code = str(row[low_at])
        entry = groups.setdefault(
            code,
            (
                str(row[low_name_at]) if len(plan.levels) > 1 else "",
                tuple(str(row[i]) for i in middle),
                {},
            ),
        )
        entry[2].setdefault(str(row[number_at]), []).append(row)
    result = []
    for code, (name, path, projects) in groups.items():
        blocks = []
        for number, rows in projects.items():
            texts = tuple(
                {
                    listing.columns[i].name: shown(r[i], listing.columns[i].kind)
                    for i in shown_columns
                }
                for r in rows
            )
            blocks.append(
                ProjectBlock(
                    number, str(rows[0][name_at]), str(rows[0][department_at] or ""), texts
                )
            )
        result.append(Group(code, name, path, tuple(blocks)))
    return tuple(result)


def notes(edition: Edition) -> list[str]:
    """How to read the figures, then the plan's own 注記 (for the web page and the PDF)."""
    summary = edition.table(L.SUMMARY_SHEET)
    unit = (
        "事業"
        if summary is not None and counted_column(summary) == L.PROJECTS_EVALUATED
        else "目標"
    )
    result = [f"割合は評価済みの{unit}に対する比率（小数第2位を四捨五入）。"]
    if summary is not None and any(c.name == L.AVERAGE_RATE for c in summary.columns):
        result.append(f"平均達成率は上限 {edition.plan.rate_cap}% で頭打ちした達成率の平均。")
    result += [
        f"未評価は、提出がない、評価が記入されていない、または記入に誤りがあった{unit}の数。",
        "【再掲】の事業は、再掲元の事業として一度だけ数えている。",
    ]
    if edition.plan.note:
        result.append(edition.plan.note)
    return result
