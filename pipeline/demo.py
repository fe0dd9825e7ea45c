"""`shinchoku demo`: a bundled plan (Sendai's unless asked), generated sample submissions, the
whole run.

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
from pipeline.batch import run
from pipeline.errors import OutputError, UsageError
from pipeline.model import Plan, Report, Target
from pipeline.options import Options, Progress, no_progress
from pipeline.outdir import check_folder, mark_files, mark_templates, refuse_overwrite
from pipeline.plan import read_plan
from pipeline.rates import achievement, round_half_up, suggested_grade
from pipeline.samples import fill_template
from pipeline.templates import make_templates, template_path, write_templates
from pipeline.text import key
from pipeline.xlsx import atomic_path

DEMO_YEAR = 2024  # the year a demo runs, moved into a plan's period when outside it
PAST_YEARS = 2  # earlier years recorded first, so that the trend shows
DEFAULT_PLAN = "sendai2021"  # plain `shinchoku demo`
_MASTER_SUFFIX = "_計画マスタ.xlsx"
_STORE = "shinchoku.sqlite3"  # the demo's history store, in its folder
_RESULTS, _PAST = "集計結果", "過去年度"  # the run's output folder; the earlier years' folders
_AREAS = ("提出", _PAST, "テンプレート")  # folders the demo fills afresh each time
_FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def bundled_folder() -> Path:
    """Where the bundled plan masters are: the one place that knows (see bundled_master).

    Package data (pipeline/data) found through importlib.resources, so that every bundled plan
    works from an installed wheel in any working directory, not only from a source checkout."""
    folder = resources.files("pipeline").joinpath("data")
    if isinstance(folder, Path):
        return folder
    return _EXTRACTED.enter_context(resources.as_file(folder))  # e.g. a zipped install


_EXTRACTED = ExitStack()
atexit.register(_EXTRACTED.close)


def bundled_names() -> list[str]:
    """NAME of every bundled plan (its master is `<NAME>_計画マスタ.xlsx`), the default first."""
    names = sorted(
        p.name.removesuffix(_MASTER_SUFFIX) for p in bundled_folder().glob("*" + _MASTER_SUFFIX)
    )
    return sorted(names, key=lambda n: n != DEFAULT_PLAN)


def bundled_master(name: str = DEFAULT_PLAN) -> Path:
    """The plan master of bundled plan `name`; UsageError naming the choices when there is none."""
    path = bundled_folder() / f"{name}{_MASTER_SUFFIX}"
    if not path.is_file():
        choices = "、".join(bundled_names())
        if not choices:
            raise UsageError(
                "同梱の計画マスタが見つかりません。インストールが不完全です。"
                "shinchoku をインストールし直してください。"
            )
        raise UsageError(f"同梱の計画「{name}」はありません。次から選んでください: {choices}")
    return path


def bundled_plans() -> list[tuple[str, Plan]]:
    """(NAME, plan) of every bundled plan, for `demo --list`."""
    return [(name, read_plan(bundled_master(name))) for name in bundled_names()]


BUNDLED_MASTER = bundled_master(DEFAULT_PLAN)


def demo_master(out: Path, name: str = DEFAULT_PLAN) -> Path:
    """Where the demo puts its copy of bundled plan `name`'s master."""
    return out / f"{name}{_MASTER_SUFFIX}"


def demo_years(plan: Plan) -> tuple[int, tuple[int, ...]]:
    """The demo's year (DEMO_YEAR, moved into the plan's period leaving a year before it when
    the plan has one) and up to PAST_YEARS earlier years of the period."""
    year = min(max(DEMO_YEAR, plan.start_year + 1), plan.end_year)
    past = tuple(y for y in range(year - PAST_YEARS, year) if y >= plan.start_year)
    return year, past


def run_demo(
    out: Path,
    progress: Progress = no_progress,  # type: ignore[type-arg]
    name: str = DEFAULT_PLAN,
) -> tuple[Report, Path]:
    """Earlier years go into the history store first, so the trend and last year's figures
    show; then this year's templates (with last year beside) and messy submissions are run.
    The run reads a copy of the bundled master in `out`: a sample to start one's own plan from
    (an installed wheel offers no other way to it) and the demo's commands can be rerun by hand.
    What an earlier demo wrote there is replaced only while nobody changed it (_check_folder)."""
    bundled = bundled_master(name)
    master = demo_master(out, name)
    stale = _check_folder(out, master)
    try:
        for stale_file in stale:
            try:
                stale_file.unlink()
            except OSError as error:  # on Windows: a sample still open in Excel
                raise OutputError.from_os_error(stale_file, error) from None
        with atomic_path(master) as temporary:
            shutil.copyfile(bundled, temporary)
        outcome = _run_years(master, out, progress)
    finally:  # stopped half-way too: what it wrote is its own, so that a re-run may replace it
        mark_files(out, [p for p in [master, *_demo_files(out)[0]] if p.is_file()], "demo")
    return outcome, outcome.outputs[0]


