"""`shinchoku demo`: the bundled Sendai plan, generated sample submissions, the whole run.

The samples are deterministic and include the mistakes departments really make (full-width
digits, units, 'Ａ', a missing department, a resubmission, text where a number belongs), so the
demo shows findings and feedback as well as the committee workbook.
"""

from __future__ import annotations

import atexit
import os
import random
import shutil
from contextlib import ExitStack
from datetime import datetime
from decimal import Decimal
from importlib import resources
from pathlib import Path

from pipeline import labels as L
from pipeline import years
from pipeline.batch import Options, Outcome, Progress, make_templates, no_progress, run
from pipeline.errors import OutputError, UsageError
from pipeline.model import Plan, Target
from pipeline.plan import read_plan
from pipeline.rates import achievement, round_half_up, suggested_grade
from pipeline.samples import fill_template
from pipeline.templates import template_path, write_templates
from pipeline.text import key
from pipeline.xlsx import atomic_path

DEMO_YEAR = 2024
PAST_YEARS = (2022, 2023)
BUNDLED_PLAN = "sendai2021"
_FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def bundled_master(name: str = BUNDLED_PLAN) -> Path:
    """The bundled plan master `name` (pipeline/data/<name>_計画マスタ.xlsx).

    Package data read through importlib.resources, so the demo works from an installed wheel in
    any working directory, not only from a source checkout."""
    resource = resources.files("pipeline").joinpath("data", f"{name}_計画マスタ.xlsx")
    if not resource.is_file():
        raise UsageError(
            f"同梱の計画マスタ「{name}」が見つかりません。インストールが不完全です。"
            "shinchoku をインストールし直してください。"
        )
    if isinstance(resource, Path):
        return resource
    return _EXTRACTED.enter_context(resources.as_file(resource))  # e.g. a zipped install


def demo_master(out: Path) -> Path:
    """Where the demo puts its copy of the bundled master."""
    return out / f"{BUNDLED_PLAN}_計画マスタ.xlsx"


_EXTRACTED = ExitStack()
atexit.register(_EXTRACTED.close)


def run_demo(out: Path, progress: Progress = no_progress) -> tuple[Outcome, Path]:  # type: ignore[type-arg]
    """Two earlier years go into the history store first, so the trend and last year's figures
    show; then this year's templates (with last year beside) and messy submissions are run.
    The run reads a copy of the bundled master in `out`: a sample to start one's own plan from
    (an installed wheel offers no other way to it) and the demo's commands can be rerun by hand."""
    master = demo_master(out)
    with atomic_path(master) as temporary:
        shutil.copyfile(bundled_master(), temporary)
    store = out / "shinchoku.sqlite3"
    for stale in [
        *out.glob("shinchoku.sqlite3*"),
        *_files(out / "提出"),
        *_files(out / "過去年度"),
    ]:
        try:
            stale.unlink()
        except OSError as error:  # on Windows: a sample still open in Excel
            raise OutputError.from_os_error(stale, error) from None
    for year in PAST_YEARS:
        folder = out / "過去年度" / years.file_label(year)
        plan = read_plan(master)
        write_templates(plan, year, folder / "テンプレート")
        make_sample_submissions(
            plan, year, folder / "テンプレート", folder / "提出", mistakes=False
        )
        run(
            master,
            folder / "提出",
            year,
            folder / "集計結果",
            Options(store=store),
            run_at=datetime(year + 1, 6, 30, 17, 0),
        )
    templates, submissions = out / "テンプレート", out / "提出"
    plan = read_plan(master)
    make_templates(master, DEMO_YEAR, templates, store)
    make_sample_submissions(plan, DEMO_YEAR, templates, submissions)
    options = Options(progress=progress, store=store)
    fixed = datetime(DEMO_YEAR + 1, 6, 30, 17, 0)
    outcome = run(master, submissions, DEMO_YEAR, out / "集計結果", options, run_at=fixed)
    return outcome, outcome.outputs[0]


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def make_sample_submissions(
    plan: Plan, year: int, templates: Path, out: Path, mistakes: bool = True
) -> list[Path]:
    """Filled workbooks; with `mistakes`, all but the last department and some typical errors."""
    rng = random.Random(year)
    departments = plan.departments()
    paths: list[Path] = []
    for index, department in enumerate(departments[:-1] if mistakes else departments):
        values = {}
        for row in plan.expected_rows(department, year):
            target = next((t for t in plan.targets_of(row.number) if t.seq == row.target_seq), None)
            values[row.row_key] = _row_values(plan, target, year, rng, messy=index % 4 == 1)
        name = template_path(out, department, year, plan).name
        if index == 2:
            name = f"【提出】{plan.file_part(department)}_進捗.xlsx"  # departments rename files
        saved = datetime(year + 1, 5, 20 + index % 8, 9 + index % 7, 0)
        paths.append(
            fill_template(
                template_path(templates, department, year, plan),
                out / name,
                values,
                writer=f"担当者{index + 1}",
                contact=f"{2000 + index}",
                saved_at=saved,
            )
        )
    if mistakes:
        _add_mistakes(plan, year, templates, out, departments, paths, rng)
    return paths


