"""The plain data passed between stages (every type one stage hands to another), and the report
a batch returns. No I/O here; pandas only where a frame is made (a Report's DataFrame views, a
submission's or a worker's rows framed), imported then through pipeline.frames."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, Protocol

from pipeline import labels as L
from pipeline.text import canonical, file_name_parts, key, safe_filename_part

if TYPE_CHECKING:  # types only: not imported when the model is
    from fractions import Fraction

    import pandas as pd

TargetValue = Decimal | str  # a number, or text for a qualitative (定性) target

# Columns of the row frames passed between stages. Raw rows (ingest) carry FILE, ROW, every
# template label as typed, and PERCENT; normalise adds the typed values; integrity adds the match.
FILE = "file"  # path relative to SUBMISSIONS
ROW = "row"  # 1-based sheet row
PERCENT = "actual_percent"  # 実績値 shown with a percent number format
RAW_COLUMNS = (FILE, ROW, *L.TEMPLATE_COLUMNS, PERCENT)
RAW_DTYPES: Mapping[str, str] = {ROW: "int64", PERCENT: "bool"}  # raw rows' columns not of objects
ACTUAL_VALUE = "actual"  # Decimal, None, or (not understood) the text as typed
GRADE_CODE = "grade"  # a grade code, None, or the text as typed
OUTLOOK_CHOICE = "outlook"  # one of OUTLOOK_CHOICES, None, or the text as typed
TARGET_SEQ = "target_seq"  # matched target's position in its project (0: no target)
PLAN_NUMBER = "plan_number"  # the master's spelling of the matched 整理番号
RATE = "rate"  # exact 達成率 (Fraction) of a counted row, or None
RATE_SHOWN = "rate_shown"  # RATE rounded half-up to one decimal (Decimal), or None
ZERO_DENOMINATOR = "zero_denominator"  # the rate's denominator is zero


class Severity(StrEnum):
    """How bad a finding is; the value is the word users read (エラー / 警告 / 情報)."""

    ERROR = L.ERROR
    WARNING = L.WARNING
    INFO = L.INFO


class RuleCode(StrEnum):
    """The stable code of every rule of the messages.RULES table (a test keeps both in step)."""

    M01 = "M01"
    M02 = "M02"
    M03 = "M03"
    M04 = "M04"
    M05 = "M05"
    M06 = "M06"
    M07 = "M07"
    M08 = "M08"
    M09 = "M09"
    M10 = "M10"
    F01 = "F01"
    F02 = "F02"
    F03 = "F03"
    F04 = "F04"
    F05 = "F05"
    F06 = "F06"
    F07 = "F07"
    F08 = "F08"
    F09 = "F09"
    F10 = "F10"
    F11 = "F11"
    F12 = "F12"
    F13 = "F13"
    F14 = "F14"
    F15 = "F15"
    F16 = "F16"
    F17 = "F17"
    F18 = "F18"
    F19 = "F19"
    F20 = "F20"
    F21 = "F21"
    F22 = "F22"
    F23 = "F23"
    I01 = "I01"
    I02 = "I02"
    I03 = "I03"
    I04 = "I04"
    I05 = "I05"
    V01 = "V01"
    V02 = "V02"
    V03 = "V03"
    V04 = "V04"
    V05 = "V05"
    V06 = "V06"
    V07 = "V07"
    V08 = "V08"
    V09 = "V09"
    V10 = "V10"
    V11 = "V11"
    V12 = "V12"
    V13 = "V13"
    V14 = "V14"
    V15 = "V15"
    V16 = "V16"
    C01 = "C01"
    C02 = "C02"
    C03 = "C03"
    B01 = "B01"
    B02 = "B02"
    B03 = "B03"
    B04 = "B04"
    B05 = "B05"
    B06 = "B06"
    B07 = "B07"


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing found: where (file, sheet, row and column, 整理番号), which rule, how bad, what
    to do. The location stays structured; its A1 text (`cell`) is spelled only for output."""

    file: str
    sheet: str
    row: int | None  # 1-based sheet row; None when the finding is about no row
    column: str | None  # the column's letter ('H'); None when about no column
    number: str
    rule: RuleCode
    severity: Severity
    value: str
    message: str

    @property
    def cell(self) -> str:
        """The location as users read it: 'H7' ('' for none), in 検証結果.csv and feedback."""
        return f"{self.column or ''}{'' if self.row is None else self.row}"

    def as_row(self) -> tuple[str, ...]:
        """The finding as a line of 検証結果 (FINDING_COLUMNS) and of the store's findings."""
        rule, severity = str(self.rule), str(self.severity)
        return (
            self.file,
            self.sheet,
            self.cell,
            self.number,
            rule,
            severity,
            self.value,
            self.message,
        )

    def order(self) -> tuple[object, ...]:
        """The order of 検証結果: by file (findings about no file last), row, column, rule."""
        cell = self.cell
        return (
            self.file == "",
            self.file,
            self.row or 0,
            len(cell),
            cell,
            self.rule,
            self.number,
            self.value,
            self.message,
        )