def _run_years(master: Path, out: Path, progress: Progress) -> Report:  # type: ignore[type-arg]
    """The earlier years' templates, samples and runs, then this year's."""
    plan = read_plan(master)
    demo_year, past_years = demo_years(plan)
    store = out / _STORE
    for year in past_years:
        folder = out / _PAST / years.file_label(year)
        mark_templates(
            folder / "テンプレート", write_templates(plan, year, folder / "テンプレート")
        )
        make_sample_submissions(
            plan, year, folder / "テンプレート", folder / "提出", mistakes=False
        )
        run(
            master,
            folder / "提出",
            year,
            folder / _RESULTS,
            Options(store=store),
            run_at=datetime(year + 1, 6, 30, 17, 0),
        )
    templates, submissions = out / "テンプレート", out / "提出"
    make_templates(master, demo_year, templates, store)
    make_sample_submissions(plan, demo_year, templates, submissions)
    options = Options(progress=progress, store=store)
    fixed = datetime(demo_year + 1, 6, 30, 17, 0)
    return run(master, submissions, demo_year, out / _RESULTS, options, run_at=fixed)


def _check_folder(out: Path, master: Path) -> list[Path]:
    """What an earlier demo left in `out`, to remove before this one writes; refused before
    anything is written unless each is the demo's own and unchanged. The results folders are
    output folders, replaced whole as `run` replaces them (outdir.check_folder refuses one
    holding a file it did not write); every other file must be listed in the marker of `out`
    with the SHA-256 it has now (OverwriteError): the master copy is where users start their own
    plan, and a sample or template may have been edited."""
    files, results = _demo_files(out)
    for folder in results:
        check_folder(folder)
    refuse_overwrite(out, [master, *files])
    return [*files, *(p for folder in results for p in _files(folder))]


def _demo_files(out: Path) -> tuple[list[Path], list[Path]]:
    """The files the demo writes in `out` outside its output folders (the store, templates,
    samples: all but the master copy), and those output folders (each run's 集計結果)."""
    results = [out / _RESULTS, *sorted((out / _PAST).glob(f"*/{_RESULTS}"))]
    files = [
        *sorted(out.glob(f"{_STORE}*")),
        *(p for area in _AREAS for p in _files(out / area)),
    ]
    return [p for p in files if not any(p.is_relative_to(r) for r in results)], results


def _files(folder: Path) -> list[Path]:
    """Every file and symbolic link in `folder` and below (none when it does not exist)."""
    if not folder.exists():
        return []
    return sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())


def make_sample_submissions(
    plan: Plan, year: int, templates: Path, out: Path, mistakes: bool = True
) -> list[Path]:
    """Filled workbooks; with `mistakes`, all but the last department and some typical errors."""
    rng = random.Random(year)
    departments = plan.departments(year)
    paths: list[Path] = []
    for index, department in enumerate(departments[:-1] if mistakes else departments):
        values = {}
        for row in plan.expected_rows(department, year):
            messy = index % 4 == 1
            if plan.by_project:
                values[row.row_key] = _project_values(plan, row.number, year, rng, messy)
                continue
            target = next((t for t in plan.targets_of(row.number) if t.seq == row.target_seq), None)
            values[row.row_key] = _row_values(plan, target, year, rng, messy)
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


def _project_values(
    plan: Plan, number: str, year: int, rng: random.Random, messy: bool
) -> dict[str, object]:
    """A plan graded per project: a grade for the year's schedule, and who took part."""
    project = plan.project(number)
    assert project is not None
    word = plan.schedule_of(project, year) or ""
    grade = plan.grades[min(int(rng.choice([0, 0, 0, 0, 1, 1, 1, 2])), len(plan.grades) - 1)]
    partners = [a for a, mark in zip(plan.actors, project.marks, strict=True) if mark]
    values: dict[str, object] = {
        L.GRADE: {"A": "Ａ", "B": "b評価"}.get(grade.code, grade.code) if messy else grade.code,
        L.WORK_DONE: f"今年度の予定（{word}）に沿って取り組んだ。"
        if word
        else "計画どおり取り組んだ。",
        L.OUTLOOK: "継続",
        L.PARTNERS: "、".join(partners) or "関係団体",
    }
    if grade == plan.lowest_grade:
        values[L.ISSUES] = "関係者との日程調整が進まず、予定の一部が遅れた。"
        values[L.OUTLOOK] = "改善・見直し"
    return values


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
    first_try: dict[str, object] = (
        {L.GRADE: "済", L.WORK_DONE: "集計中", L.OUTLOOK: "継続"}
        if plan.by_project
        else {L.ACTUAL: "未集計", L.GRADE: "A", L.WORK_DONE: "集計中", L.OUTLOOK: "継続"}
    )
    wrong = {r.row_key: first_try for r in rows[:1]}
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
    if plan.by_project and plan.expected_rows(second, year):
        lowest = {  # the lowest grade without its 課題
            plan.expected_rows(second, year)[0].row_key: {
                L.GRADE: plan.lowest_grade.code,
                L.ISSUES: None,
                L.WORK_DONE: "調整中",
                L.OUTLOOK: "継続",
            }
        }
        path = next(p for p in paths if key(second) in key(p.name))
        fill_template(path, path, lowest, saved_at=datetime(year + 1, 6, 2, 10, 0))
    elif numeric:
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
