"""A plan built to the Sendai seed's published counts (001, 第2章 2 (1)) for FY2017-2019.

For each 分野 and year the first P projects carry a target, and the first T-P of them a second
one, so that 設定目標数 T and 目標設定事業数 P are those published; grades are handed out in
master order to give the published A/B/C counts. A 再掲 row re-lists a 分野1 project in 分野3.
"""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from pipeline import labels as L
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan

PUBLISHED_CSV = Path(__file__).with_name("data") / "published_tables.csv"  # copy of the seed's
YEARS = (2017, 2018, 2019)
# year -> 分野 -> (targets, projects, (A, B, C))
PUBLISHED: dict[int, dict[int, tuple[int, int, tuple[int, int, int]]]] = {
    2017: {1: (18, 16, (15, 2, 1)), 2: (10, 8, (3, 5, 2)), 3: (43, 33, (26, 13, 4))},
    2018: {1: (17, 15, (16, 1, 0)), 2: (10, 8, (5, 5, 0)), 3: (42, 32, (28, 11, 3))},
    2019: {1: (17, 15, (13, 4, 0)), 2: (15, 13, (14, 1, 0)), 3: (44, 33, (32, 12, 0))},
}
FIELDS = (1, 2, 3)
FIELD_NAMES = {
    1: "市民活動の促進および市民協働の推進に関する事項",
    2: "政策形成過程への市民の参画の推進に関する事項",
    3: "多様な主体による活動の促進に関する事項",
}
DEPARTMENTS = (
    "市民局市民協働推進課",
    "市民局地域政策課",
    "総務局広聴課",
    "教育局生涯学習課",
    "健康福祉局地域福祉課",
)


def project_count(field: int) -> int:
    return max(PUBLISHED[y][field][1] for y in YEARS)


def number(field: int, j: int) -> str:
    return f"{field}-(1)-{j + 1}"


def is_active(field: int, j: int, seq: int, year: int) -> bool:
    targets, projects, _ = PUBLISHED[year][field]
    return j < projects and (seq == 1 or j < targets - projects)


def seed_sheets() -> dict[str, list[list[str]]]:
    tree = []
    projects = []
    targets: list[list[object]] = []
    for field in FIELDS:
        tree += [
            [str(field), FIELD_NAMES[field], "", "分野"],
            [f"{field}-(1)", f"分野{field}の施策", str(field), "施策"],
        ]
        for j in range(project_count(field)):
            department = DEPARTMENTS[(field + j) % len(DEPARTMENTS)]
            projects.append(
                [
                    number(field, j),
                    f"分野{field}の事業{j + 1}",
                    f"{field}-(1)",
                    department,
                    "継続",
                    "",
                    "事業内容",
                ]
            )
            for seq in (1, 2):
                values = ["100" if is_active(field, j, seq, y) else "" for y in YEARS]
                if any(values):
                    targets.append([number(field, j), f"指標{seq}", "件", "増加", "", *values])
    projects.append(["3-(1)-99", "分野1の事業1", "3-(1)", DEPARTMENTS[1], "", number(1, 0), ""])
    return master_sheets(tree=tree, projects=projects, targets=targets, years=YEARS, plan_id="seed")


def grade_plan(year: int) -> dict[tuple[str, int], str]:
    """(整理番号, seq) -> grade, handing out the published counts in master order per 分野."""
    grades: dict[tuple[str, int], str] = {}
    for field in FIELDS:
        _, _, (a, b, c) = PUBLISHED[year][field]
        pool = ["A"] * a + ["B"] * b + ["C"] * c
        active = [
            (number(field, j), seq)
            for j in range(project_count(field))
            for seq in (1, 2)
            if is_active(field, j, seq, year)
        ]
        assert len(active) == len(pool)
        grades.update(zip(active, pool, strict=True))
    return grades


def published_rows() -> list[dict[str, str]]:
    with PUBLISHED_CSV.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


ACTUAL_FOR = {"A": 100, "B": 90, "C": 50}
SCOPE_OF = {"全体": L.TOTAL, **{f"分野{f}": FIELD_NAMES[f] for f in FIELDS}}


FULL_WIDTH = str.maketrans("ABC0123456789", "ＡＢＣ０１２３４５６７８９")


_BUILT: dict[object, tuple[Path, Path, Path]] = {}  # name -> (folder, master, submissions)


def copy_of_build(
    tmp: Path, name: object, build: Callable[[Path], tuple[Path, Path]]
) -> tuple[Path, Path]:
    """build(folder) -> (master, submissions folder) made once per test process for `name`
    (~0.4 s of CPU: a master and a workbook per department), then copied into `tmp` for each
    test that asks, so that a test may change its own copy."""
    if name not in _BUILT:
        folder = Path(tempfile.mkdtemp(prefix="shinchoku-seed-"))
        atexit.register(_remove, folder, os.getpid())
        _BUILT[name] = (folder, *build(folder))
    folder, master, submissions = _BUILT[name]
    shutil.copytree(folder, tmp, dirs_exist_ok=True)
    return tmp / master.relative_to(folder), tmp / submissions.relative_to(folder)


def _remove(folder: Path, owner: int) -> None:
    """At exit of the process that made `folder` (not of a process forked from it: a worker, a
    mutant)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)


def seed_submissions(
    tmp: Path,
    year: int,
    messy: bool = False,
    typed: dict[tuple[str, int], dict[str, object]] | None = None,
) -> tuple[Path, Path]:
    """(master, submissions folder) giving the published figures of `year`; `typed` adds cells
    to rows by (整理番号, seq), e.g. text a department typed into 取組内容・実績."""
    typed_key = repr(sorted((typed or {}).items()))
    return copy_of_build(
        tmp, ("seed", year, messy, typed_key), lambda f: _seed_submissions(f, year, messy, typed)
    )


def _seed_submissions(
    tmp: Path,
    year: int,
    messy: bool,
    typed: dict[tuple[str, int], dict[str, object]] | None,
) -> tuple[Path, Path]:
    master, plan = write_plan(seed_sheets(), tmp)
    values = {}
    for (number, seq), grade in grade_plan(year).items():
        actual: object = ACTUAL_FOR[grade]
        shown = grade
        if messy and seq == 1:  # how people type: full-width digits, units, 'Ａ評価'
            actual = f"{actual}件".translate(FULL_WIDTH)
            shown = f"{grade}評価".translate(FULL_WIDTH)
        row = complete_row(shown, actual)
        row.update((typed or {}).get((number, seq), {}))
        values[key(number), key(f"指標{seq}")] = row
    for project in plan.main_projects():  # rows whose target is blank this year still report
        for target in plan.targets_of(project.number):
            values.setdefault((key(project.number), key(target.name)), complete_row("", None))
    return master, submit_all(plan, year, tmp, values)
