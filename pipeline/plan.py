"""Plan master (.xlsx the secretariat edits) -> Plan, or every problem found with sheet and cell.

Knows nothing of any particular city: level labels, grades and floors all come from the master.
"""

from __future__ import annotations

import gc
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any, NamedTuple

import python_calamine
from xlsxwriter.utility import xl_col_to_name

from pipeline import labels as L
from pipeline.errors import PlanError
from pipeline.messages import finding_at
from pipeline.model import Finding, Grade, Node, Plan, Project, Target, TargetValue
from pipeline.text import key
from pipeline.years import YearError, parse_fiscal_year

_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CATEGORIES = ("新規", "拡充", "継続", "")


class _At(NamedTuple):
    """Where a finding on the master is: the 1-based row and the column letter (either may be
    unknown); the A1 text is spelled only where findings are shown."""

    row: int | None
    letter: str | None


_A1 = _At(1, "A")  # a sheet's first cell: where a missing heading is looked for


class _Cell:
    """A master cell's value and where it is."""

    __slots__ = ("_column", "_row", "value")

    def __init__(self, value: object, column: str, row: int) -> None:
        self.value, self._column, self._row = value, column, row

    @property
    def at(self) -> _At:
        """Where the cell is."""
        return _At(self._row, self._column)


class _Row:
    """A master row: its cells by header label, made into _Cell only when asked for; the texts
    of all its cells made at once (_texts), since every target row asks for several."""

    __slots__ = ("_columns", "_letters", "_pickers", "_texts", "_values", "number", "sheet")

    def __init__(
        self,
        values: Sequence[object],
        columns: dict[str, int],
        letters: list[str],
        number: int,
        sheet: str,
        pickers: dict[tuple[int, tuple[str, ...]], Callable[[list[str]], tuple[str, ...]]]
        | None = None,
    ) -> None:
        self._values, self._columns, self._letters = values, columns, letters
        self.number, self.sheet = number, sheet
        self._pickers = {} if pickers is None else pickers  # shared by the rows of a sheet
        self._texts = [_intern(v.strip()) if v.__class__ is str else _other_text(v) for v in values]
        self._texts.append("")  # what a column the row lacks holds

    def texts(self, names: tuple[str, ...]) -> tuple[str, ...]:
        """text() of each of two or more `names`, in one step (the rows of a sheet share how)."""
        width = len(self._values)
        picker = self._pickers.get((width, names))
        if picker is None:
            at = [self._columns.get(name, -1) for name in names]
            picker = itemgetter(*(-1 if i >= width else i for i in at))
            self._pickers[width, names] = picker
        return picker(self._texts)

    def value(self, name: str) -> object:
        """The cell's raw value under `name` ('' when the row lacks it), without a _Cell."""
        i = self._columns.get(name)
        return "" if i is None or i >= len(self._values) else self._values[i]

    def get(self, name: str) -> _Cell | None:
        """The cell under `name`; None where the sheet has no such column."""
        i = self._columns.get(name)
        if i is None or i >= len(self._values):
            return None
        value = self._values[i]
        return _Cell(None if value == "" else value, self._letters[i], self.number)

    def text(self, name: str) -> str:
        """The cell's text as _text spells it ('' when empty or absent), without a _Cell."""
        i = self._columns.get(name)
        if i is None or i >= len(self._values):
            return ""
        return self._texts[i]

    def __getitem__(self, name: str) -> _Cell:
        cell = self.get(name)
        if cell is None:
            raise KeyError(name)
        return cell


_intern = sys.intern  # names, units, departments repeat: held once


def _other_text(value: object) -> str:
    """A cell's text when it is not a string, as _text spells it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _intern(str(value).strip())


class _Collector:
    """Gathers findings for one master file so that all problems are reported at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.findings: list[Finding] = []

    def add(
        self, code: str, sheet: str, at: _At | None = None, value: object = "", **params: str
    ) -> None:
        """Note a finding of rule `code` at `sheet` and `at` (none: the sheet, or the file)."""
        self.findings.append(
            finding_at(
                code,
                file=self.file,
                sheet=sheet,
                row=None if at is None else at.row,
                letter=None if at is None else at.letter,
                value=value,
                sheet_name=sheet,
                **params,
            )
        )


def read_plan(path: Path) -> Plan:
    """Read and check a plan master. Raises PlanError listing every problem found."""
    enabled = gc.isenabled()
    gc.disable()  # every object made here lives on (no cycles to find): 11% faster at 1.2M targets
    try:
        return _read_plan(path)
    finally:
        if enabled:
            gc.enable()