@dataclass(frozen=True, slots=True)
class Grade:
    """A self-grade of the plan (A, B, …) and the rate that suggests it."""

    code: str
    label: str
    floor: Decimal | None  # lowest one-decimal achievement rate that suggests this grade


@dataclass(frozen=True, slots=True)
class Node:
    """An entry of the plan's hierarchy (体系), e.g. 分野 1 or 施策 1-(1)."""

    code: str
    name: str
    parent: str | None
    level: int  # 0 = top level


@dataclass(frozen=True, slots=True)
class Project:
    """A project (事業) of the plan, as its master lists it."""

    number: str  # 整理番号 as the master writes it
    name: str
    node: str  # code of a lowest-level Node
    department: str
    category: str
    relisted_from: str | None  # 整理番号 of the main entry when this row re-lists a project
    description: str
    related: str = ""
    marks: tuple[str, ...] = ()  # per actor of the plan (Plan.actors): ◎, ○ or ''
    schedule: tuple[tuple[int, str], ...] | None = None  # year -> word; None: every year

    @property
    def is_relisting(self) -> bool:
        """A row that lists a project of another 施策 again (再掲)."""
        return self.relisted_from is not None


@dataclass(frozen=True, slots=True)
class Target:
    """A target (指標) of a project: its values per year and its direction."""

    number: str  # 整理番号 of its project
    seq: int  # 1-based position among its project's targets
    name: str
    unit: str
    direction: str  # 増加 / 減少 / 定性
    baseline: Decimal | None
    by_year: tuple[tuple[int, TargetValue], ...]

    def value_for(self, year: int) -> TargetValue | None:
        """The target's value for `year`, None when it has none that year."""
        for y, value in self.by_year:  # a plain loop: this runs for every row of every table
            if y == year:
                return value
        return None


@dataclass(frozen=True)
class ExpectedRow:
    """One row of a department's template: what its locked cells must hold."""

    number: str
    project_name: str
    target_name: str
    unit: str
    direction: str
    baseline: Decimal | None
    target: TargetValue | None
    target_seq: int  # 0 when the project has no target (and for a plan graded per project)
    extras: tuple[tuple[str, str], ...] = ()  # plans graded per project: 今年度の予定, marks

    @cached_property
    def row_key(self) -> tuple[str, str]:
        """(整理番号, 指標名) as matched: keys, so spelling variants match."""
        return key(self.number), key(self.target_name)

    @property
    def locked(self) -> tuple[object, ...]:
        """The locked cells, in LOCKED_COLUMNS order, then the extras."""
        return (
            self.number,
            self.project_name,
            self.target_name,
            self.unit,
            self.direction,
            self.baseline,
            self.target,
            *(value for _, value in self.extras),
        )

    @property
    def locked_labels(self) -> tuple[str, ...]:
        """The labels of `locked`, in the same order."""
        return (*L.LOCKED_COLUMNS, *(label for label, _ in self.extras))

    @cached_property
    def spellings(self) -> tuple[str, ...]:
        """The locked cells as compared and fingerprinted (see text.canonical)."""
        return tuple(map(canonical, self.locked))


@dataclass(frozen=True)
class Layout:
    """The header labels of a department workbook, in order, and which of them are editable.
    Raw rows carry every TEMPLATE_COLUMNS label (None where a layout has no such column) and
    this layout's other labels after them."""

    columns: tuple[str, ...]
    editable: tuple[str, ...]

    @property
    def extras(self) -> tuple[str, ...]:
        """Labels beyond the target layout's (a plan graded per project adds them)."""
        return tuple(c for c in self.columns if c not in L.TEMPLATE_COLUMNS)

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """The columns of this layout's raw rows frame."""
        return (FILE, ROW, *L.TEMPLATE_COLUMNS, *self.extras, PERCENT)


