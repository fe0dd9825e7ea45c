"""checks.integrity.match_rows on the locked cells the other integrity tests do not reach: a
plan graded per project's own locked cells (今年度の予定 and each 取組主体's mark), and a
locked number overwritten by a cell Excel holds as another kind (TRUE over 1)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline import labels as L
from pipeline.checks.integrity import match_rows
from pipeline.model import FILE, PERCENT, ROW, TARGET_SEQ, Finding, Plan, SubmittedFile
from tests.builders import write_plan
from tests.checkplan import YEAR, A, filled_a, make_plan, plan_sheets, raw_rows, submitted
from tests.test_figures import ACTORS, project_sheets

WELFARE = "福祉課"  # P1 (準備 in 2025: ◎ ○ -) and P3 (not planned in 2025)
PATH = "進捗状況_福祉課_2025年度.xlsx"


@pytest.fixture(scope="module")
def by_project(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return write_plan(project_sheets(), tmp_path_factory.mktemp("projects"))[1]


def _template_rows(plan: Plan, **changed: object) -> tuple[SubmittedFile, pd.DataFrame]:
    """福祉課's 2025 template rows as distributed (each locked cell as written), with the
    cells of `changed` (label -> value) typed over on the first row."""
    layout = plan.layout()
    columns = layout.raw_columns
    letters = tuple((label, chr(ord("A") + i)) for i, label in enumerate(layout.columns))
    records = []
    for i, row in enumerate(plan.expected_rows(WELFARE, 2025)):
        record: dict[str, object] = dict.fromkeys(columns)
        record.update({FILE: PATH, ROW: 7 + i, PERCENT: False})
        record.update(zip(row.locked_labels, row.locked, strict=True))
        if i == 0:
            record.update(changed)
        records.append(record)
    file = SubmittedFile(PATH, 1, "0" * 64, columns=letters)
    return file, pd.DataFrame(records, columns=list(columns), dtype=object)


def _codes(findings: tuple[Finding, ...]) -> list[tuple[str, str, str, str]]:
    return [(f.rule, f.cell, f.number, f.value) for f in findings]


def test_a_project_graded_template_as_distributed_matches(by_project: Plan) -> None:
    file, rows = _template_rows(by_project)
    matched = match_rows(file, rows, by_project, WELFARE, 2025)
    assert matched.findings == ()
    assert matched.rows[TARGET_SEQ].tolist() == [0]


@pytest.mark.parametrize(
    ("label", "typed", "template"),
    [
        (L.SCHEDULE, "実施", "準備"),  # 今年度の予定 edited
        (ACTORS[0], "○", "◎"),  # 住民's mark
        (ACTORS[2], "◎", "空欄"),  # a mark added where the master has none
    ],
)
def test_an_edited_schedule_or_mark_is_i01_on_its_cell(
    by_project: Plan, label: str, typed: str, template: str
) -> None:
    """The master decides 今年度の予定 and who does what: an edit there is an edit of a locked
    cell, and the row is not counted."""
    file, rows = _template_rows(by_project, **{label: typed})
    matched = match_rows(file, rows, by_project, WELFARE, 2025)
    letter = dict(file.columns)[label]
    assert _codes(matched.findings) == [("I01", f"{letter}7", "P1", typed)]
    assert f"ロックされた「{label}」が変更されています（様式の値: {template}）" in (
        matched.findings[0].message
    )
    assert matched.rows[TARGET_SEQ].tolist() == [None]


def test_true_typed_over_a_locked_one_is_an_edit(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Excel's TRUE equals 1 to Python, but the cell now shows TRUE: I01, as any other value."""
    sheets = plan_sheets()
    sheets[L.MASTER_TARGET_SHEET][1][-1] = "1"  # 1-(1)-①'s 件数: 目標値 1 this year
    plan = make_plan(tmp_path_factory.mktemp("plan"), sheets)
    rows = filled_a(row7=("1-(1)-①", "支援事業", "件数", "件", "増加", None, True, 1))
    matched = match_rows(submitted(plan), raw_rows(rows), plan, A, YEAR)
    assert _codes(matched.findings) == [("I01", "G7", "1-(1)-①", "True")]
    ones = filled_a(row7=("1-(1)-①", "支援事業", "件数", "件", "増加", None, 1.0, 1))
    assert match_rows(submitted(plan), raw_rows(ones), plan, A, YEAR).findings == ()