def _unreadable(path: Path, error: Exception) -> str:
    """Why the master could not be opened, in Japanese (not the reader's class name)."""
    if path.is_dir():
        return "ファイルではなくフォルダです"
    if isinstance(error, PermissionError):
        return "読み取りの権限がありません"
    if isinstance(error, OSError):
        return "ファイルを読めません"
    return "Excel ブック（.xlsx）として読めません"


def _read_plan(path: Path) -> Plan:
    problems = _Collector(path.name)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
    except Exception as exc:  # any reason the file is not a workbook: report, never trace back
        problems.add("M08", "", reason=_unreadable(path, exc))
        raise PlanError(problems.findings) from None
    other = _other_workbook(names)
    if other and L.MASTER_PLAN_SHEET not in names:
        problems.add("M10", "", value=other)  # one message, not one per missing sheet
        raise PlanError(problems.findings)
    sheets: dict[str, list[_Row]] = {}
    for name in (
        L.MASTER_PLAN_SHEET,
        L.MASTER_TREE_SHEET,
        L.MASTER_PROJECT_SHEET,
        L.MASTER_TARGET_SHEET,
        L.MASTER_SCHEDULE_SHEET,
    ):
        if name not in names:
            optional = name == L.MASTER_SCHEDULE_SHEET or (
                name == L.MASTER_TARGET_SHEET and _graded_per_project(sheets)
            )
            if not optional:
                problems.add("M01", name)
            continue
        continued = name != L.MASTER_PLAN_SHEET  # lists may continue; the settings may not
        before = len(problems.findings)
        rows = _sheet_rows(book, name, names if continued else [], problems)
        columns = MASTER_COLUMNS.get(name, ())
        if _require_columns(name, rows, columns, problems) and len(problems.findings) == before:
            sheets[name] = rows  # its headings whole: its rows can be read (else not, M02)
    plan = _build(sheets, problems)
    if problems.findings or plan is None:
        raise PlanError(problems.findings)
    return plan


def _other_workbook(names: list[str]) -> str:
    """What a workbook given as MASTER is when it is one shinchoku wrote for something else."""
    if L.FEEDBACK_SHEET in names and L.PROGRESS_SHEET in names:
        return "担当課へ返す指摘事項ブック"
    if L.PROGRESS_SHEET in names:
        return "担当課の進捗状況シート（提出ファイル・様式）"
    if L.SUMMARY_SHEET in names and L.LISTING_SHEET in names:
        return "委員会向けの集計結果ブック"
    return ""


def _graded_per_project(sheets: dict[str, list[_Row]]) -> bool:
    """Whether 計画 says 評価単位 事業 (then the 指標 sheet may be absent)."""
    for row in sheets.get(L.MASTER_PLAN_SHEET, [])[1:]:
        if key(row.text(L.PLAN_ITEM)) == L.PLAN_UNIT:
            return key(row.text(L.PLAN_VALUE)) == L.UNIT_PROJECT
    return False


def _sheet_rows(book: Any, name: str, names: list[str], p: _Collector) -> list[_Row]:
    """A sheet's rows, then those of its continuation sheets `name(2)`, `name(3)`, … (for lists
    longer than an Excel sheet holds). Each continuation repeats the header; its rows keep their
    own sheet and cell references for findings."""
    rows = list(_rows(book.get_sheet_by_name(name).to_python(skip_empty_area=False), name))
    for part in continuation_sheets(name, names):
        more = list(_rows(book.get_sheet_by_name(part).to_python(skip_empty_area=False), part))
        if not more:
            continue  # an empty sheet of that name continues nothing
        header = _header(more)
        for column in _header(rows):
            if column and column not in header:
                p.add("M02", part, _A1, column=column)
        rows += more[1:]
    return rows


def continuation_sheets(name: str, names: Iterable[str]) -> list[str]:
    """`name(2)`, `name(3)`, … among `names` (full-width brackets too), in number order."""
    pattern = re.compile(re.escape(key(name)) + r"\((\d+)\)")
    numbered = [(int(m.group(1)), n) for n in names if (m := pattern.fullmatch(key(n)))]
    return [n for number, n in sorted(numbered) if number >= 2]


def _rows(values: Iterable[Sequence[object]], sheet: str) -> Iterator[_Row]:
    """Rows below the header, by header label; empty rows skipped; refs from A1. The first row
    yielded holds the header itself (see _header)."""
    known = {key(label): label for label in vars(L).values() if isinstance(label, str)}
    columns: dict[str, int] | None = None
    letters: list[str] = []
    pickers: dict[tuple[int, tuple[str, ...]], Callable[[list[str]], tuple[str, ...]]] = {}
    for number, raw in enumerate(values, start=1):
        if _blank_row(raw):
            continue
        if columns is None:
            spelled = [str(int(v)) if isinstance(v, float) and v.is_integer() else v for v in raw]
            header = [known.get(key(v), key(v)) if v != "" else "" for v in spelled]
            columns = {}
            for i, name in enumerate(header):
                if name:
                    columns[name] = i  # a label written twice: the rightmost column, as before
            letters = [xl_col_to_name(i) for i in range(len(header))]
            yield _Row([header], {"__header__": 0}, ["A"], 1, sheet)
            continue
        yield _Row(raw, columns, letters, number, sheet, pickers)