TARGET_LAYOUT = Layout(L.TEMPLATE_COLUMNS, L.EDITABLE_COLUMNS)


_FINGERPRINTED = (  # the Plan fields the fingerprint covers, as read_plan has always given them
    "plan_id",
    "name",
    "start_year",
    "end_year",
    "levels",
    "grades",
    "rate_cap",
    "nodes",
    "projects",
    "targets",
    "note",
    "unit",
    "actors",
    "schedule_words",
    "has_schedule",
)


def content_fingerprint(plan: Plan) -> str:
    """SHA-256 of a plan's content: its fields as JSON (sorted keys), the nodes, projects and
    targets each spelled by repr (the text the audit trail has always hashed)."""
    import hashlib
    import json

    listed = {
        name: [repr(x) for x in value] if name in ("nodes", "projects", "targets") else value
        for name in _FINGERPRINTED
        for value in (getattr(plan, name),)
    }
    content = json.dumps(listed, default=repr, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(content.encode()).hexdigest()


class PlanFacts(Protocol):
    """What identifying a file and matching its rows need of the plan: a Plan, or a worker's
    view of one that asks the main process for each department's rows (checks.per_file)."""

    @property
    def plan_id(self) -> str:
        """The plan a file must name in its _meta sheet (F07)."""

    def project(self, number: str) -> Project | None:
        """The project `number` names (matched as a key), or None: a file without _meta is tied
        to the department owning most of its rows (F10)."""

    def department_of_key(self, department: str) -> str | None:
        """The plan's spelling of `department`, matched as a key, or None."""

    def expected_rows(self, department: str, year: int) -> list[ExpectedRow]:
        """The rows of `department`'s template for `year`: what its rows are matched to."""


@dataclass(frozen=True)
class Plan:
    """A plan master read and checked: its hierarchy, projects, targets and grades."""

    plan_id: str
    name: str
    start_year: int
    end_year: int
    levels: tuple[str, ...]
    grades: tuple[Grade, ...]
    rate_cap: Decimal
    nodes: tuple[Node, ...]
    projects: tuple[Project, ...]
    targets: tuple[Target, ...]
    note: str = ""
    unit: str = L.UNIT_TARGET  # 評価単位: one grade per target (指標) or per project (事業)
    actors: tuple[str, ...] = ()  # 取組主体, in the master's order
    schedule_words: tuple[str, ...] = L.DEFAULT_SCHEDULE_WORDS  # 予定区分
    has_schedule: bool = False  # the master has a 予定 sheet
    _index: dict[str, Project] = field(init=False, default_factory=dict, compare=False, repr=False)
    _targets: dict[str, list[Target]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )

    _nodes: dict[str, Node] = field(init=False, default_factory=dict, compare=False, repr=False)
    _by_department: dict[str, list[Project]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )
    _chains: dict[str, list[Node]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )
    _expected: dict[tuple[str, int], list[ExpectedRow]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )
    _units: dict[int, tuple[tuple[Project, Target | None], ...]] = field(
        init=False, default_factory=dict, compare=False, repr=False
    )
    _file_parts: dict[str, str] = field(init=False, default_factory=dict, compare=False, repr=False)

    def __repr__(self) -> str:
        """Short (the dataclass's repr spells out every node, project and target)."""
        return (
            f"<Plan {self.plan_id} {self.name}（{self.start_year}〜{self.end_year}年度）: "
            f"事業 {len(self.projects)}、指標 {len(self.targets)}、"
            f"担当課 {len(self.departments())}>"
        )

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the master's content (not of its bytes), for the audit trail: worked out
        when first asked (the history store), not with every plan read — ~1 s at 120,000
        targets, which a run without a store never needs."""
        return content_fingerprint(self)

    def __post_init__(self) -> None:
        self._index.update({key(p.number): p for p in self.projects})
        for target in self.targets:
            self._targets.setdefault(key(target.number), []).append(target)
        for project in self.main_projects():
            self._by_department.setdefault(key(project.department), []).append(project)

    def project(self, number: str) -> Project | None:
        """The project `number` names (matched as a key), or None."""
        found = self._index.get(number)  # a key is its own key: most numbers asked are keys
        return found if found is not None else self._index.get(key(number))

    def main_projects(self) -> Iterator[Project]:
        """Projects in master order, re-listings (再掲) left out."""
        return (p for p in self.projects if not p.is_relisting)

    def targets_of(self, number: str) -> list[Target]:
        """The targets of project `number`, in master order."""
        found = self._targets.get(number)  # a key is its own key (see project)
        return found if found is not None else self._targets.get(key(number), [])

    def target(self, number: str, seq: int) -> Target | None:
        """The `seq`-th (1-based) target of project `number`."""
        targets = self.targets_of(number)
        return targets[seq - 1] if 0 < seq <= len(targets) else None

    def departments(self, year: int | None = None) -> list[str]:
        """Departments that report, in master order of first appearance; with `year`, those
        with at least one row in that year's template (graded per project, a department with
        nothing planned that year gets no template and is not expected)."""
        return [
            projects[0].department
            for projects in self._by_department.values()
            if year is None
            or not self.by_project
            or any(self.schedule_of(p, year) is not None for p in projects)
        ]

    def file_part(self, department: str) -> str:
        """`department` as it appears in file names: valid on Windows and unique in the plan."""
        if not self._file_parts:
            self._file_parts.update(file_name_parts(self.departments()))
        return self._file_parts.get(department) or safe_filename_part(department)

    def renamed_in_file_names(self) -> dict[str, str]:
        """Departments whose file-name part differs from their name (shown to the user)."""
        return {d: self.file_part(d) for d in self.departments() if self.file_part(d) != d}

    def department_of_key(self, department: str) -> str | None:
        """The plan's spelling of `department`, matched as a key, or None."""
        projects = self._by_department.get(key(department))
        return projects[0].department if projects else None

    def expected_rows(self, department: str, year: int) -> list[ExpectedRow]:
        """The rows of `department`'s template for `year`, in master order (do not change the
        list: the last few are kept, as a file is identified and then matched against them)."""
        wanted = (key(department), year)
        if wanted not in self._expected:
            if len(self._expected) >= 4:
                self._expected.clear()
            self._expected[wanted] = self._make_expected_rows(department, year)
        return self._expected[wanted]

    @property
    def by_project(self) -> bool:
        """Graded per project and year (評価単位 事業) rather than per target."""
        return self.unit == L.UNIT_PROJECT

    def schedule_of(self, project: Project, year: int) -> str | None:
        """The project's schedule word for `year`: '' when planned without a word (not listed
        in 予定), None when nothing is planned that year."""
        if year not in self.years():
            return None
        if project.schedule is None:
            return ""
        return next((word for at, word in project.schedule if at == year), None)

    def units(self, year: int) -> Iterator[tuple[Project, Target | None]]:
        """What is graded in `year`, in master order: each target with a value for the year, or
        (graded per project) each main project planned that year, with no target. Worked out
        once per year (a batch walks them three times, 120,000 at 2,000 departments)."""
        if year not in self._units:
            self._units.clear()  # one year at a time is what a batch asks
            self._units[year] = tuple(self._make_units(year))
        return iter(self._units[year])

    def _make_units(self, year: int) -> Iterator[tuple[Project, Target | None]]:
        for project in self.main_projects():
            if self.by_project:
                if self.schedule_of(project, year) is not None:
                    yield project, None
                continue
            for target in self.targets_of(project.number):
                if target.value_for(year) is not None:
                    yield project, target

    def layout(self) -> Layout:
        """The columns of this plan's department workbook."""
        if not self.by_project:
            return TARGET_LAYOUT
        shown = (L.TARGETS_SHOWN,) if self.targets else ()
        return Layout(
            (*L.PROJECT_LOCKED_COLUMNS, *self.actors, *shown, *L.PROJECT_EDITABLE_COLUMNS),
            L.PROJECT_EDITABLE_COLUMNS,
        )

    def targets_shown(self, number: str, year: int) -> str:
        """A project's targets as one line ('参加者数 1,200人、…'), for plans graded per project
        where targets are shown, not graded."""
        parts = []
        for t in self.targets_of(number):
            value = t.value_for(year)
            shown = format(value.normalize(), ",f") if isinstance(value, Decimal) else value or ""
            parts.append(f"{t.name} {shown}{t.unit if value is not None else ''}".strip())
        return "、".join(parts)

    def _make_expected_rows(self, department: str, year: int) -> list[ExpectedRow]:
        return [ExpectedRow(*fields) for fields in self.expected_fields(department, year)]

    def expected_fields(self, department: str, year: int) -> list[tuple[Any, ...]]:
        """expected_rows as tuples of ExpectedRow's fields, not kept (what a worker is sent:
        cheaper to make and to send than the objects)."""
        rows: list[tuple[Any, ...]] = []
        for project in self._by_department.get(key(department), []):
            if self.by_project:
                word = self.schedule_of(project, year)
                if word is not None:
                    extras = ((L.SCHEDULE, word), *zip(self.actors, project.marks, strict=True))
                    if self.targets:
                        extras += ((L.TARGETS_SHOWN, self.targets_shown(project.number, year)),)
                    rows.append((project.number, project.name, "", "", "", None, None, 0, extras))
                continue
            targets = self.targets_of(project.number)
            if not targets:
                rows.append((project.number, project.name, "", "", "", None, None, 0))
            for t in targets:
                rows.append(
                    (
                        project.number,
                        project.name,
                        t.name,
                        t.unit,
                        t.direction,
                        t.baseline,
                        t.value_for(year),
                        t.seq,
                    )
                )
        return rows

    @property
    def lowest_grade(self) -> Grade:
        """The last grade of the scale."""
        return self.grades[-1]

    def far_from_suggested(self, grade: object, suggested: str | None) -> bool:
        """A self-grade two or more steps from the suggested grade (warning C01, 注記 乖離):
        the one place that rule is computed."""
        codes = [g.code for g in self.grades]
        if suggested not in codes or grade not in codes:
            return False
        return abs(codes.index(str(grade)) - codes.index(suggested)) >= 2

    def grade_rank(self, code: str) -> int:
        """The position of grade `code` in the scale (0: the best)."""
        for rank, grade in enumerate(self.grades):
            if grade.code == code:
                return rank
        raise ValueError(f"not a grade of this plan: {code}")

    def node(self, code: str) -> Node:
        """The hierarchy node of `code`."""
        if not self._nodes:
            self._nodes.update({n.code: n for n in self.nodes})
        return self._nodes[code]

    def ancestors(self, code: str) -> list[Node]:
        """The node and its parents, top level first."""
        chain = self._chains.get(code)
        if chain is None:
            chain = []
            current: str | None = code
            while current is not None:
                node = self.node(current)
                chain.append(node)
                current = node.parent
            chain = self._chains[code] = chain[::-1]
        return list(chain)

    def years(self) -> range:
        """The fiscal years of the plan's period."""
        return range(self.start_year, self.end_year + 1)


