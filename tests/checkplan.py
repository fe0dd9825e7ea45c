"""A small plan and the files and row frames the checks (pipeline/checks/) take, built in the
test, so that each check is called directly, in milliseconds: no workbook, no worker pool."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from pipeline import TEMPLATE_VERSION
from pipeline import labels as L
from pipeline.fingerprint import expected_fingerprint
from pipeline.model import FILE, ROW, Plan, SubmittedFile
from schemas.frames import RawRows
from tests.builders import master_sheets, write_plan
from tests.stageframes import complete

YEAR = 2025
PLAN_ID = "test-plan"
A, B = "A課", "B課"
PATH = "進捗状況_A課_2025年度.xlsx"
# the template's columns A…M, as the reader finds them in the header row
LETTERS = tuple(zip(L.TEMPLATE_COLUMNS, "ABCDEFGHIJKLM", strict=True))


def plan_sheets() -> dict[str, list[list[str]]]:
    """A課 has three targets on 1-(1)-① (one 減少 with a 基準値), a qualitative target and a
    project without targets; B課 two targets, one only from YEAR; 2-(1)-① re-lists B課's
    project (再掲)."""
    return master_sheets(
        tree=[
            ["1", "分野一", "", "分野"],
            ["1-(1)", "施策一", "1", "施策"],
            ["2", "分野二", "", "分野"],
            ["2-(1)", "施策二", "2", "施策"],
        ],
        projects=[
            ["1-(1)-①", "支援事業", "1-(1)", A, "", "", ""],
            ["1-(1)-②", "指針事業", "1-(1)", A, "", "", ""],
            ["1-(1)-③", "周知事業", "1-(1)", A, "", "", ""],
            ["1-(1)-④", "対話事業", "1-(1)", B, "", "", ""],
            ["2-(1)-①", "対話事業", "2-(1)", B, "", "1-(1)-④", ""],
        ],
        targets=[
            ["1-(1)-①", "件数", "件", "増加", "", "90", "100"],
            ["1-(1)-①", "満足度", "％", "増加", "", "60", "70"],
            ["1-(1)-①", "排出量", "t", "減少", "900", "850", "800"],
            ["1-(1)-②", "指針の策定", "", "定性", "", "検討", "策定"],
            ["1-(1)-④", "回数", "回", "増加", "", "8", "10"],
            ["1-(1)-④", "参加者数", "人", "増加", "", "", "50"],  # a target from YEAR on
        ],
        years=[YEAR - 1, YEAR],
        plan_id=PLAN_ID,
    )


def make_plan(folder: Path, sheets: dict[str, list[list[str]]] | None = None) -> Plan:
    return write_plan(sheets or plan_sheets(), folder)[1]


# A課's template rows for YEAR as distributed: sheet row -> the locked cells A…G
TEMPLATE_A: dict[int, tuple[object, ...]] = {
    7: ("1-(1)-①", "支援事業", "件数", "件", "増加", None, 100),
    8: ("1-(1)-①", "支援事業", "満足度", "％", "増加", None, 70),
    9: ("1-(1)-①", "支援事業", "排出量", "t", "減少", 900, 800),
    10: ("1-(1)-②", "指針事業", "指針の策定", None, "定性", None, "策定"),
    11: ("1-(1)-③", "周知事業", None, None, None, None, None),
}


def submitted(
    plan: Plan | None = None,
    *,
    path: str = PATH,
    department: str = A,
    meta: Mapping[str, str] | None = None,
    readable: bool = True,
    columns: Sequence[tuple[str, str]] = LETTERS,
) -> SubmittedFile:
    """A file as the reader describes it. With `plan`, its `_meta` is the one a template made
    now for `department` carries (each entry of `meta` replacing one); without, no `_meta`."""
    values: dict[str, str] = {}
    if plan is not None:
        values = {
            L.META_PLAN_ID: plan.plan_id,
            L.META_YEAR: str(YEAR),
            L.META_DEPARTMENT: department,
            L.META_VERSION: TEMPLATE_VERSION,
            L.META_FINGERPRINT: expected_fingerprint(plan, department, YEAR),
        }
    values.update(meta or {})
    return SubmittedFile(
        path,
        1000,
        "0" * 64,
        "xlsx",
        meta=tuple(values.items()),
        columns=tuple(columns),
        readable=readable,
    )


def raw_rows(rows: Mapping[int, Sequence[object]], path: str = PATH) -> pd.DataFrame:
    """Raw rows (schemas.frames.RawRows) of one file: sheet row -> its cells A…M (fewer: the
    rest empty), in the order given; the frame's index is not the sheet row, as after a merge."""
    records = []
    for row, cells in rows.items():
        record: dict[str, object] = {FILE: path, ROW: row}
        record.update({c: None for c in L.TEMPLATE_COLUMNS})
        record.update(zip(L.TEMPLATE_COLUMNS, cells, strict=False))
        records.append(record)
    frame = pd.DataFrame(records, columns=[FILE, ROW, *L.TEMPLATE_COLUMNS], dtype=object)
    frame.index = pd.RangeIndex(100, 100 + len(frame))
    return complete(frame, RawRows)


def filled_a(**changed: Sequence[object]) -> dict[int, tuple[object, ...]]:
    """A課's template rows, filled (実績値, 達成率, 自己評価, 取組内容, 課題, 方向性)."""
    filled = {
        7: (120, None, "A", "相談会を開催。", None, "継続"),
        8: (65, None, "B", "調査を実施。", None, "継続"),
        9: (820, None, "A", "削減した。", None, "継続"),
        10: ("策定", None, "A", "指針を策定。", None, "完了"),
        11: (None, None, None, "周知を行った。", None, "継続"),
    }
    rows = {row: (*TEMPLATE_A[row], *cells) for row, cells in filled.items()}
    rows.update({int(k.removeprefix("row")): tuple(v) for k, v in changed.items()})
    return rows