def _blank_row(values: Sequence[object]) -> bool:
    """Whether every cell of the row is empty or holds only spaces (full-width included);
    stops at the first that is not."""
    for value in values:
        if value is None or value == "":
            continue
        if value.__class__ is not str or (value.isascii() and value.strip()) or key(value):
            return False
    return True


def _header(rows: list[_Row]) -> list[str]:
    value = rows[0]["__header__"].value if rows else []
    return list(value) if isinstance(value, list) else []


def _require_columns(sheet: str, rows: list[_Row], columns: Iterable[str], p: _Collector) -> bool:
    header = _header(rows)
    missing = [c for c in columns if c not in header]
    for column in missing:
        p.add("M02", sheet, _A1, column=column)
    return not missing


def _text(cell: _Cell | None) -> str:
    if cell is None or cell.value is None:
        return ""
    if isinstance(cell.value, float) and cell.value.is_integer():
        return str(int(cell.value))  # a code typed as a number: 1, not 1.0
    return str(cell.value).strip()


@lru_cache(maxsize=65536, typed=True)  # target values repeat; a Decimal is immutable: shared
def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    text = key(value).replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


MASTER_COLUMNS = {  # the required columns of each sheet, in the order templates write them
    L.MASTER_PLAN_SHEET: (L.PLAN_ITEM, L.PLAN_VALUE),
    L.MASTER_TREE_SHEET: (L.TREE_CODE, L.TREE_NAME, L.TREE_PARENT, L.TREE_LEVEL),
    L.MASTER_PROJECT_SHEET: (
        L.NUMBER,
        L.PROJECT_NAME,
        L.PROJECT_NODE,
        L.PROJECT_DEPARTMENT,
        L.PROJECT_CATEGORY,
        L.PROJECT_RELISTED_FROM,
        L.PROJECT_DESCRIPTION,
    ),
    L.MASTER_TARGET_SHEET: (L.NUMBER, L.TARGET_NAME, L.UNIT, L.DIRECTION, L.BASELINE),
}


def _build(sheets: dict[str, list[_Row]], p: _Collector) -> Plan | None:
    """The Plan from the sheets whose headings are whole, or None when anything was found.

    One sheet's problems do not stop the others' checks: a check that needs what a missing or
    broken sheet, or a value the 計画 sheet fails to give (levels, period, actors), would have
    given is skipped; the rest still run, so that every other problem is listed at once."""
    settings = sheets.get(L.MASTER_PLAN_SHEET)
    given = _settings(settings, p) if settings is not None else _UNKNOWN
    tree = sheets.get(L.MASTER_TREE_SHEET)
    nodes = _nodes(tree, given.levels, p) if tree is not None else []
    rows = sheets.get(L.MASTER_PROJECT_SHEET)
    projects = None
    if rows is not None:
        projects = _projects(rows, nodes, given.levels if tree is not None else None, p)
        if given.actors is not None:
            projects = _marks(rows, projects, given.actors, p)
        if L.MASTER_SCHEDULE_SHEET in sheets:  # each of its rows is a project's
            schedule = sheets[L.MASTER_SCHEDULE_SHEET]
            projects = _schedule(schedule, projects, given.words, given.period, p)
    targets = []
    if L.MASTER_TARGET_SHEET in sheets:
        targets = _targets(sheets[L.MASTER_TARGET_SHEET], projects, p)
    if p.findings:
        return None
    assert given.levels and given.period and given.cap and projects is not None  # no findings
    fields: dict[str, Any] = {
        "plan_id": given.plan_id,
        "name": given.name,
        "start_year": given.period[0],
        "end_year": given.period[1],
        "levels": given.levels,
        "grades": given.grades,
        "rate_cap": given.cap,
        "nodes": tuple(nodes),
        "projects": tuple(projects),
        "targets": tuple(targets),
        "note": given.note,
        "unit": given.unit,
        "actors": given.actors,
        "schedule_words": given.words,
        "has_schedule": L.MASTER_SCHEDULE_SHEET in sheets,
    }
    return Plan(**fields)