@dataclass(frozen=True)
class PastResult:
    """A target's figures of an earlier year, as recorded in the history store."""

    actual: str  # as recorded: a plain decimal, or the text of a qualitative result
    rate: str  # one decimal, '' when there was none


def from_record(text: str) -> Decimal | str | None:
    """A figure as the history store keeps it (store.record_text): a Decimal where it is a
    number, else its text; None for ''."""
    try:
        return Decimal(text) if text else None
    except ArithmeticError:
        return text


PastResults = dict[tuple[str, str], PastResult]  # (整理番号 key, 指標名 key) -> past figures


@dataclass(frozen=True)
class SubmittedFile:
    """One file found in SUBMISSIONS and what its first look said about it."""

    path: str  # relative to SUBMISSIONS, '/' separators
    size: int
    sha256: str
    kind: str = ""  # xlsx / xlsm / xls; '' when not a readable workbook
    saved_at: str = ""  # the workbook's own saved time (docProps), ISO 8601
    modified_at: str = ""  # the file system's time, ISO 8601
    writer: str = ""  # 記入者
    contact: str = ""  # 連絡先（内線）
    meta: tuple[tuple[str, str], ...] = ()
    columns: tuple[tuple[str, str], ...] = ()  # header label -> column letter
    readable: bool = False

    def meta_value(self, name: str) -> str:
        """A value of the workbook's hidden _meta sheet ('' when absent)."""
        return dict(self.meta).get(name, "")

    def column(self, label: str) -> str:
        """The column letter of header `label` in this file ('' when absent)."""
        return next((letter for name, letter in self.columns if name == label), "")

    @property
    def name(self) -> str:
        """The file's name without its folders."""
        return self.path.rsplit("/", 1)[-1]


