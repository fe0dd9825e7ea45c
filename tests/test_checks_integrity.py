"""checks.integrity.match_rows, called directly on a department's rows: each row matched to its
template row (the target it counts for), and each edited locked cell, added, duplicated, other
department's or missing row a finding on its cell — with the value and the template's value the
user reads. A row with an エラー is not matched (not counted); the rest are."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.checks.integrity import match_rows
from pipeline.model import PLAN_NUMBER, TARGET_SEQ, Finding, Plan
from tests.checkplan import PATH, YEAR, A, filled_a, make_plan, raw_rows, submitted

SHEET = L.PROGRESS_SHEET
NUMBERS = ["1-(1)-①"] * 3 + ["1-(1)-②", "1-(1)-③"]


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


def _match(plan: Plan, rows: dict[int, tuple[object, ...]]) -> tuple[pd.DataFrame, list[Finding]]:
    matched = match_rows(submitted(plan), raw_rows(rows), plan, A, YEAR)
    return matched.rows, list(matched.findings)


def _where(f: Finding) -> tuple[str, str, str, str, str]:
    return (f.rule, f.sheet, f.cell, f.number, f.value)


def test_the_template_as_filled_matches_every_row_to_its_target(plan: Plan) -> None:
    raw = raw_rows(filled_a())
    matched = match_rows(submitted(plan), raw, plan, A, YEAR)
    assert matched.findings == ()
    assert matched.rows[TARGET_SEQ].tolist() == [1, 2, 3, 1, 0]
    assert matched.rows[PLAN_NUMBER].tolist() == NUMBERS
    assert list(matched.rows.index) == list(raw.index)  # rows keep their place in the merge
    assert matched.rows[L.ACTUAL].tolist() == raw[L.ACTUAL].tolist()
    assert TARGET_SEQ not in raw  # the reader's frame is left as it was


def test_rows_in_another_order_match_the_same_targets(plan: Plan) -> None:
    rows = filled_a()
    shuffled = {r: rows[r] for r in (11, 9, 7, 10, 8)}
    matched, findings = _match(plan, shuffled)
    assert findings == []
    assert matched[TARGET_SEQ].tolist() == [0, 3, 1, 1, 2]


def test_spelling_variants_of_locked_cells_are_not_edits(plan: Plan) -> None:
    """Full-width digits and dashes, spaces around a name, 100.0 for 100: the same cell."""
    rows = filled_a(
        row7=("１－(１)－①", " 支援事業", "件数 ", "件", "増加", None, 100.0, 120),
        row9=("1-(1)-①", "支援事業", "排出量", "t", "減少", "900", 800.0, 820),
    )
    matched, findings = _match(plan, rows)
    assert findings == []
    assert matched[PLAN_NUMBER].tolist() == NUMBERS  # the master's spelling, not the file's


@pytest.mark.parametrize(
    ("index", "label", "letter", "typed", "template"),
    [
        (1, L.PROJECT_NAME, "B", "支援事業（改）", "支援事業"),
        (3, L.UNIT, "D", "回", "t"),
        (4, L.DIRECTION, "E", "増加", "減少"),
        (5, L.BASELINE, "F", 950, "900"),
        (5, L.BASELINE, "F", None, "900"),
        (6, L.TARGET, "G", 700, "800"),
        (6, L.TARGET, "G", None, "800"),
    ],
)
def test_an_edited_locked_cell_is_i01_on_it_quoting_both_values(
    plan: Plan, index: int, label: str, letter: str, typed: object, template: str
) -> None:
    rows = filled_a()
    cells = list(rows[9])
    cells[index] = typed
    rows[9] = tuple(cells)
    matched, findings = _match(plan, rows)
    shown = "" if typed is None else str(typed)
    assert [_where(f) for f in findings] == [("I01", SHEET, f"{letter}9", "1-(1)-①", shown)]
    assert (
        f"ロックされた「{label}」が変更されています（様式の値: {template}）" in findings[0].message
    )
    assert findings[0].file == PATH
    # that row is not counted; the others are, and its target is not reported missing
    assert matched[TARGET_SEQ].tolist() == [1, 2, None, 1, 0]
    assert matched[PLAN_NUMBER].tolist() == [*NUMBERS[:2], None, *NUMBERS[3:]]


def test_a_baseline_typed_where_the_template_has_none_is_i01_expecting_blank(plan: Plan) -> None:
    rows = filled_a(row7=("1-(1)-①", "支援事業", "件数", "件", "増加", 50, 100, 120))
    _, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [("I01", SHEET, "F7", "1-(1)-①", "50")]
    assert "（様式の値: 空欄）" in findings[0].message


def test_two_edited_cells_of_a_row_are_two_findings(plan: Plan) -> None:
    rows = filled_a(row8=("1-(1)-①", "支援事業", "満足度", "点", "減少", None, 70, 65))
    _, findings = _match(plan, rows)
    assert [f.cell for f in findings] == ["D8", "E8"]
    # the template's text as the template shows it (full-width ％), not as compared (%)
    assert "「単位」が変更されています（様式の値: ％）" in findings[0].message


def test_a_half_width_spelling_of_a_full_width_unit_is_not_an_edit(plan: Plan) -> None:
    rows = filled_a(row8=("1-(1)-①", "支援事業", "満足度", "%", "増加", None, 70, 65))
    assert _match(plan, rows)[1] == []


def test_the_last_open_target_of_a_project_renamed_is_i01_on_its_name(plan: Plan) -> None:
    rows = filled_a(
        row9=("1-(1)-①", "支援事業", "CO2排出量", "t", "減少", 900, 800, 820),
        row10=("1-(1)-②", "指針事業", "指針策定", None, "定性", None, "策定", "策定"),
    )
    matched, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [
        ("I01", SHEET, "C9", "1-(1)-①", "CO2排出量"),
        ("I01", SHEET, "C10", "1-(1)-②", "指針策定"),
    ]
    assert "「指標名」が変更されています（様式の値: 排出量）" in findings[0].message
    assert matched[TARGET_SEQ].tolist() == [1, 2, None, None, 0]


def test_a_renamed_target_among_several_open_ones_is_an_added_row(plan: Plan) -> None:
    """Which of 件数, 満足度, 排出量 was renamed cannot be told: I02, and 件数 missing (I03)."""
    rows = filled_a(row7=("1-(1)-①", "支援事業", "件数（延べ）", "件", "増加", None, 100, 120))
    matched, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [
        ("I02", SHEET, "A7", "1-(1)-①", "1-(1)-① 件数（延べ）"),
        ("I03", SHEET, "", "1-(1)-①", "1-(1)-① 件数"),
    ]
    assert matched[TARGET_SEQ].tolist() == [None, 2, 3, 1, 0]


def test_a_row_not_in_the_plan_is_i02_on_its_number(plan: Plan) -> None:
    rows = {**filled_a(), 12: ("1-(1)-⑨", "新事業", "新指標", "件", "増加", None, 5, 3)}
    rows[13] = (None, None, None, None, None, None, None, 4)
    matched, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [
        ("I02", SHEET, "A12", "1-(1)-⑨", "1-(1)-⑨ 新指標"),
        ("I02", SHEET, "A13", "", ""),
    ]
    assert findings[0].severity == L.ERROR
    assert matched[TARGET_SEQ].tolist() == [1, 2, 3, 1, 0, None, None]


def test_another_departments_row_is_i05_naming_its_department(plan: Plan) -> None:
    rows = {**filled_a(), 12: ("1-(1)-④", "対話事業", "回数", "回", "増加", None, 10, 9)}
    rows[13] = ("2-(1)-①", "対話事業", "回数", "回", "増加", None, 10, 9)  # 再掲 of B課's project
    matched, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [
        ("I05", SHEET, "A12", "1-(1)-④", "B課"),
        ("I05", SHEET, "A13", "2-(1)-①", "B課"),
    ]
    assert "「B課」の担当事業です" in findings[0].message
    assert matched[PLAN_NUMBER].tolist() == [*NUMBERS, None, None]


def test_a_duplicated_row_is_i04_naming_the_first(plan: Plan) -> None:
    rows = filled_a()
    rows[12] = rows[8]
    rows[13] = rows[8]
    matched, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [
        ("I04", SHEET, "A12", "1-(1)-①", "1-(1)-①"),
        ("I04", SHEET, "A13", "1-(1)-①", "1-(1)-①"),
    ]
    assert "（8行目と同じ）" in findings[0].message and "（8行目と同じ）" in findings[1].message
    assert matched[TARGET_SEQ].tolist() == [1, 2, 3, 1, 0, None, None]


def test_a_copy_of_an_edited_row_is_still_a_duplicate(plan: Plan) -> None:
    """The edited row (I01) is its target's row: a later copy is I04, no target is missing."""
    rows = filled_a(row7=("1-(1)-①", "支援事業", "件数", "件", "増加", None, 90, 120))
    rows[12] = filled_a()[7]
    _, findings = _match(plan, rows)
    assert [(f.rule, f.cell) for f in findings] == [("I01", "G7"), ("I04", "A12")]
    assert "（7行目と同じ）" in findings[1].message