class _Settings(NamedTuple):
    """What the 計画 sheet gives; None where an item is missing or broken (its finding is
    noted): the other sheets' checks that need it are skipped."""

    plan_id: str
    name: str
    period: tuple[int, int] | None  # 開始年度, 終了年度
    levels: tuple[str, ...] | None
    grades: tuple[Grade, ...]
    cap: Decimal | None
    note: str
    unit: str
    actors: tuple[str, ...] | None
    words: tuple[str, ...]


def _settings(rows: list[_Row], p: _Collector) -> _Settings:
    sheet = L.MASTER_PLAN_SHEET
    items: dict[str, _Cell] = {
        key(_text(r.get(L.PLAN_ITEM))): cell
        for r in rows[1:]
        if (cell := r.get(L.PLAN_VALUE)) is not None
    }
    given: dict[str, _Cell] = {}
    for required in (
        L.PLAN_ID,
        L.PLAN_NAME,
        L.PLAN_START,
        L.PLAN_END,
        L.PLAN_LEVELS,
        L.PLAN_GRADES,
    ):
        if _text(items.get(required)):
            given[required] = items[required]
        else:
            p.add("M03", sheet, _at_of(items.get(required)), column=required)
    plan_id = _text(given.get(L.PLAN_ID))
    if plan_id and not _SLUG.match(plan_id):
        p.add(
            "M04",
            sheet,
            _at_of(items[L.PLAN_ID]),
            plan_id,
            column=L.PLAN_ID,
            hint="半角英数字と - _ . だけで書いてください（例: sendai-2021）。",
        )
    start, end = (_year(given[item], sheet, p) if item in given else None for item in _PERIOD)
    period = None
    if start is not None and end is not None and end < start:
        p.add(
            "M04",
            sheet,
            _at_of(items[L.PLAN_END]),
            end,
            column=L.PLAN_END,
            hint="終了年度は開始年度以降にしてください。",
        )
    elif start is not None and end is not None:
        period = (start, end)
    levels = _levels(given.get(L.PLAN_LEVELS), p) if L.PLAN_LEVELS in given else None
    grades = _grades(items, p) if L.PLAN_GRADES in given else ()
    unit, actors, words = _review(items, p)
    cap = _decimal(items[L.PLAN_RATE_CAP].value) if items.get(L.PLAN_RATE_CAP) else Decimal(100)
    if cap is None or cap <= 0:
        cell = items[L.PLAN_RATE_CAP]
        p.add(
            "M04",
            sheet,
            _at_of(cell),
            _text(cell),
            column=L.PLAN_RATE_CAP,
            hint="正の数にしてください。",
        )
    return _Settings(
        plan_id,
        _text(given.get(L.PLAN_NAME)),
        period,
        levels,
        grades,
        cap,
        _text(items.get(L.PLAN_NOTE)),
        unit,
        actors,
        words,
    )


_PERIOD = (L.PLAN_START, L.PLAN_END)
_UNKNOWN = _Settings("", "", None, None, (), None, "", L.UNIT_TARGET, None, ())  # no 計画 sheet


def _levels(cell: _Cell | None, p: _Collector) -> tuple[str, ...] | None:
    """The level names of 階層 (1 to 4, distinct), or None with a finding."""
    levels = tuple(x.strip() for x in _text(cell).replace("；", ";").split(";"))
    if 1 <= len(levels) <= 4 and "" not in levels and len(set(levels)) == len(levels):
        return levels
    p.add(
        "M04",
        L.MASTER_PLAN_SHEET,
        _at_of(cell),
        ";".join(levels),
        column=L.PLAN_LEVELS,
        hint="1〜4個の異なる階層名を ; で区切って書いてください（例: 分野;施策）。",
    )
    return None


def _names(cell: _Cell | None) -> tuple[str, ...]:
    return tuple(x.strip() for x in _text(cell).replace("；", ";").split(";") if x.strip())