# --- the figures of a year (figures.compute), read by the tables, the store and publish ---

PercentMethod = Literal["half-up", "largest-remainder"]  # how shares are rounded


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


# --- what the history store records and gives back ---------------------------------------


@dataclass(frozen=True)
class FileRecord:
    """A file of a run, as the history store keeps it."""

    department: str
    status: str  # 提出 / 差替え前 / 対象外 / 未提出
    path: str
    sha256: str
    saved_at: str
    rows_read: int | None
    rows_counted: int | None
    rows_rejected: int | None


@dataclass(frozen=True)
class ResultRecord:
    """A figure of a run (one target or project), as the history store keeps it."""

    number: str
    target_name: str
    unit: str
    direction: str
    target: str
    actual: str
    rate: str
    grade: str
    department: str
    source_path: str
    source_sha256: str


@dataclass(frozen=True)
class SummaryRecord:
    """A summary row of a run (全体 or a top-level entry), as the store keeps it."""

    scope: str
    code: str
    targets_set: int
    projects_with_targets: int
    counts: dict[str, int]
    shares: dict[str, str]
    ungraded: int
    average_rate: str
    average_count: int


@dataclass(frozen=True)
class RunRecord:
    """Everything the history store keeps of one run."""

    plan_id: str
    year: int
    run_at: str
    master_name: str
    master_fingerprint: str
    tool_version: str
    digest: str
    files: Sequence[FileRecord]
    findings: Sequence[Sequence[str]]  # (file, sheet, cell, number, rule, severity, value, message)
    results: Sequence[ResultRecord]
    summary: Sequence[SummaryRecord]  # 全体 and the top level, as in the committee's 概要
    rows_counted: int = 0
    other_year: int | None = None  # the year most of its readable files are for, if not `year`


