"""The plain data between stages: a finding's place is kept as row and column and spelled as
A1 text only for output; rules and severities are enums whose text is what users read; the
"two grades from the suggested grade" rule is one function for the warning and the 注記."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from pipeline import labels as L
from pipeline.messages import RULES, finding, finding_at
from pipeline.model import Grade, Plan, RuleCode, Severity

COLUMNS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=3)
ROWS = st.integers(min_value=1, max_value=1_048_576)


@given(COLUMNS, ROWS)
def test_a_cell_is_kept_as_row_and_letter_and_spelled_only_when_shown(
    column: str, row: int
) -> None:
    made = finding_at("V01", file="a.xlsx", sheet=L.PROGRESS_SHEET, row=row, letter=column)
    assert (made.row, made.column) == (row, column)
    assert made.cell == f"{column}{row}"
    assert made == finding_at("V01", file="a.xlsx", sheet=L.PROGRESS_SHEET, row=row, letter=column)


def test_a_place_without_row_or_column_reads_as_it_was_given() -> None:
    assert finding("B01").cell == "" and finding_at("F18", row=6, letter="").cell == "6"
    assert finding_at("M03", letter="H").cell == "H" and finding_at("M03", row=12).cell == "12"


def test_rule_codes_and_the_message_table_name_the_same_rules() -> None:
    assert [str(code) for code in RuleCode] == list(RULES)
    for code, rule in RULES.items():
        made = finding(code)
        assert made.rule == code and isinstance(made.rule, RuleCode)
        assert made.severity == rule.severity and isinstance(made.severity, Severity)
    assert {str(s) for s in Severity} == {L.ERROR, L.WARNING, L.INFO}
    assert f"{RuleCode.V01}/{Severity.ERROR}" == f"V01/{L.ERROR}"  # as written in CSV files


def test_findings_order_by_file_then_row_then_column() -> None:
    made = [
        finding_at("V01", file="b.xlsx", row=7, letter="H"),
        finding("B01"),
        finding_at("V01", file="a.xlsx", row=10, letter="H"),
        finding_at("V01", file="a.xlsx", row=7, letter="AA"),
        finding_at("V01", file="a.xlsx", row=7, letter="K"),
        finding("F06", file="a.xlsx"),
    ]
    ordered = [(f.file, f.cell) for f in sorted(made, key=lambda f: f.order())]
    assert ordered == [
        ("a.xlsx", ""),
        ("a.xlsx", "K7"),
        ("a.xlsx", "AA7"),
        ("a.xlsx", "H10"),
        ("b.xlsx", "H7"),
        ("", ""),
    ]


def _plan(codes: list[str]) -> Plan:
    grades = tuple(Grade(c, c, Decimal(90 - 10 * i)) for i, c in enumerate(codes))
    return Plan("p", "計画", 2024, 2024, ("分野",), grades, Decimal(150), (), (), ())


@given(st.integers(min_value=2, max_value=7), st.data())
def test_a_grade_is_far_from_the_suggested_one_at_two_steps_or_more(
    count: int, data: st.DataObject
) -> None:
    codes = [chr(ord("A") + i) for i in range(count)]
    plan = _plan(codes)
    grade = data.draw(st.sampled_from([*codes, "Z", None]))
    suggested = data.draw(st.sampled_from([*codes, None]))
    plain = (
        grade in codes
        and suggested in codes
        and abs(codes.index(str(grade)) - codes.index(str(suggested))) >= 2
    )
    assert plan.far_from_suggested(grade, suggested) == plain