def _review(
    items: dict[str, _Cell], p: _Collector
) -> tuple[str, tuple[str, ...] | None, tuple[str, ...]]:
    """評価単位, 取組主体 (None when refused: the marks are not checked against it) and
    予定区分: how projects are reviewed (all optional)."""

    def refuse(item: str, hint: str) -> None:
        cell = items.get(item)
        p.add("M04", L.MASTER_PLAN_SHEET, _at_of(cell), _text(cell), column=item, hint=hint)

    unit = key(_text(items.get(L.PLAN_UNIT))) or L.UNIT_TARGET
    if unit not in L.UNITS:
        refuse(
            L.PLAN_UNIT, "「指標」（指標ごとに評価）か「事業」（事業ごとに評価）にしてください。"
        )
    actors = _names(items.get(L.PLAN_ACTORS))
    reserved = {
        key(label) for label in (*L.TEMPLATE_COLUMNS, L.SCHEDULE, L.PARTNERS, L.TARGETS_SHOWN)
    }
    reserved |= {key(label) for label in MASTER_COLUMNS[L.MASTER_PROJECT_SHEET]}
    clash = [a for a in actors if key(a) in reserved]
    usable = len({key(a) for a in actors}) == len(actors) and not clash
    if not usable:
        refuse(
            L.PLAN_ACTORS,
            "異なる主体名を ; で区切って書いてください（例: 住民;事業者;行政）。"
            "様式の見出しと同じ名前（" + "、".join(clash or ["整理番号など"]) + "）は使えません。",
        )
    words = _names(items.get(L.PLAN_SCHEDULE_WORDS)) or L.DEFAULT_SCHEDULE_WORDS
    if len({key(w) for w in words}) != len(words):
        refuse(L.PLAN_SCHEDULE_WORDS, "異なる語を ; で区切って書いてください（例: 検討;実施）。")
    return unit, actors if usable else None, words


def _at_of(cell: _Cell | None) -> _At | None:
    return None if cell is None else cell.at


def _year(cell: _Cell, sheet: str, p: _Collector) -> int | None:
    try:
        return parse_fiscal_year(cell.value)
    except YearError:
        p.add("M07", sheet, cell.at, _text(cell))
        return None


def _pairs(text: str) -> list[tuple[str, str]]:
    parts = [x.strip() for x in text.replace("；", ";").split(";") if x.strip()]
    return [
        (a.strip(), b.strip()) for a, _, b in (x.replace("＝", "=").partition("=") for x in parts)
    ]


def _grades(items: dict[str, _Cell], p: _Collector) -> tuple[Grade, ...]:
    sheet = L.MASTER_PLAN_SHEET
    cell = items[L.PLAN_GRADES]
    pairs = _pairs(_text(cell))
    codes = [key(code).upper() for code, _ in pairs]
    if len(pairs) < 2 or "" in codes or len(set(codes)) != len(codes):
        p.add(
            "M04",
            sheet,
            _at_of(cell),
            _text(cell),
            column=L.PLAN_GRADES,
            hint="良い順に2個以上、A=着実に進捗した;B=概ね進捗した;C=進捗が遅れている "
            "のように書いてください。",
        )
        return ()
    floors: dict[str, Decimal] = {}
    floor_cell = items.get(L.PLAN_FLOORS)
    for code, number in _pairs(_text(floor_cell)):
        value = _decimal(number)
        if key(code).upper() not in codes or value is None:
            p.add(
                "M04",
                sheet,
                _at_of(floor_cell),
                f"{code}={number}",
                column=L.PLAN_FLOORS,
                hint="評価区分のコードと数値で A=100;B=80 のように書いてください。",
            )
            continue
        floors[key(code).upper()] = value
    return tuple(
        Grade(c, label or c, floors.get(c)) for c, (_, label) in zip(codes, pairs, strict=True)
    )


def _nodes(rows: list[_Row], levels: tuple[str, ...] | None, p: _Collector) -> list[Node]:
    """The 体系 rows as nodes. Without 計画's levels (None) only what needs none is checked
    (names and codes given, each code once), and no node is made."""
    sheet = L.MASTER_TREE_SHEET
    level_index = {key(label): i for i, label in enumerate(levels or ())}
    nodes: list[Node] = []
    seen: dict[str, Node] = {}
    for row in rows[1:]:
        sheet = row.sheet  # the main sheet or one of its continuations
        code, name, parent = (row.text(c) for c in (L.TREE_CODE, L.TREE_NAME, L.TREE_PARENT))
        level = level_index.get(key(row.text(L.TREE_LEVEL)))
        if not _present(row, sheet, (L.TREE_CODE, L.TREE_NAME), p):
            continue
        if levels is not None and level is None:
            cell = row[L.TREE_LEVEL]
            p.add(
                "M04",
                sheet,
                cell.at,
                _text(cell),
                column=L.TREE_LEVEL,
                hint=f"{'、'.join(levels)} のいずれかにしてください。",
            )
            continue
        if key(code) in seen:
            p.add(
                "M05",
                sheet,
                row[L.TREE_CODE].at,
                code,
                column=L.TREE_CODE,
                other=seen[key(code)].name,
            )
            continue
        if levels is None or level is None:  # no levels: seen for the duplicates' check only
            seen[key(code)] = Node(code, name, None, 0)
            continue
        parent_node = seen.get(key(parent)) if parent else None
        if level == 0 and parent:
            p.add(
                "M04",
                sheet,
                row[L.TREE_PARENT].at,
                parent,
                column=L.TREE_PARENT,
                hint="最上位の階層では空欄にしてください。",
            )
        elif level > 0 and (parent_node is None or parent_node.level != level - 1):
            p.add(
                "M06",
                sheet,
                _at_of(row.get(L.TREE_PARENT)),
                parent,
                column=L.TREE_PARENT,
                target=f"これより上の行の「{levels[level - 1]}」",
            )
        node = Node(code, name, parent_node.code if parent_node else None, level)
        seen[key(code)] = node
        nodes.append(node)
    return nodes