@dataclass(frozen=True)
class TrendRow:
    """A year's summary row in the trend (推移), with the master it was made with."""

    year: int
    master_fingerprint: str
    summary: SummaryRecord


@dataclass(frozen=True)
class Recorded:
    """What the store did with a run: its id, whether it is new, whether it is official."""

    run_id: int | None
    new: bool
    official: bool
    previous_official: int | None = None
    note: str = ""  # why it is not official


# --- the report of a batch -------------------------------------------------------------------


@dataclass(frozen=True)
class FileRow:
    """One line of 提出状況."""

    department: str
    status: str
    file: str
    saved_at: str
    writer: str
    sha256: str
    read: int | None
    counted: int | None
    rejected: int | None
    errors: int | None
    warnings: int | None


@dataclass(frozen=True)
class RowState:
    """What the pipeline knows about rows beyond the counted ones, for 注記 flags."""

    submitted: frozenset[str] = frozenset()  # departments with a used file
    reported: frozenset[tuple[str, int]] = frozenset()  # (整理番号, seq) with a row in a used file
    rejected: frozenset[tuple[str, int]] = frozenset()
    warned: frozenset[tuple[str, int]] = frozenset()


@dataclass(frozen=True)
class Submission:
    """One file as read: its facts, its raw rows (schemas.frames.RawRows), its findings."""

    file: SubmittedFile
    rows: pd.DataFrame  # RAW_COLUMNS, one row per non-empty sheet row below the header
    findings: tuple[Finding, ...]
    source: Path | None = None  # where the file is on disk (file.path is the name shown)


@dataclass(frozen=True)
class PlainSubmission:
    """A Submission whose rows are still lists in `columns` (the layout's raw columns), as
    read_plain gives it where pandas is not loaded (pipeline/ahead.py reads the files so while
    the stages import); `framed` builds the very frame read_submission gives."""

    file: SubmittedFile
    rows: list[list[object]]
    columns: tuple[str, ...]
    findings: tuple[Finding, ...]
    source: Path | None = None

    def framed(self) -> Submission:
        """The Submission: its rows as a frame of the raw columns' dtypes."""
        return Submission(self.file, raw_frame(self.rows, self.columns), self.findings, self.source)


def raw_frame(rows: list[list[object]], columns: tuple[str, ...]) -> pd.DataFrame:
    """`rows` (lists in the order of `columns`) in the dtypes of schemas.frames.RawRows: the
    sheet row an integer, the percent flag a bool, every other column an object (values
    exactly as the reader gave them)."""
    from pipeline.frames import grid_frame, object_grid  # pandas: only when a frame is made

    return grid_frame(object_grid(rows, len(columns)), columns, RAW_DTYPES)


@dataclass(frozen=True, eq=False)
class PlainMatched:
    """A file's rows matched to the plan as a worker sends them back: lists in the order of
    `columns` (a layout's raw columns, then TARGET_SEQ and PLAN_NUMBER). The batch makes one
    frame of every file's rows (frames.matched_frame): cheaper than a frame a file, built in
    the worker, pickled and unpickled (issue 14)."""

    columns: tuple[str, ...]
    rows: list[list[object]]
    dtypes: Mapping[str, str]  # the columns not of objects (RAW_DTYPES for a worker's rows)

    def frame(self) -> pd.DataFrame:
        """The rows as a frame (of the raw columns' dtypes, TARGET_SEQ and PLAN_NUMBER objects)."""
        from pipeline.frames import matched_frame

        return matched_frame([self])