def _row_values(
    plan: Plan, target: Target | None, year: int, rng: random.Random, messy: bool
) -> dict[str, object]:
    values: dict[str, object] = {L.WORK_DONE: "計画どおり事業を実施した。", L.OUTLOOK: "継続"}
    goal = target.value_for(year) if target else None
    if target is None or goal is None:
        return values
    if target.direction == L.DIRECTION_QUALITATIVE:
        done = rng.random() < 0.85
        grade = plan.grades[0].code if done else plan.grades[1].code
        return {**values, L.ACTUAL: goal if done else "一部実施", L.GRADE: grade}
    assert isinstance(goal, Decimal)
    actual = _actual_for(target, goal, rng)
    rate = achievement(target.direction, target.baseline, goal, actual).value
    grade = (
        suggested_grade(plan.grades, round_half_up(rate)).code
        if rate is not None
        else plan.grades[0].code
    )
    typed: object = int(actual) if actual == actual.to_integral_value() else float(actual)
    if messy:
        typed = f"{int(actual):,}{target.unit}".translate(_FULL_WIDTH) if actual >= 1000 else typed
        grade = {"A": "Ａ", "B": "b評価"}.get(grade, grade)
    values = {**values, L.ACTUAL: typed, L.GRADE: grade}
    if grade == plan.lowest_grade.code:
        values[L.ISSUES] = "参加者が伸び悩んだため、周知方法の見直しが必要。"
        values[L.OUTLOOK] = "改善・見直し"
    return values


def _actual_for(target: Target, goal: Decimal, rng: random.Random) -> Decimal:
    factor = Decimal(rng.choice([70, 85, 92, 97, 100, 103, 108, 115])) / 100
    if target.direction == L.DIRECTION_UP:
        return (goal * factor).quantize(Decimal(1))
    if target.baseline is not None:
        return (target.baseline - (target.baseline - goal) * factor).quantize(Decimal("0.1"))
    return (goal / factor).quantize(Decimal("0.1"))


def _add_mistakes(
    plan: Plan,
    year: int,
    templates: Path,
    out: Path,
    departments: list[str],
    paths: list[Path],
    rng: random.Random,
) -> None:
    """A resubmission, text where a number belongs, a lowest grade without 課題, a stray file."""
    first = departments[0]
    rows = plan.expected_rows(first, year)
    wrong = {
        r.row_key: {L.ACTUAL: "未集計", L.GRADE: "A", L.WORK_DONE: "集計中", L.OUTLOOK: "継続"}
        for r in rows[:1]
    }
    old = fill_template(
        template_path(templates, first, year, plan),
        out / "再提出前" / f"{first}_旧.xlsx",
        wrong,
        writer="担当者1",
        saved_at=datetime(year + 1, 5, 1, 9, 0),
    )
    earlier = datetime(year + 1, 5, 1, 9, 0).timestamp()
    os.utime(old, (earlier, earlier))  # the first version, sent before its correction
    second = departments[1]
    numeric = [
        r for r in plan.expected_rows(second, year) if r.direction == L.DIRECTION_UP and r.target
    ]
    if numeric:
        bad = {
            numeric[0].row_key: {
                L.ACTUAL: "未集計",
                L.GRADE: plan.lowest_grade.code,
                L.WORK_DONE: "調査中",
                L.OUTLOOK: "継続",
            }
        }
        path = next(p for p in paths if key(second) in key(p.name))
        fill_template(path, path, bad, saved_at=datetime(year + 1, 6, 2, 10, 0))
    (out / "メモ.txt").write_text("提出ファイルの受付メモ（集計対象外）", encoding="utf-8")