def _present(row: _Row, sheet: str, columns: Iterable[str], p: _Collector) -> bool:
    ok = True
    for column in columns:
        if not row.text(column):
            p.add("M03", sheet, _at_of(row.get(column)) or _row_at(row), column=column)
            ok = False
    return ok


def _row_at(row: _Row) -> _At:
    """A row whose cell under a heading is not there: the row (the message names the heading)."""
    return _At(row.number, None)


def _projects(
    rows: list[_Row], nodes: list[Node], levels: tuple[str, ...] | None, p: _Collector
) -> list[Project]:
    """The 事業 rows as projects; without 計画's levels (None) the link to 体系's lowest level
    is not checked."""
    sheet = L.MASTER_PROJECT_SHEET
    lowest = {key(n.code): n for n in nodes if levels and n.level == len(levels) - 1}
    projects: list[Project] = []
    seen: dict[str, Project] = {}
    for row in rows[1:]:
        sheet = row.sheet  # the main sheet or one of its continuations
        number, name, node_code, relisted_text, category, department, description, related = (
            row.texts(_PROJECT_TEXTS)
        )
        if not (number and name and node_code) and not _present(
            row, sheet, (L.NUMBER, L.PROJECT_NAME, L.PROJECT_NODE), p
        ):
            continue
        relisted = relisted_text or None
        if key(number) in seen:
            p.add(
                "M05",
                sheet,
                row[L.NUMBER].at,
                number,
                column=L.NUMBER,
                other=seen[key(number)].name,
            )
            continue
        node = lowest.get(key(node_code))
        if node is None and levels:
            p.add(
                "M06",
                sheet,
                row[L.PROJECT_NODE].at,
                node_code,
                column=L.PROJECT_NODE,
                target=f"体系シートの「{levels[-1]}」",
            )
        if key(category) not in CATEGORIES:
            p.add(
                "M04",
                sheet,
                row[L.PROJECT_CATEGORY].at,
                category,
                column=L.PROJECT_CATEGORY,
                hint="新規・拡充・継続 または空欄にしてください。",
            )
        if relisted is None and not department:
            p.add("M03", sheet, _at_of(row.get(L.PROJECT_DEPARTMENT)), column=L.PROJECT_DEPARTMENT)
        code = node.code if node else node_code
        project = Project(number, name, code, department, category, relisted, description, related)
        seen[key(number)] = project
        projects.append(project)
    return _check_relistings(projects, rows, seen, p)


_PROJECT_TEXTS = (
    L.NUMBER,
    L.PROJECT_NAME,
    L.PROJECT_NODE,
    L.PROJECT_RELISTED_FROM,
    L.PROJECT_CATEGORY,
    L.PROJECT_DEPARTMENT,
    L.PROJECT_DESCRIPTION,
    L.PROJECT_RELATED,
)

_MARK_SPELLINGS = {
    key(L.MARK_LEAD): L.MARK_LEAD,
    key(L.MARK_PARTNER): L.MARK_PARTNER,
    "〇": L.MARK_PARTNER,  # the kanji zero and the large circle, as people type ○
    "◯": L.MARK_PARTNER,
    "": "",
}


def _marks(
    rows: list[_Row], projects: list[Project], actors: tuple[str, ...], p: _Collector
) -> list[Project]:
    """Each project's mark (◎, ○ or blank) per actor of 取組主体, from the 事業 column named
    after the actor. A column of marks for an actor 取組主体 does not declare is refused."""
    sheet = L.MASTER_PROJECT_SHEET
    header = _header(rows)
    before = len(p.findings)  # only this sheet's mark columns' own problems stop the check below
    _require_columns(sheet, rows, [key(a) for a in actors], p)
    declared = {key(a) for a in actors}
    known = {key(label) for label in vars(L).values() if isinstance(label, str)}
    for column in header:
        if not column or key(column) in declared or key(column) in known:
            continue
        marked = next(
            (r for r in rows[1:] if _MARK_SPELLINGS.get(key(_text(r.get(column)))) in L.MARKS),
            None,
        )
        if marked is not None:
            first = marked[column]
            p.add("M09", marked.sheet, first.at, _text(first), column=column)
    if not actors or len(p.findings) > before:
        return projects
    by_number = {key(_text(r.get(L.NUMBER))): r for r in rows[1:]}
    marked_projects: list[Project] = []
    for project in projects:
        row = by_number[key(project.number)]
        marks: list[str] = []
        for actor in actors:
            cell = row.get(key(actor))
            mark = _MARK_SPELLINGS.get(key(_text(cell)))
            if mark is None:
                p.add(
                    "M04",
                    row.sheet,
                    _at_of(cell),
                    _text(cell),
                    column=actor,
                    hint="◎（中心となる主体）、○（参加・協力）または空欄にしてください。",
                )
                mark = ""
            marks.append(mark)
        marked_projects.append(replace(project, marks=tuple(marks)))
    return marked_projects