@dataclass(frozen=True, eq=False)
class FileReport:
    """What a worker returns for one file: the file, whom it is from, the sheet rows read, what
    was found, and its rows matched to the plan. The main process adds `status` once every
    file is known (which file of a department is used)."""

    file: SubmittedFile
    source: Path | None  # where the file is on disk (file.path is the name shown)
    department: str | None  # the plan's department; None: the file belongs to no department
    claimed: str | None  # the department the file says it is from (feedback goes there)
    findings: tuple[Finding, ...]  # about the file: reading it and tying it to the plan
    rows_read: tuple[int, ...]  # the sheet rows read
    matched: PlainMatched | None  # rows with TARGET_SEQ and PLAN_NUMBER; None: not matched
    row_findings: tuple[Finding, ...] = ()  # of matching the rows (used only with the rows)
    status: str = ""  # 提出 / 差替え前 / 対象外, set by the main process


@dataclass(frozen=True, eq=False)
class UsedFiles:
    """The files of a folder once the one file per department is chosen: their reports (with
    status, rows dropped), the findings that count, and the rows of the files in use, merged."""

    reports: list[FileReport]
    findings: list[Finding]
    rows: pd.DataFrame  # the matched rows of every file in use
    files: dict[str, SubmittedFile]  # path -> file, every file read
    departments: dict[str, SubmittedFile]  # department -> its file in use
    present: set[str] = field(default_factory=set)  # keys of the 整理番号 in `rows`

    @property
    def readable(self) -> list[str]:
        """Departments whose file in use could be read (one rejected whole, F09, could not)."""
        return [d for d, f in self.departments.items() if f.readable]


@dataclass(frozen=True, eq=False)
class Report:
    """Everything a batch learned and made, read by the command line, the writers, the store
    and the feedback: the per-file reports completed with the counted rows, every finding, the
    提出状況 lines and (after `run`) the figures and tables. `findings`, `files` and `tables`
    are the same as DataFrames, with the columns of 検証結果.csv, 提出状況.csv and each CSV."""

    plan: Plan
    year: int
    file_reports: tuple[FileReport, ...]
    counted: pd.DataFrame  # the rows counted, with their rates
    finding_list: tuple[Finding, ...]  # every finding, in the order of 検証結果.csv
    file_rows: tuple[FileRow, ...]  # the lines of 提出状況
    state: RowState
    rows_read: int
    other_year: int | None = None  # the year most readable files are for, when not `year`
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase
    outputs: tuple[Path, ...] = ()  # the files written (none without an output folder)
    figures: Figures | None = None  # after `run`
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # after `run`: CSV -> frame
    recorded: Recorded | None = None  # what the history store did with the run

    def __repr__(self) -> str:
        """Short (the dataclass's repr spells out the whole Plan and every row)."""
        return (
            f"<Report {self.plan.plan_id} {self.year}: 読込 {self.rows_read} 行、"
            f"集計 {self.rows_counted} 行、除外 {self.rows_rejected} 行、"
            f"エラー {self.count(Severity.ERROR)} 件、警告 {self.count(Severity.WARNING)} 件、"
            f"ファイル {len(self.file_rows)} 件、exit_code={self.exit_code}>"
        )

    @property
    def rows_counted(self) -> int:
        """Rows counted: used in the figures."""
        return len(self.counted)

    @property
    def rows_rejected(self) -> int:
        """Rows read but not counted: with an エラー, or in a file not used; summed over the
        files (提出状況's 除外行数), so that rows_read = rows_counted + rows_rejected is a
        check on the batch, not a definition."""
        return sum(f.rejected or 0 for f in self.file_rows)

    @property
    def rows_with_errors(self) -> int:
        """Rows rejected for an エラー of their own, in the files used."""
        return self.rows_rejected - self.rows_unused

    @property
    def rows_unused(self) -> int:
        """Rows of files not used (superseded, of no department, rejected whole)."""
        return sum(f.read or 0 for f in self.file_rows if f.status != L.SUBMITTED)

    @property
    def workbooks(self) -> int:
        """Excel files read (a file that is no workbook has no hash of its rows)."""
        return sum(1 for f in self.file_rows if f.file and f.read is not None and f.sha256)

    @property
    def other_files(self) -> int:
        """Files found that are not workbooks (a folder of shinchoku's own outputs aside)."""
        return sum(1 for f in self.file_rows if f.file) - self.workbooks - self.own_folders

    @property
    def own_folders(self) -> int:
        """Folders of files shinchoku wrote itself, not read (F23: one line of 提出状況 each)."""
        return sum(1 for f in self.finding_list if f.rule == RuleCode.F23)

    @property
    def departments_used(self) -> int:
        """Departments with a file in use."""
        return sum(1 for f in self.file_rows if f.status == L.SUBMITTED)

    @property
    def departments_expected(self) -> int:
        """Departments expected to report this year."""
        return len(self.plan.departments(self.year))

    def count(self, severity: str) -> int:
        """Findings of one severity."""
        return sum(1 for f in self.finding_list if f.severity == severity)

    @property
    def batch_errors(self) -> list[Finding]:
        """The secretariat's own mistakes (wrong year, empty folder…): errors of no file."""
        return [f for f in self.finding_list if not f.file and f.severity == Severity.ERROR]

    @property
    def exit_code(self) -> int:
        """1 when anything is an エラー, else 0 (2 is raised as a ShinchokuError)."""
        return 1 if self.count(Severity.ERROR) else 0

    @cached_property
    def findings(self) -> pd.DataFrame:
        """The findings with the columns of 検証結果.csv, typed as tables["検証結果"]."""
        from pipeline.frames import typed_frame

        rows = [f.as_row() for f in self.finding_list]
        return typed_frame([(name, "text") for name in FINDING_COLUMNS], rows)

    @cached_property
    def files(self) -> pd.DataFrame:
        """The lines of 提出状況 with the columns of 提出状況.csv (counts empty for 未提出), typed
        as tables["提出状況"]."""
        from pipeline.frames import typed_frame

        shown = [c for c in STATUS_COLUMNS if c.in_csv]
        rows = [tuple(getattr(f, c.field) for c in shown) for f in self.file_rows]
        return typed_frame([(c.name, c.kind) for c in shown], rows)


