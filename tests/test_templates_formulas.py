"""What a department sees in its own workbook before sending it: the live 達成率 formula gives the
rate shinchoku itself computes (rates.py) for every direction, 基準値 or not; the sheet is
protected so that rows cannot be added or removed, while filtering and resizing stay allowed."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.rates import achievement, round_half_up
from pipeline.templates import HEADER_ROW, write_templates
from tests.builders import master_sheets, write_plan

# --- a small evaluator for the formulas a template holds (IF, OR, NOT, ISNUMBER, ROUND) -------

_TOKEN = re.compile(r'\s*(?:(\d+(?:\.\d+)?)|("(?:[^"]|"")*")|([A-Z]+\$?\d+)|([A-Z]+)\(|(.))')

Cells = dict[str, object]
Node = Callable[[Cells], object]


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = [m.groups() for m in _TOKEN.finditer(text)]
        self.at = 0

    def peek(self) -> str | None:
        return self.tokens[self.at][4] if self.at < len(self.tokens) else None

    def take(self, symbol: str) -> None:
        assert self.peek() == symbol, (symbol, self.tokens[self.at :])
        self.at += 1

    def expression(self) -> Node:
        left = self.additive()
        if self.peek() == "=":
            self.take("=")
            right = self.additive()
            return lambda c: _eq(left(c), right(c))
        return left

    def additive(self) -> Node:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.peek()
            self.at += 1
            left, right = node, self.term()
            node = (
                (lambda c, a=left, b=right: a(c) + b(c))
                if op == "+"
                else (lambda c, a=left, b=right: a(c) - b(c))
            )
        return node

    def term(self) -> Node:
        node = self.primary()
        while self.peek() in ("*", "/"):
            op = self.peek()
            self.at += 1
            left, right = node, self.primary()
            node = (
                (lambda c, a=left, b=right: a(c) * b(c))
                if op == "*"
                else (lambda c, a=left, b=right: a(c) / b(c))
            )
        return node

    def primary(self) -> Node:
        number, string, cell, function, symbol = self.tokens[self.at]
        self.at += 1
        if number is not None:
            value = Fraction(Decimal(number))
            return lambda c: value
        if string is not None:
            text = string[1:-1].replace('""', '"')
            return lambda c: text
        if cell is not None:
            ref = cell.replace("$", "")
            return lambda c: _number(c.get(ref))
        if function is not None:
            args = []
            while self.peek() != ")":
                args.append(self.expression())
                if self.peek() == ",":
                    self.take(",")
            self.take(")")
            return _function(function, args)
        assert symbol == "(", symbol
        inner = self.expression()
        self.take(")")
        return inner


def _number(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return Fraction(Decimal(str(value)))
    return value


def _eq(a: object, b: object) -> bool:
    return a == b


def _round(value: Fraction, places: Fraction) -> Fraction:
    return Fraction(round_half_up(value, int(places)))  # Excel's ROUND: half away from zero


def _function(name: str, args: list[Node]) -> Node:
    if name == "IF":  # lazy, as in Excel
        return lambda c: args[1](c) if args[0](c) else args[2](c)
    if name == "OR":
        return lambda c: any(a(c) for a in args)
    if name == "NOT":
        return lambda c: not args[0](c)
    if name == "ISNUMBER":
        return lambda c: isinstance(args[0](c), Fraction)
    if name == "ROUND":
        return lambda c: _round(args[0](c), args[1](c))  # type: ignore[arg-type]
    raise AssertionError(f"unexpected function {name}")


def evaluate(formula: str, cells: Cells) -> object:
    assert formula.startswith("=")
    parser = _Parser(formula[1:])
    node = parser.expression()
    assert parser.at == len(parser.tokens), formula
    return node(cells)


# --- the template -------------------------------------------------------------------------------

TARGETS = [
    ["1-(1)-1", "参加者数", "人", L.DIRECTION_UP, "", "100"],
    ["1-(1)-1", "ごみ排出量", "g", L.DIRECTION_DOWN, "900", "800"],
    ["1-(1)-1", "待機児童数", "人", L.DIRECTION_DOWN, "", "50"],
    ["1-(1)-1", "据え置き", "件", L.DIRECTION_DOWN, "70", "70"],  # 基準値 = 目標: no rate
]


@pytest.fixture(scope="module")
def sheet(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp("template")
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-(1)-1", "事業", "1-(1)", "A課", "", "", ""]],
        targets=TARGETS,
        years=[2024],
    )
    _, plan = write_plan(sheets, tmp)
    (book,) = write_templates(plan, 2024, tmp / "t")
    return load_workbook(book)[L.PROGRESS_SHEET]


def _row(sheet, name: str) -> tuple[dict[str, str], Cells, str]:  # type: ignore[no-untyped-def]
    """(column letters by label, the row's cells by reference, the 実績値 reference)."""
    header = {c.value: c.column_letter for c in sheet[HEADER_ROW] if c.value}
    for r in range(HEADER_ROW + 1, sheet.max_row + 1):
        if sheet[f"{header[L.TARGET_NAME]}{r}"].value == name:
            cells = {f"{letter}{r}": sheet[f"{letter}{r}"].value for letter in header.values()}
            return header, cells, f"{header[L.ACTUAL]}{r}"
    raise AssertionError(name)


def _formula_rate(sheet, name: str, actual: object) -> object:  # type: ignore[no-untyped-def]
    header, cells, actual_ref = _row(sheet, name)
    rate_ref = actual_ref.replace(header[L.ACTUAL], header[L.RATE], 1)
    return evaluate(str(cells[rate_ref]), {**cells, actual_ref: actual})


def _pipeline_rate(name: str, actual: Decimal) -> object:
    target = next(t for t in TARGETS if t[1] == name)
    baseline = Decimal(target[4]) if target[4] else None
    rate = achievement(target[3], baseline, Decimal(target[5]), actual).value
    return "" if rate is None else Fraction(round_half_up(rate))


@pytest.mark.parametrize(
    ("name", "actual", "shown"),
    [
        ("参加者数", 120, Fraction(120)),
        ("ごみ排出量", 820, Fraction(80)),  # (900-820)/(900-800): 80.0, not -80.0
        ("ごみ排出量", 950, Fraction(-50)),  # worse than the baseline
        ("待機児童数", 40, Fraction(125)),  # 50/40
        ("待機児童数", 0, ""),  # zero denominator: blank, no #DIV/0!
        ("据え置き", 60, ""),
        ("参加者数", None, ""),  # not typed yet
        ("参加者数", "未集計", ""),  # text: blank
    ],
)
def test_live_rate_shows_what_shinchoku_computes(
    sheet, name: str, actual: object, shown: object
) -> None:  # type: ignore[no-untyped-def]
    assert _formula_rate(sheet, name, actual) == shown
    if isinstance(actual, int):
        assert _pipeline_rate(name, Decimal(actual)) == shown


@given(
    st.sampled_from([t[1] for t in TARGETS]),
    st.decimals(min_value=-1000, max_value=5000, places=2, allow_nan=False, allow_infinity=False),
)
def test_live_rate_agrees_with_the_pipeline_for_any_actual(
    sheet, name: str, actual: Decimal
) -> None:  # type: ignore[no-untyped-def]
    assert _formula_rate(sheet, name, actual) == _pipeline_rate(name, actual)


def test_rows_cannot_be_added_or_removed_but_filter_and_resize_are_allowed(sheet) -> None:  # type: ignore[no-untyped-def]
    protection = sheet.protection
    assert protection.sheet is True and not protection.password
    # in OOXML a True flag forbids the action under protection
    assert (protection.insertRows, protection.deleteRows) == (True, True)
    assert (protection.insertColumns, protection.deleteColumns) == (True, True)
    assert (protection.formatRows, protection.formatColumns) == (False, False)
    assert protection.autoFilter is False
    assert (protection.selectLockedCells, protection.selectUnlockedCells) == (False, False)


def test_evaluator_reads_the_excel_it_is_given() -> None:
    assert evaluate('=IF(A1="","x",ROUND(A1/3*100,1))', {"A1": 1}) == Fraction("33.3")
    assert evaluate('=IF(A1="","x",1)', {}) == "x"
    assert evaluate("=ROUND((B1-A1)/(B1-C1)*100,1)", {"A1": 2, "B1": 4, "C1": 1}) == Fraction(
        "66.7"
    )