def _schedule(
    rows: list[_Row],
    projects: list[Project],
    words: tuple[str, ...],
    period: tuple[int, int] | None,
    p: _Collector,
) -> list[Project]:
    """The 予定 sheet: per main project and fiscal year, a word of 予定区分 or blank (nothing
    planned). Projects it does not list are planned every year. Without 計画's period (None)
    the years of the columns are not checked against it."""
    sheet = L.MASTER_SCHEDULE_SHEET
    if not _require_columns(sheet, rows, (L.NUMBER,), p):
        return projects
    header = _header(rows)
    columns = _year_columns(header, sheet, p)
    if not columns:
        example = f"（例: {period[0]}年度）" if period else ""
        p.add("M02", sheet, _A1, column=f"{L.YEAR}{example}")
    start, end = period or (0, 0)
    for label, year in columns.items():
        if period and not start <= year <= end:
            header_at = header.index(label)
            p.add(
                "M04",
                sheet,
                _At(1, xl_col_to_name(header_at)),
                label,
                column=L.YEAR,
                hint=f"計画の期間（{start}〜{end}年度）の年度にしてください。",
            )
    spelled = {key(w): w for w in words}
    mains = {key(x.number): x for x in projects if not x.is_relisting}
    relisted = {key(x.number) for x in projects if x.is_relisting}
    found: dict[str, tuple[tuple[int, str], ...]] = {}
    for row in rows[1:]:
        if not _present(row, row.sheet, (L.NUMBER,), p):
            continue
        number = row.text(L.NUMBER)
        if key(number) not in mains:
            where = "事業シート（再掲ではない事業）" if key(number) in relisted else "事業シート"
            p.add("M06", row.sheet, row[L.NUMBER].at, number, column=L.NUMBER, target=where)
            continue
        if key(number) in found:
            other = mains[key(number)].name
            p.add("M05", row.sheet, row[L.NUMBER].at, number, column=L.NUMBER, other=other)
            continue
        by_year: list[tuple[int, str]] = []
        for label, year in columns.items():
            cell = row.get(label)
            text = key(_text(cell))
            if not text:
                continue
            if text not in spelled:
                p.add(
                    "M04",
                    row.sheet,
                    _at_of(cell),
                    _text(cell),
                    column=label,
                    hint=f"{'・'.join(words)} のいずれか、または空欄（予定なし）にしてください。",
                )
                continue
            by_year.append((year, spelled[text]))
        found[key(number)] = tuple(sorted(by_year))
    return [replace(x, schedule=found.get(key(x.number), x.schedule)) for x in projects]


def _check_relistings(
    projects: list[Project], rows: list[_Row], seen: dict[str, Project], p: _Collector
) -> list[Project]:
    if all(project.relisted_from is None for project in projects):
        return projects
    refs = {key(r.text(L.NUMBER)): r for r in rows[1:]}
    checked: list[Project] = []
    for project in projects:
        if project.relisted_from is not None:
            main = seen.get(key(project.relisted_from))
            row = refs[key(project.number)]
            cell = row[L.PROJECT_RELISTED_FROM]
            if main is None or main.is_relisting:
                p.add(
                    "M06",
                    row.sheet,
                    cell.at,
                    project.relisted_from,
                    column=L.PROJECT_RELISTED_FROM,
                    target="再掲ではない事業の整理番号",
                )
            elif not project.department:
                project = replace(project, department=main.department)
        checked.append(project)
    return checked


