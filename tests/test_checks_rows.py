"""checks.rows, called directly: which rows an エラー rejects and a 警告 flags (only findings on
a data row of the progress sheet count), and the row state the 注記 flags are made from —
rejected rows, rows reported, departments whose file could not be read at all."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.checks.rows import keys, row_mask, row_state, rows_with
from pipeline.messages import finding_at
from pipeline.model import FILE, PLAN_NUMBER, ROW, TARGET_SEQ, Finding, Plan, RowState
from tests.checkplan import PATH, YEAR, A, B, make_plan, submitted

OTHER = "進捗状況_B課_2025年度.xlsx"
SHEET = L.PROGRESS_SHEET


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


def _at(code: str, path: str = PATH, row: int | None = 7, sheet: str = SHEET) -> Finding:
    return finding_at(code, file=path, sheet=sheet, row=row, letter="H")


def test_rows_with_picks_data_rows_of_one_severity() -> None:
    findings = [
        _at("V01", row=7),  # エラー
        _at("I02", path=OTHER, row=12),  # エラー
        _at("C01", row=8),  # 警告
        _at("V02", row=9),  # 警告
        _at("F07", row=None, sheet=L.META_SHEET),  # エラー about the file, no row
        _at("I03", row=None),  # エラー on the sheet, no row
        _at("F18", row=6, sheet="メモ"),  # a row of another sheet
        _at("V01", row=6, sheet="メモ"),
    ]
    assert rows_with(findings, L.ERROR) == {(PATH, 7), (OTHER, 12)}
    assert rows_with(findings, L.WARNING) == {(PATH, 8), (PATH, 9)}
    assert rows_with(findings, L.INFO) == set()
    assert rows_with([], L.ERROR) == set()


def test_row_mask_marks_the_rows_of_the_right_file() -> None:
    frame = pd.DataFrame(
        {FILE: [PATH, PATH, OTHER, OTHER], ROW: [7, 8, 7, 8]}, index=[40, 41, 42, 43]
    )
    mask = row_mask(frame, {(PATH, 8), (OTHER, 7), ("x.xlsx", 7)})
    assert mask.tolist() == [False, True, True, False]
    assert list(mask.index) == [40, 41, 42, 43] and mask.dtype == bool
    assert row_mask(frame, set()).tolist() == [False] * 4
    # the mask selects the rows of the frame it was made for
    assert frame[mask][ROW].tolist() == [8, 7]
    assert row_mask(frame.iloc[:0], {(PATH, 7)}).empty


def test_keys_are_the_matched_rows_targets() -> None:
    frame = pd.DataFrame(
        {PLAN_NUMBER: ["1-(1)-①", None, "1-(1)-③", "1-(1)-①"], TARGET_SEQ: [2, None, 0, 1]},
        dtype=object,
    )
    assert list(keys(frame)) == [("1-(1)-①", 2), ("1-(1)-③", 0), ("1-(1)-①", 1)]


def _typed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            FILE: [PATH, PATH, PATH, PATH],
            ROW: [7, 8, 9, 12],
            PLAN_NUMBER: pd.Series(["1-(1)-①", "1-(1)-①", "1-(1)-②", None], dtype=object),
            TARGET_SEQ: pd.Series([1, 2, 1, None], dtype=object),
        }
    ).set_axis([20, 21, 22, 23])


def test_row_state_says_what_was_reported_rejected_and_warned(plan: Plan) -> None:
    typed = _typed()
    rejected = pd.Series([False, True, False, True], index=typed.index)
    findings = [_at("C01", row=9), _at("V01", row=8), _at("C02", path=OTHER, row=9)]
    state = row_state(plan, YEAR, typed, rejected, findings, {A: submitted()})
    assert state == RowState(
        submitted=frozenset({A}),
        reported=frozenset({("1-(1)-①", 1), ("1-(1)-①", 2), ("1-(1)-②", 1)}),
        rejected=frozenset({("1-(1)-①", 2)}),
        warned=frozenset({("1-(1)-②", 1)}),
    )


def test_a_department_whose_file_could_not_be_read_has_every_unit_rejected(plan: Plan) -> None:
    """B課's file is its (in use, unreadable): both its targets of the year are 不受理, not
    未報告; A課's readable file rejects nothing by itself."""
    typed = _typed().iloc[:0]
    in_use = {A: submitted(), B: submitted(path=OTHER, readable=False)}
    state = row_state(plan, YEAR, typed, pd.Series([], dtype=bool), [], in_use)
    assert state.rejected == frozenset({("1-(1)-④", 1), ("1-(1)-④", 2)})
    assert state.submitted == frozenset({A, B}) and state.reported == frozenset()
    # 参加者数 has no target in the year before: only 回数 is rejected then
    earlier = row_state(plan, YEAR - 1, typed, pd.Series([], dtype=bool), [], in_use)
    assert earlier.rejected == frozenset({("1-(1)-④", 1)})
    a_unreadable = {A: submitted(readable=False)}
    whole = row_state(plan, YEAR, typed, pd.Series([], dtype=bool), [], a_unreadable).rejected
    assert whole == {("1-(1)-①", 1), ("1-(1)-①", 2), ("1-(1)-①", 3), ("1-(1)-②", 1)}


def test_graded_per_project_an_unreadable_file_rejects_each_of_its_projects(plan: Plan) -> None:
    """A plan graded per project: a project's row is (整理番号, 0) — no target."""
    per_project = dataclasses.replace(plan, unit=L.UNIT_PROJECT)
    typed = _typed().iloc[:0]
    state = row_state(per_project, YEAR, typed, pd.Series([], dtype=bool), [], {B: submitted()})
    assert state.rejected == frozenset()
    unreadable = {B: submitted(path=OTHER, readable=False)}
    state = row_state(per_project, YEAR, typed, pd.Series([], dtype=bool), [], unreadable)
    assert state.rejected == frozenset({("1-(1)-④", 0)})  # 2-(1)-① is a 再掲, not a unit