FINDING_COLUMNS = (
    L.FINDING_FILE,
    L.FINDING_SHEET,
    L.FINDING_CELL,
    L.NUMBER,
    L.FINDING_RULE,
    L.FINDING_SEVERITY,
    L.FINDING_VALUE,
    L.FINDING_MESSAGE,
)  # of 検証結果

ColumnKind = Literal["text", "int", "number", "percent", "wrap"]  # how a table's column is shown


class StatusColumn(NamedTuple):
    """A column of 提出状況, declared once for the workbook sheet, 提出状況.csv and
    Report.files: its heading, the FileRow field it shows, how it is shown, and whether the CSV
    (and Report.files) has it — 保存日時 and 記入者 are shown in the workbook only."""

    name: str
    field: str
    kind: ColumnKind = "text"
    in_csv: bool = True


STATUS_COLUMNS: tuple[StatusColumn, ...] = (
    StatusColumn(L.STATUS_DEPARTMENT, "department", "wrap"),
    StatusColumn(L.STATUS, "status"),
    StatusColumn(L.STATUS_FILE, "file", "wrap"),
    StatusColumn(L.STATUS_SAVED, "saved_at", in_csv=False),
    StatusColumn(L.WRITER, "writer", in_csv=False),
    StatusColumn(L.STATUS_SHA, "sha256"),
    StatusColumn(L.STATUS_READ, "read", "int"),
    StatusColumn(L.STATUS_COUNTED, "counted", "int"),
    StatusColumn(L.STATUS_REJECTED, "rejected", "int"),
    StatusColumn(L.STATUS_ERRORS, "errors", "int"),
    StatusColumn(L.STATUS_WARNINGS, "warnings", "int"),
)
FILE_COLUMNS = tuple(c.name for c in STATUS_COLUMNS if c.in_csv)  # of 提出状況.csv


# --- tables: one shape for a workbook sheet, its CSV file and Report.tables (report.tables) ---


@dataclass(frozen=True)
class Column:
    """A column of a table: its name, how its values are shown, whether the CSV has it."""

    name: str
    kind: ColumnKind = "text"
    in_csv: bool = True


@dataclass(frozen=True)
class Table:
    """A table as both the workbook sheet and the CSV file are written from it."""

    name: str
    columns: tuple[Column, ...]
    rows: Sequence[tuple[object, ...]]
