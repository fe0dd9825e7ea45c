"""Plans and filled submissions built by code, for the tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path

from pipeline import labels as L
from pipeline.model import Plan
from pipeline.plan import MASTER_COLUMNS, read_plan
from pipeline.plan_source import write_master
from pipeline.samples import fill_template
from pipeline.templates import template_path, write_templates

GRADES_ABC = "A=着実に進捗した;B=概ね進捗した;C=進捗が遅れている"
PROJECT_HEADER = list(MASTER_COLUMNS[L.MASTER_PROJECT_SHEET])


def master_sheets(
    *,
    tree: Sequence[Sequence[str]],
    projects: Sequence[Sequence[str]],
    targets: Sequence[Sequence[object]],
    years: Sequence[int],
    plan_id: str = "test-plan",
    levels: str = "分野;施策",
    grades: str = GRADES_ABC,
    floors: str = "A=100;B=80",
) -> dict[str, list[list[str]]]:
    settings = [
        [L.PLAN_ITEM, L.PLAN_VALUE],
        [L.PLAN_ID, plan_id],
        [L.PLAN_NAME, "テスト計画"],
        [L.PLAN_START, str(years[0])],
        [L.PLAN_END, str(years[-1])],
        [L.PLAN_LEVELS, levels],
        [L.PLAN_GRADES, grades],
        [L.PLAN_FLOORS, floors],
    ]
    target_header = [L.NUMBER, L.TARGET_NAME, L.UNIT, L.DIRECTION, L.BASELINE]
    target_header += [f"{y}年度" for y in years]
    return {
        L.MASTER_PLAN_SHEET: settings,
        L.MASTER_TREE_SHEET: [
            [L.TREE_CODE, L.TREE_NAME, L.TREE_PARENT, L.TREE_LEVEL],
            *map(list, tree),
        ],
        L.MASTER_PROJECT_SHEET: [list(PROJECT_HEADER), *map(list, projects)],
        L.MASTER_TARGET_SHEET: [target_header, *[[_text(v) for v in row] for row in targets]],
    }


def _text(value: object) -> str:
    return "" if value is None else str(value)


def write_plan(sheets: dict[str, list[list[str]]], folder: Path) -> tuple[Path, Plan]:
    path = write_master(sheets, folder / "計画マスタ.xlsx")
    return path, read_plan(path)


RowValues = Mapping[tuple[str, str], Mapping[str, object]]


def submit_all(plan: Plan, year: int, folder: Path, values: RowValues) -> Path:
    """Templates for every department, filled with `values` keyed by (整理番号 key, 指標名 key)."""
    templates = folder / "templates"
    submissions = folder / "submissions"
    write_templates(plan, year, templates)
    for department in plan.departments(year):
        source = template_path(templates, department, year, plan)
        fill_template(
            source, template_path(submissions, department, year, plan), values, writer="検証 太郎"
        )
    return submissions


def complete_row(grade: str, actual: object, lowest: str = "C") -> dict[str, object]:
    row: dict[str, object] = {
        L.ACTUAL: actual,
        L.GRADE: grade,
        L.WORK_DONE: "実施した。",
        L.OUTLOOK: "継続",
    }
    if grade == lowest:
        row[L.ISSUES] = "遅れの理由と課題。"
    return row


def decimal(value: object) -> Decimal:
    return Decimal(str(value))


WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10))}
WINDOWS_RESERVED |= {f"LPT{n}" for n in range(10)}


def windows_valid(name: str) -> bool:
    """Windows' rules for one file name, written out independently of pipeline/text.py."""
    return (
        bool(name)
        and not any(ch in '<>:"/\\|?*' or ord(ch) < 32 for ch in name)
        and not name.endswith((".", " "))
        and name.split(".")[0].strip().upper() not in WINDOWS_RESERVED
        and len(name.encode("utf-16-le")) // 2 <= 255
        and len(name.encode("utf-8")) <= 255  # Linux counts bytes
    )
