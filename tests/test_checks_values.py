"""checks.values.check_values, called directly on typed rows: each value rule of the submission
schema (V01, V05-V09, V12, V14) as a finding on its cell — the file's own column letter, the
row, the 整理番号 and the value as typed — in the order users read them."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.checks.values import check_values, warm_up
from pipeline.messages import finding_at
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    ROW,
    Finding,
    Plan,
    SubmittedFile,
)
from schemas.frames import TypedRows
from tests.checkplan import LETTERS, PATH, make_plan, submitted
from tests.stageframes import complete

OTHER = "進捗状況_B課_2025年度.xlsx"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


@pytest.fixture(scope="module")
def files() -> dict[str, SubmittedFile]:
    moved = tuple((label, chr(ord(letter) + 1)) for label, letter in LETTERS)
    return {PATH: submitted(), OTHER: submitted(path=OTHER, columns=moved)}


def _row(row: int, **cells: object) -> dict[str, object]:
    """A valid counted row of a numeric target (件数, target 100), then `cells` changed; the
    raw cell and its typed value are given apart (`actual=` typed, L.ACTUAL as typed)."""
    values: dict[str, object] = {
        FILE: PATH,
        ROW: row,
        L.NUMBER: "1-(1)-①",
        L.DIRECTION: "増加",
        L.TARGET: 100,
        L.ACTUAL: 120,
        ACTUAL_VALUE: Decimal(120),
        L.GRADE: "A",
        GRADE_CODE: "A",
        L.WORK_DONE: "実施した。",
        L.OUTLOOK: "継続",
        OUTLOOK_CHOICE: "継続",
    }
    values.update(cells)
    return values


def _typed(*rows: dict[str, object]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), dtype=object)
    frame.index = pd.RangeIndex(50, 50 + len(frame))
    return complete(frame, TypedRows)


def _check(
    plan: Plan,
    files: dict[str, SubmittedFile],
    *rows: dict[str, object],
    reported: tuple[Finding, ...] = (),
) -> list[tuple[str, str, str, str, str]]:
    found = check_values(_typed(*rows), plan, files, reported)
    return [(f.rule, f.file, f.cell, f.number, f.value) for f in found]


def _findings(
    plan: Plan, files: dict[str, SubmittedFile], *rows: dict[str, object]
) -> list[Finding]:
    return check_values(_typed(*rows), plan, files)


def test_valid_rows_and_no_rows_give_nothing(plan: Plan, files: dict[str, SubmittedFile]) -> None:
    qualitative = _row(8, **{L.DIRECTION: "定性", L.ACTUAL: "策定", ACTUAL_VALUE: "策定"})
    lowest = _row(9, **{L.GRADE: "C", GRADE_CODE: "C", L.ISSUES: "遅れの理由。"})
    no_target = _row(10, **{L.TARGET: None, L.GRADE: None, GRADE_CODE: None})
    empty = _row(11, **{L.ACTUAL: None, ACTUAL_VALUE: None})
    assert _check(plan, files, _row(7), qualitative, lowest, no_target, empty) == []
    assert check_values(_typed(_row(7)).iloc[:0], plan, files) == []


def test_text_in_a_numeric_target_is_v01_quoting_it(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    bad = _row(7, **{L.ACTUAL: "未集計", ACTUAL_VALUE: "未集計"})
    qualitative = _row(8, **{L.DIRECTION: "定性", L.ACTUAL: "策定", ACTUAL_VALUE: "策定"})
    spelled = _row(9, **{L.DIRECTION: " 定性 ", L.ACTUAL: "済", ACTUAL_VALUE: "済"})
    assert _check(plan, files, bad, qualitative, spelled) == [
        ("V01", PATH, "H7", "1-(1)-①", "未集計")
    ]
    [v01] = _findings(plan, files, bad)
    assert "実績値「未集計」を数値として読み取れません" in v01.message
    assert (v01.sheet, v01.severity) == (L.PROGRESS_SHEET, L.ERROR)


def test_a_result_of_a_quadrillion_or_more_is_v14(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    huge = _row(7, **{L.ACTUAL: 1e15, ACTUAL_VALUE: Decimal("1e15")})  # a number cell
    below = _row(8, **{ACTUAL_VALUE: Decimal("999999999999999")})
    negative = _row(9, **{L.ACTUAL: "-1e15", ACTUAL_VALUE: Decimal("-1e15")})
    found = _check(plan, files, huge, below, negative)
    assert [where[:4] for where in found] == [
        ("V14", PATH, "H7", "1-(1)-①"),
        ("V14", PATH, "H9", "1-(1)-①"),
    ]
    assert float(found[0][4]) == 1e15 and found[1][4] == "-1e15"  # the cell's value, quoted


def test_a_graded_row_without_a_grade_is_v05(plan: Plan, files: dict[str, SubmittedFile]) -> None:
    missing = _row(7, **{L.GRADE: None, GRADE_CODE: None})
    no_target = _row(8, **{L.TARGET: None, L.GRADE: None, GRADE_CODE: None})
    blank_target = _row(9, **{L.TARGET: " ", L.GRADE: None, GRADE_CODE: None})
    assert _check(plan, files, missing, no_target, blank_target) == [
        ("V05", PATH, "J7", "1-(1)-①", "")
    ]
    [v05] = _findings(plan, files, missing)
    assert "「A」「B」「C」 から選んでください" in v05.message


def test_graded_per_project_every_row_needs_a_grade(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    per_project = dataclasses.replace(plan, unit=L.UNIT_PROJECT)
    no_target = _row(8, **{L.TARGET: None, L.GRADE: None, GRADE_CODE: None})
    assert _check(per_project, files, no_target) == [("V05", PATH, "J8", "1-(1)-①", "")]


def test_a_grade_not_in_the_scale_is_v06_quoting_it(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    wrong = _row(7, **{L.GRADE: "Ｄ", GRADE_CODE: "D"})
    assert _check(plan, files, wrong) == [("V06", PATH, "J7", "1-(1)-①", "Ｄ")]
    [v06] = _findings(plan, files, wrong)
    assert "自己評価「Ｄ」は評価区分にありません。「A」「B」「C」 から" in v06.message


def test_no_work_done_is_v07(plan: Plan, files: dict[str, SubmittedFile]) -> None:
    assert _check(plan, files, _row(7, **{L.WORK_DONE: None})) == [
        ("V07", PATH, "K7", "1-(1)-①", "")
    ]


def test_the_lowest_grade_without_issues_is_v08_naming_the_grade(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    lowest = _row(7, **{L.GRADE: "C", GRADE_CODE: "C"})
    middle = _row(8, **{L.GRADE: "B", GRADE_CODE: "B"})
    assert _check(plan, files, lowest, middle) == [("V08", PATH, "L7", "1-(1)-①", "")]
    [v08] = _findings(plan, files, lowest)
    assert "自己評価が「C」のときは課題の記入が必要です" in v08.message


def test_an_outlook_not_in_the_list_is_v09_and_none_is_v12(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    other = _row(7, **{L.OUTLOOK: "継続する", OUTLOOK_CHOICE: "継続する"})
    missing = _row(8, **{L.OUTLOOK: None, OUTLOOK_CHOICE: None})
    assert _check(plan, files, other, missing) == [
        ("V09", PATH, "M7", "1-(1)-①", "継続する"),
        ("V12", PATH, "M8", "1-(1)-①", ""),
    ]
    v09, v12 = _findings(plan, files, other, missing)
    choices = "「拡充」「継続」「改善・見直し」「縮小」「廃止・終了」「完了」 から"
    assert choices in v09.message and choices in v12.message


def test_findings_are_in_file_row_and_rule_order_with_each_files_letters(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    rows = [
        _row(9, **{L.WORK_DONE: None, L.GRADE: "Ｘ", GRADE_CODE: "Ｘ"}),
        _row(7, **{FILE: OTHER, L.NUMBER: "1-(1)-④", L.OUTLOOK: None, OUTLOOK_CHOICE: None}),
        _row(8, **{L.ACTUAL: "多数", ACTUAL_VALUE: "多数"}),
    ]
    assert _check(plan, files, *rows) == [
        ("V01", PATH, "H8", "1-(1)-①", "多数"),
        ("V06", PATH, "J9", "1-(1)-①", "Ｘ"),
        ("V07", PATH, "K9", "1-(1)-①", ""),
        ("V12", OTHER, "N7", "1-(1)-④", ""),  # B課's file has its columns one to the right
    ]


def test_findings_of_one_file_follow_its_rows_not_their_rules(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    rows = [_row(8, **{L.ACTUAL: "多数", ACTUAL_VALUE: "多数"}), _row(7, **{L.WORK_DONE: None})]
    assert [f.cell for f in _findings(plan, files, *rows)] == ["K7", "H8"]


def test_warming_up_builds_the_schema_check_values_uses(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    """The batch warms the schema up while the workers read; the checks then find the same."""
    per_project = dataclasses.replace(plan, unit=L.UNIT_PROJECT)
    for each in (plan, per_project):
        assert warm_up(each) is None
    no_target = _row(8, **{L.TARGET: None, L.GRADE: None, GRADE_CODE: None})
    assert _check(per_project, files, no_target) == [("V05", PATH, "J8", "1-(1)-①", "")]
    assert _check(plan, files, no_target) == []


def test_a_cell_already_reported_as_formula_or_error_is_not_reported_empty(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    """V03/V04 said why the cell is empty; V05 on the same cell would only repeat it."""
    rows = [
        _row(7, **{L.GRADE: None, GRADE_CODE: None}),
        _row(8, **{L.GRADE: None, GRADE_CODE: None}),
    ]
    formula = finding_at("V03", file=PATH, sheet=L.PROGRESS_SHEET, row=7, letter="J")
    error_elsewhere = finding_at("V04", file=PATH, sheet=L.PROGRESS_SHEET, row=8, letter="K")
    warning_there = finding_at("V02", file=PATH, sheet=L.PROGRESS_SHEET, row=8, letter="J")
    reported = (formula, error_elsewhere, warning_there)
    assert _check(plan, files, *rows, reported=reported) == [("V05", PATH, "J8", "1-(1)-①", "")]
    error_value = finding_at("V04", file=PATH, sheet=L.PROGRESS_SHEET, row=8, letter="J")
    assert _check(plan, files, *rows, reported=(formula, error_value)) == []


def test_a_row_without_a_number_is_reported_with_a_blank_one(
    plan: Plan, files: dict[str, SubmittedFile]
) -> None:
    row = _row(7, **{L.NUMBER: None, L.WORK_DONE: None, L.GRADE: float("nan"), GRADE_CODE: "?"})
    assert _check(plan, files, row) == [("V06", PATH, "J7", "", ""), ("V07", PATH, "K7", "", "")]