def test_a_row_added_or_of_another_department_does_not_hide_a_deleted_one(plan: Plan) -> None:
    rows = filled_a()
    rows[8] = ("1-(1)-④", "対話事業", "回数", "回", "増加", None, 10, 9)  # 満足度 overwritten
    _, findings = _match(plan, rows)
    assert [(f.rule, f.cell, f.value) for f in findings] == [
        ("I05", "A8", "B課"),
        ("I03", "", "1-(1)-① 満足度"),
    ]


def test_each_deleted_row_is_i03_naming_its_target(plan: Plan) -> None:
    rows = filled_a()
    del rows[8], rows[11]
    matched, findings = _match(plan, rows)
    assert [_where(f) for f in findings] == [
        ("I03", SHEET, "", "1-(1)-①", "1-(1)-① 満足度"),
        ("I03", SHEET, "", "1-(1)-③", "1-(1)-③"),
    ]
    assert "この指標の行（1-(1)-① 満足度）がありません" in findings[0].message
    assert findings[0].file == PATH
    assert matched[TARGET_SEQ].tolist() == [1, 3, 1]


def test_a_sheet_without_rows_is_f19_and_every_row_missing(plan: Plan) -> None:
    matched, findings = _match(plan, {})
    assert [(f.rule, f.sheet, f.cell) for f in findings] == [
        ("F19", SHEET, ""),
        *[("I03", SHEET, "")] * 5,
    ]
    assert findings[0].file == PATH and findings[0].severity == L.WARNING
    assert matched.empty and {TARGET_SEQ, PLAN_NUMBER} <= set(matched.columns)


def test_the_cell_letters_are_those_of_the_file(plan: Plan) -> None:
    """A file whose columns sit elsewhere (a column inserted before them) is pointed at there."""
    moved = tuple((label, chr(ord(letter) + 1)) for label, letter in submitted().columns)
    rows = filled_a(row7=("1-(1)-①", "支援事業", "件数", "件", "増加", None, 90, 120))
    rows[12] = ("1-(1)-⑨",)
    found = match_rows(submitted(plan, columns=moved), raw_rows(rows), plan, A, YEAR).findings
    assert [f.cell for f in found] == ["H7", "B12"]