def _targets(rows: list[_Row], projects: list[Project] | None, p: _Collector) -> list[Target]:
    """The 指標 rows as targets; without the 事業 sheet (None) their 整理番号 is not looked up."""
    sheet = L.MASTER_TARGET_SHEET
    year_columns = _year_columns(_header(rows), sheet, p)
    mains = {key(x.number): x for x in projects or () if not x.is_relisting}
    relisted = {key(x.number) for x in projects or () if x.is_relisting}
    targets: list[Target] = []
    seen: dict[tuple[str, str], str] = {}
    per_project: Counter[str] = Counter()
    shared: dict[tuple[tuple[int, type, str], ...], tuple[tuple[int, TargetValue], ...]] = {}
    for row in rows[1:]:
        sheet = row.sheet  # the main sheet or one of its continuations
        number, name, direction, unit, baseline = row.texts(_TARGET_TEXTS)
        if not (number and name and direction) and not _present(
            row, sheet, (L.NUMBER, L.TARGET_NAME, L.DIRECTION), p
        ):
            continue
        number_key, name_key = key(number), key(name)
        if projects is not None and number_key not in mains:
            where = "事業シート（再掲ではない事業）" if number_key in relisted else "事業シート"
            p.add("M06", sheet, row[L.NUMBER].at, number, column=L.NUMBER, target=where)
            continue
        if (number_key, name_key) in seen:
            p.add("M05", sheet, row[L.TARGET_NAME].at, name, column=L.TARGET_NAME, other=number)
            continue
        seen[number_key, name_key] = number
        seq = per_project[number_key] + 1
        texts = (number, name, direction, unit, baseline)
        parsed = _target(row, texts, seq, year_columns, p, shared)
        if parsed is not None:
            per_project[number_key] = seq
            targets.append(parsed)
    return targets


_TARGET_TEXTS = (L.NUMBER, L.TARGET_NAME, L.DIRECTION, L.UNIT, L.BASELINE)


def _year_columns(header: list[str], sheet: str, p: _Collector) -> dict[str, int]:
    """Label -> fiscal year of each year column. Two columns for one year (令和8年度 and R8, or
    R6 twice) would be merged silently: refused (M05) at the second heading cell."""
    found: dict[str, int] = {}
    first: dict[int, str] = {}  # year -> cell of its first heading
    for at, label in enumerate(header):
        if label in (L.NUMBER, L.TARGET_NAME, L.UNIT, L.DIRECTION, L.BASELINE, L.PROJECT_NAME):
            continue
        try:
            year = parse_fiscal_year(label)
        except YearError:
            continue  # an extra column: allowed and kept out of the way
        letter = xl_col_to_name(at)
        if year in first:
            other = f"{first[year]} と同じ{year}年度の列"
            p.add("M05", sheet, _At(1, letter), label, column=L.YEAR, other=other)
            continue
        first[year] = f"{letter}1"  # for the message: where the same year is already
        found[label] = year
    return found


def _target(
    row: _Row,
    texts: tuple[str, str, str, str, str],
    seq: int,
    year_columns: dict[str, int],
    p: _Collector,
    shared: dict[tuple[tuple[int, type, str], ...], tuple[tuple[int, TargetValue], ...]],
) -> Target | None:
    """A target row as a Target (its number, name, direction, unit and baseline texts given),
    or None with a finding."""
    sheet = row.sheet
    number, name, direction_text, unit, baseline_text = texts
    direction = key(direction_text)
    if direction not in L.DIRECTIONS:
        p.add(
            "M04",
            sheet,
            row[L.DIRECTION].at,
            direction_text,
            column=L.DIRECTION,
            hint="増加・減少・定性 のいずれかにしてください。",
        )
        return None
    baseline = None
    if baseline_text:
        baseline_cell = row.get(L.BASELINE)
        baseline = _decimal(baseline_cell.value if baseline_cell else None)
        if baseline is None or direction == L.DIRECTION_QUALITATIVE:
            p.add(
                "M04",
                sheet,
                _at_of(baseline_cell),
                _text(baseline_cell),
                column=L.BASELINE,
                hint="数値にしてください（定性の指標では空欄）。",
            )
    by_year: list[tuple[int, TargetValue]] = []
    for label, year in year_columns.items():
        text = row.text(label)
        if not text:
            continue
        if direction == L.DIRECTION_QUALITATIVE:
            by_year.append((year, text))
            continue
        value = _decimal(row.value(label))
        if value is None:
            p.add(
                "M04",
                sheet,
                row[label].at,
                text,
                column=label,
                hint="増加・減少の指標の目標値は数値にしてください（定性なら方向を「定性」に）。",
            )
            continue
        by_year.append((year, value))
    values = tuple(sorted(by_year))
    # held once when spelled alike (not merely equal: Decimal 100 == 100.0 but shows otherwise)
    spelling = tuple((year, value.__class__, str(value)) for year, value in values)
    values = shared.setdefault(spelling, values)
    return Target(number, seq, name, unit, direction, baseline, values)
