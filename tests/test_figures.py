"""figures.compute from counted rows: what each level's table counts (targets due this year, the
projects having them, grades, 未評価, the capped average rate) and what 事業一覧 says of each
target (再掲 rows with their main entry's figures, and why a figure is missing).

Then a plan graded per project (評価単位 事業), counted by hand: a plan that is none of the seeds,
with a 予定 sheet of 準備/実施/blank years, actors marked ◎/○, a 再掲 row, a project the 予定
sheet does not list, a department that did not submit and a rejected row."""

from __future__ import annotations

import csv
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.batch import Options, run
from pipeline.figures import compute, shares
from pipeline.model import (
    ACTUAL_VALUE,
    FILE,
    GRADE_CODE,
    OUTLOOK_CHOICE,
    PLAN_NUMBER,
    RATE,
    RATE_SHOWN,
    TARGET_SEQ,
    Figures,
    Grade,
    Node,
    Plan,
    Project,
    RowState,
)
from pipeline.rates import round_half_up
from pipeline.store import Store
from pipeline.templates import template_path, write_templates
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan

YEAR = 2024
PROJECTS = [
    ["1-(1)-1", "一", "1-(1)", "A課", "", "", ""],
    ["1-(1)-2", "二", "1-(1)", "B課", "", "", ""],
    ["2-(1)-4", "四", "2-(1)", "A課", "", "", ""],
    ["2-(1)-5", "一の再掲", "2-(1)", "", "", "1-(1)-1", ""],
    ["2-(1)-6", "六", "2-(1)", "A課", "", "", ""],
    ["2-(2)-7", "七", "2-(2)", "A課", "", "", ""],
    ["2-(2)-8", "八", "2-(2)", "A課", "", "", ""],
    ["2-(2)-9", "九", "2-(2)", "A課", "", "", ""],  # no target at all
]
TARGETS = [
    ["1-(1)-1", "件数", "件", "増加", "", "100"],
    ["1-(1)-1", "回数", "回", "増加", "", "50"],
    ["1-(1)-2", "人数", "人", "増加", "", "10"],
    ["2-(1)-4", "来年", "件", "増加", "", ""],  # nothing due this year
    ["2-(1)-6", "件数", "件", "増加", "", "10"],
    ["2-(2)-7", "件数", "件", "増加", "", "10"],
    ["2-(2)-8", "指針", "", "定性", "", "策定"],
]


def _row(number: str, seq: int, grade: str | None, actual: object, rate: Fraction | None):  # type: ignore[no-untyped-def]
    shown = None if rate is None else round_half_up(rate)
    return {
        PLAN_NUMBER: number,
        TARGET_SEQ: seq,
        GRADE_CODE: grade,
        ACTUAL_VALUE: actual,
        RATE: rate,
        RATE_SHOWN: shown,
        L.WORK_DONE: f"{number}の取組",
        L.ISSUES: None,
        OUTLOOK_CHOICE: "継続",
        FILE: "a.xlsx",
    }


@pytest.fixture(scope="module")
def figures(tmp_path_factory: pytest.TempPathFactory) -> Figures:
    sheets = master_sheets(
        tree=[
            ["1", "分野一", "", "分野"],
            ["1-(1)", "施策一", "1", "施策"],
            ["2", "分野二", "", "分野"],
            ["2-(1)", "施策二", "2", "施策"],
            ["2-(2)", "施策三", "2", "施策"],
        ],
        projects=PROJECTS,
        targets=TARGETS,
        years=[YEAR],
    )
    _, plan = write_plan(sheets, tmp_path_factory.mktemp("plan"))
    counted = pd.DataFrame(
        [
            _row("1-(1)-1", 1, "A", Decimal(120), Fraction(120)),
            _row("1-(1)-1", 2, "A", Decimal(30), Fraction(60)),  # 60 suggests C: two steps
            _row("2-(2)-8", 1, None, "策定", None),  # counted, due, but no grade
        ],
        dtype=object,
    )
    state = RowState(
        submitted=frozenset({"A課"}),
        reported=frozenset({("1-(1)-1", 1), ("1-(1)-1", 2), ("2-(1)-6", 1), ("2-(2)-8", 1)}),
        rejected=frozenset({("2-(1)-6", 1)}),
        warned=frozenset({("1-(1)-1", 1)}),
    )
    return compute(plan, YEAR, counted, state)


def _summary(figures: Figures, level: int) -> list[tuple[object, ...]]:
    return [
        (
            r.scope,
            r.code,
            r.targets_set,
            r.projects_with_targets,
            r.counts,
            tuple(None if s is None else str(s) for s in r.shares),
            r.ungraded,
            None if r.average_rate is None else str(r.average_rate),
            r.average_count,
        )
        for r in figures.tables[level].rows
    ]


def test_each_level_counts_targets_due_grades_ungraded_and_the_capped_average(
    figures: Figures,
) -> None:
    assert [t.level for t in figures.tables] == ["分野", "施策"]
    assert figures.summary is figures.tables[0]
    assert figures.tables[0].name == "分野別"
    # 120 is capped at 100: (100 + 60) / 2 = 80.0 over 2 rates
    assert _summary(figures, 0) == [
        (L.TOTAL, "", 6, 5, (2, 0, 0), ("100.0", "0.0", "0.0"), 4, "80.0", 2),
        ("分野一", "1", 3, 2, (2, 0, 0), ("100.0", "0.0", "0.0"), 1, "80.0", 2),
        ("分野二", "2", 3, 3, (0, 0, 0), (None, None, None), 3, None, 0),
    ]
    assert _summary(figures, 1)[1:] == [
        ("施策一", "1-(1)", 3, 2, (2, 0, 0), ("100.0", "0.0", "0.0"), 1, "80.0", 2),
        ("施策二", "2-(1)", 1, 1, (0, 0, 0), (None, None, None), 1, None, 0),
        ("施策三", "2-(2)", 2, 2, (0, 0, 0), (None, None, None), 2, None, 0),
    ]
    assert _summary(figures, 1)[0] == _summary(figures, 0)[0]


def _listing(figures: Figures) -> list[tuple[object, ...]]:
    return [
        (
            r.project.number,
            r.target.name if r.target else None,
            r.department,
            r.target_value,
            r.actual,
            None if r.rate is None else str(r.rate),
            r.grade,
            r.suggested,
            r.notes,
        )
        for r in figures.listing
    ]


def test_listing_says_why_each_figure_is_there_or_missing(figures: Figures) -> None:
    D100, D50, D10 = Decimal(100), Decimal(50), Decimal(10)
    gap, warned = L.FLAG_GRADE_GAP, L.FLAG_WARNING
    relisted = f"{L.FLAG_RELISTED}（1-(1)-1）"
    assert _listing(figures) == [
        ("1-(1)-1", "件数", "A課", D100, Decimal(120), "120.0", "A", "A", (warned,)),
        ("1-(1)-1", "回数", "A課", D50, Decimal(30), "60.0", "A", "C", (gap,)),
        ("1-(1)-2", "人数", "B課", D10, None, None, None, None, (L.FLAG_NOT_SUBMITTED,)),
        ("2-(1)-4", "来年", "A課", None, None, None, None, None, (L.FLAG_NOT_REPORTED,)),
        ("2-(1)-5", "件数", "A課", D100, Decimal(120), "120.0", "A", "A", (relisted, warned)),
        ("2-(1)-5", "回数", "A課", D50, Decimal(30), "60.0", "A", "C", (relisted, gap)),
        ("2-(1)-6", "件数", "A課", D10, None, None, None, None, (L.FLAG_REJECTED,)),
        ("2-(2)-7", "件数", "A課", D10, None, None, None, None, (L.FLAG_NOT_REPORTED,)),
        ("2-(2)-8", "指針", "A課", "策定", "策定", None, None, None, (L.FLAG_UNGRADED,)),
        ("2-(2)-9", None, "A課", None, None, None, None, None, (L.FLAG_NOT_REPORTED,)),
    ]


def test_listing_rows_carry_the_departments_text_and_level_names(figures: Figures) -> None:
    first = figures.listing[0]
    assert [n.name for n in first.nodes] == ["分野一", "施策一"]
    assert (first.work_done, first.issues, first.outlook) == ("1-(1)-1の取組", None, "継続")
    assert first.source == "a.xlsx"
    relisting = figures.listing[4]
    assert [n.code for n in relisting.nodes] == ["2", "2-(1)"]  # where the 再掲 row sits
    assert relisting.work_done == "1-(1)-1の取組"
    assert figures.listing[2].source == ""


def test_results_list_every_target_due_with_its_grade_and_rate(figures: Figures) -> None:
    results = [(r.project.number, r.target.name, r.grade, r.rate) for r in figures.results]
    assert results == [
        ("1-(1)-1", "件数", "A", Fraction(120)),
        ("1-(1)-1", "回数", "A", Fraction(60)),
        ("1-(1)-2", "人数", None, None),
        ("2-(1)-6", "件数", None, None),
        ("2-(2)-7", "件数", None, None),
        ("2-(2)-8", "指針", None, None),
    ]


def test_largest_remainder_is_applied_to_every_row(tmp_path: Path) -> None:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[[f"1-(1)-{i}", "事業", "1-(1)", "A課", "", "", ""] for i in (1, 2, 3)],
        targets=[[f"1-(1)-{i}", "件数", "件", "増加", "", "100"] for i in (1, 2, 3)],
        years=[YEAR],
    )
    _, plan = write_plan(sheets, tmp_path)
    counted = pd.DataFrame(
        [
            _row(f"1-(1)-{i}", 1, g, Decimal(100), Fraction(100))
            for i, g in zip((1, 2, 3), "ABC", strict=True)
        ],
        dtype=object,
    )
    half_up = compute(plan, YEAR, counted)
    largest = compute(plan, YEAR, counted, method="largest-remainder")
    for table in half_up.tables:
        assert all(str(s) == "33.3" for s in table.rows[0].shares)
    for table in largest.tables:
        for row in table.rows:
            assert [str(s) for s in row.shares] == ["33.4", "33.3", "33.3"]


# --- a plan graded per project (評価単位 事業) ----------------------------------------

GRADES = "S=予定以上;A=予定どおり;B=一部のみ;C=未着手"
ACTORS = ("住民", "事業者", "行政")
GRADED_PROJECTS = [  # 整理番号, 事業名, 取組, 担当課, 区分, 再掲元, 事業内容, 住民, 事業者, 行政
    ["P1", "見守り活動", "G1-a", "福祉課", "新規", "", "", "◎", "○", ""],
    ["P2", "防災訓練", "G1-a", "防災課", "継続", "", "", "○", "", "◎"],
    ["P3", "空き家活用", "G1-b", "福祉課", "拡充", "", "", "", "◎", "○"],
    ["P4", "清掃活動", "G2-a", "環境課", "", "", "", "◎", "", "○"],
    ["P5", "商店街イベント", "G2-a", "環境課", "継続", "", "", "○", "◎", "○"],
    ["P6", "見守り活動", "G2-a", "", "", "P1", "", "", "", ""],
    ["P7", "ごみ減量啓発", "G2-a", "環境課", "新規", "", "", "○", "〇", "◎"],  # 〇 typed
]
SCHEDULE = [  # 2025 (令和7年度), 2026 (FY2026); P7 not listed: planned every year
    ["整理番号", "令和7年度", "FY2026"],
    ["P1", "準備", "実施"],
    ["P2", "実施", "実施"],
    ["P3", "", "準備"],
    ["P4", "実施", ""],
    ["P5", "準備", "実施"],
]


def project_sheets() -> dict[str, list[list[str]]]:
    sheets = master_sheets(
        tree=[
            ["G1", "安心のまち", "", "基本目標"],
            ["G2", "きれいなまち", "", "基本目標"],
            ["G1-a", "見守り", "G1", "取組"],
            ["G1-b", "住まい", "G1", "取組"],
            ["G2-a", "美化", "G2", "取組"],
        ],
        projects=GRADED_PROJECTS,
        targets=[],
        years=[2025, 2026],
        plan_id="kita-kyosei",
        levels="基本目標;取組",
        grades=GRADES,
        floors="",
    )
    del sheets[L.MASTER_TARGET_SHEET]  # graded per project: no 指標 sheet needed
    sheets[L.MASTER_PLAN_SHEET] += [
        [L.PLAN_UNIT, "事業"],
        [L.PLAN_ACTORS, ";".join(ACTORS)],
        [L.PLAN_SCHEDULE_WORDS, "準備;実施"],
    ]
    sheets[L.MASTER_PROJECT_SHEET][0] += list(ACTORS)
    sheets[L.MASTER_SCHEDULE_SHEET] = [list(r) for r in SCHEDULE]
    return sheets


def test_a_department_with_nothing_planned_gets_no_template_and_is_not_expected(
    tmp_path: Path,
) -> None:
    """防災課 plans nothing in FY2026: no empty template, and no 未提出 (B01) for it."""
    sheets = project_sheets()
    sheets[L.MASTER_SCHEDULE_SHEET][2] = ["P2", "実施", ""]
    master, plan = write_plan(sheets, tmp_path)
    assert plan.departments(2026) == ["福祉課", "環境課"]
    assert plan.departments(2025) == plan.departments() == ["福祉課", "防災課", "環境課"]
    write_templates(plan, 2026, tmp_path / "t")
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [
        "進捗状況_環境課_2026年度.xlsx",
        "進捗状況_福祉課_2026年度.xlsx",
    ]
    values = {(key(n), ""): _review_row("A") for n in ("P1", "P3", "P5", "P7")}
    outcome = run(master, submit_all(plan, 2026, tmp_path, values), 2026, tmp_path / "out")
    assert [f.rule for f in outcome.finding_list] == []
    states = {r["担当課"]: r["提出"] for r in _csv(tmp_path / "out", "提出状況")}
    assert states == {"福祉課": "提出", "環境課": "提出"}


def test_templates_of_a_master_changed_since_are_rejected_not_missing(tmp_path: Path) -> None:
    """A 取組主体 added after the templates went out: every file F09 (and F14), each department
    提出 with its rows rejected as エラーの行, no 未提出 (B01)."""
    from click.testing import CliRunner

    from pipeline.cli import main

    _, plan = write_plan(project_sheets(), tmp_path / "before")
    values = {(key(n), ""): _review_row("A") for n in ("P1", "P2", "P4", "P5", "P7")}
    submissions = submit_all(plan, 2025, tmp_path, values)
    sheets = project_sheets()
    sheets[L.MASTER_PLAN_SHEET][-2][1] += ";大学"
    sheets[L.MASTER_PROJECT_SHEET][0].append("大学")
    master, _ = write_plan(sheets, tmp_path)
    out = tmp_path / "v"
    args = ["validate", str(master), str(submissions), "--year", "2025", "--out", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert (
        "行: 読込 5 = 集計 0 + 除外 5（エラーの行 5、使わなかったファイルの行 0）" in result.output
    )
    rules = sorted({r["規則"] for r in _csv(out, "検証結果")})
    assert rules == ["B07", "F09", "F14"], rules
    states = {r["担当課"]: r["提出"] for r in _csv(out, "提出状況")}
    assert states == {"福祉課": "提出", "防災課": "提出", "環境課": "提出"}


def _review_row(grade: str, issues: str | None = None) -> dict[str, object]:
    row: dict[str, object] = {
        L.GRADE: grade,
        L.WORK_DONE: "取り組んだ。",
        L.OUTLOOK: "継続",
        L.PARTNERS: "町内会",
    }
    if issues:
        row[L.ISSUES] = issues
    return row


def _csv(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _rows_of(path: Path) -> list[str]:
    sheet = load_workbook(path)[L.PROGRESS_SHEET]
    header = [c.value for c in sheet[6]]
    return [str(r[0].value) for r in sheet.iter_rows(min_row=7) if r[0].value is not None] + [
        "|".join(str(h) for h in header)
    ]


def test_templates_hold_exactly_the_projects_planned_that_year(tmp_path: Path) -> None:
    _, plan = write_plan(project_sheets(), tmp_path)
    assert plan.by_project and plan.actors == ACTORS and plan.targets == ()
    for year, expected in (
        (2025, {"福祉課": ["P1"], "防災課": ["P2"], "環境課": ["P4", "P5", "P7"]}),
        (2026, {"福祉課": ["P1", "P3"], "防災課": ["P2"], "環境課": ["P5", "P7"]}),
    ):
        write_templates(plan, year, tmp_path / str(year))
        for department, numbers in expected.items():
            *rows, header = _rows_of(template_path(tmp_path / str(year), department, year))
            assert rows == numbers, (year, department)
            assert header.split("|") == [
                L.NUMBER,
                L.PROJECT_NAME,
                L.SCHEDULE,
                *ACTORS,
                L.GRADE,
                L.WORK_DONE,
                L.ISSUES,
                L.OUTLOOK,
                L.PARTNERS,
            ]
    sheet = load_workbook(template_path(tmp_path / "2025", "環境課", 2025))[L.PROGRESS_SHEET]
    assert [c.value for c in sheet[9][:6]] == ["P7", "ごみ減量啓発", None, "○", "○", "◎"]
    assert sheet.protection.sheet
    assert sheet["B9"].protection.locked and sheet["D9"].protection.locked
    assert not sheet["G9"].protection.locked and not sheet["K9"].protection.locked


def test_every_figure_of_a_project_graded_plan_counted_by_hand(tmp_path: Path) -> None:
    master, plan = write_plan(project_sheets(), tmp_path)
    values = {
        (key("P1"), ""): _review_row("S"),
        (key("P2"), ""): _review_row("A"),  # 防災課 does not submit: 未評価
        (key("P4"), ""): _review_row("ａ", issues="人手が足りない。"),
        (key("P5"), ""): _review_row("C"),  # lowest grade without 課題: rejected, 未評価
        (key("P7"), ""): _review_row("予定どおり"),
    }
    submissions = submit_all(plan, 2025, tmp_path, values)
    (submissions / "進捗状況_防災課_2025年度.xlsx").unlink()
    out = tmp_path / "out"
    store = tmp_path / "h.sqlite3"
    outcome = run(master, submissions, 2025, out, Options(store=store, workers=1))
    rules = sorted(f.rule for f in outcome.finding_list)
    assert rules == ["B01", "V08"], [f.message for f in outcome.finding_list]
    assert outcome.rows_read == 4 and outcome.rows_counted == 3

    counts = [L.PROJECTS_EVALUATED, "S", "S割合", "A", "A割合", "B", "B割合", "C", "C割合"]
    counts.append(L.UNGRADED)
    summary = _csv(out, "概要")
    assert list(summary[0]) == [L.SCOPE, L.CODE, *counts]  # no target or 達成率 columns
    table = [[r[c] for c in (L.SCOPE, *counts)] for r in summary]
    assert table == [
        ["全体", "5", "1", "33.3", "2", "66.7", "0", "0.0", "0", "0.0", "2"],
        ["安心のまち", "2", "1", "100.0", "0", "0.0", "0", "0.0", "0", "0.0", "1"],
        ["きれいなまち", "3", "0", "0.0", "2", "100.0", "0", "0.0", "0", "0.0", "1"],
    ]
    lowest = [
        [r[c] for c in (L.CODE, L.PROJECTS_EVALUATED, "S割合", L.UNGRADED)]
        for r in _csv(out, "取組別")
    ]
    assert lowest == [
        ["", "5", "33.3", "2"],
        ["G1-a", "2", "100.0", "1"],
        ["G1-b", "0", "", "0"],
        ["G2-a", "3", "0.0", "1"],
    ]

    def breakdown(name: str, first: tuple[str, ...]) -> list[list[str]]:
        rows = _csv(out, name)
        assert list(rows[0]) == [*first, *counts], name  # no 全体 row, no target columns
        return [[r[c] for c in (*first, L.PROJECTS_EVALUATED, "S", "A", L.UNGRADED)] for r in rows]

    assert breakdown(L.CATEGORY_BREAKDOWN, (L.PROJECT_CATEGORY,)) == [
        ["新規", "2", "1", "1", "0"],
        ["継続", "2", "0", "0", "2"],
        ["拡充", "0", "0", "0", "0"],
        ["（なし）", "1", "0", "1", "0"],
    ]
    assert breakdown(L.SCHEDULE_BREAKDOWN, (L.SCHEDULE_WORD,)) == [
        ["準備", "2", "1", "0", "1"],
        ["実施", "2", "0", "1", "1"],
        ["（指定なし）", "1", "0", "1", "0"],
    ]
    assert breakdown(L.ACTOR_BREAKDOWN, (L.ACTOR, L.ROLE)) == [
        ["住民", "◎", "2", "1", "1", "0"],
        ["住民", "○", "3", "0", "1", "2"],
        ["事業者", "◎", "1", "0", "0", "1"],
        ["事業者", "○", "2", "1", "1", "0"],
        ["行政", "◎", "2", "0", "1", "1"],
        ["行政", "○", "2", "0", "1", "1"],
    ]
    shares_of = {r[L.ACTOR] + r[L.ROLE]: (r["S割合"], r["A割合"]) for r in _csv(out, "取組主体別")}
    assert shares_of["住民◎"] == ("50.0", "50.0") and shares_of["事業者◎"] == ("", "")

    listing = {r[L.NUMBER]: r for r in _csv(out, L.LISTING_SHEET)}
    assert list(listing) == ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]
    assert L.TARGET not in listing["P1"] and L.RATE not in listing["P1"]
    assert listing["P3"][L.NOTE] == L.FLAG_NOT_PLANNED and listing["P3"][L.SCHEDULE] == ""
    assert listing["P6"][L.NOTE].startswith("再掲（P1）") and listing["P6"][L.GRADE] == "S"
    assert listing["P2"][L.NOTE] == L.FLAG_NOT_SUBMITTED
    assert listing["P5"][L.NOTE] == L.FLAG_REJECTED
    assert (listing["P7"][L.PARTNERS], listing["P7"]["事業者"]) == ("町内会", "○")
    columns = [L.PROJECT_DEPARTMENT, L.SCHEDULE, L.GRADE, L.NOTE, L.WORK_DONE, L.ISSUES]
    columns += [L.OUTLOOK, L.PARTNERS]
    done = ["取り組んだ。", "", "継続", "町内会"]
    assert [[r[c] for c in columns] for r in listing.values()] == [
        ["福祉課", "準備", "S", "", *done],
        ["防災課", "実施", "", L.FLAG_NOT_SUBMITTED, "", "", "", ""],
        ["福祉課", "", "", L.FLAG_NOT_PLANNED, "", "", "", ""],
        ["環境課", "実施", "A", "", "取り組んだ。", "人手が足りない。", "継続", "町内会"],  # ａ
        ["環境課", "準備", "", L.FLAG_REJECTED, "", "", "", ""],
        ["福祉課", "準備", "S", "再掲（P1）", *done],  # the department and figures of P1
        ["環境課", "", "A", "", *done],  # planned every year: no word
    ]
    with Store(store) as history:  # which file each figure came from (not the re-listing)
        recorded = [
            (r["整理番号"], r["ファイル"], r["自己評価"]) for r in history.history(plan.plan_id)
        ]
    assert recorded == [
        ("P1", "進捗状況_福祉課_2025年度.xlsx", "S"),
        ("P4", "進捗状況_環境課_2025年度.xlsx", "A"),
        ("P7", "進捗状況_環境課_2025年度.xlsx", "A"),
    ]
    book = load_workbook(out / "集計結果_kita-kyosei_2025年度.xlsx")
    for name in (L.CATEGORY_BREAKDOWN, L.SCHEDULE_BREAKDOWN, L.ACTOR_BREAKDOWN):
        assert len(book[name]._charts) == 1, name


def test_history_gives_the_trend_of_projects_evaluated(tmp_path: Path) -> None:
    master, plan = write_plan(project_sheets(), tmp_path)
    store = tmp_path / "h.sqlite3"
    grades = {2025: "A", 2026: "S"}
    for year in (2025, 2026):
        numbers = [p.number for p, _ in plan.units(year)]
        values = {(key(n), ""): _review_row(grades[year]) for n in numbers}
        submissions = submit_all(plan, year, tmp_path / str(year), values)
        run(master, submissions, year, tmp_path / f"out{year}", Options(store=store))
    trend = [r for r in _csv(tmp_path / "out2026", L.TREND_SHEET) if r[L.SCOPE] == L.TOTAL]
    got = [(r[L.YEAR], r[L.PROJECTS_EVALUATED], r["S"], r["A"]) for r in trend]
    assert got == [("2025", "5", "0", "5"), ("2026", "5", "5", "0")]


# --- properties, on the figures stage alone ------------------------------------------------


def _graded_plan(categories: list[str], marks: list[tuple[str, str]]) -> Plan:
    nodes = (Node("1", "目標", None, 0),)
    projects = tuple(
        Project(f"N{i}", f"事業{i}", "1", "課", c, None, "", "", m)
        for i, (c, m) in enumerate(zip(categories, marks, strict=True))
    )
    grades = tuple(Grade(c, c, None) for c in "ABC")
    return Plan(
        "p", "計画", 2024, 2024, ("目標",), grades, Decimal(100), nodes, projects, (),
        unit=L.UNIT_PROJECT, actors=("甲", "乙"),
    )  # fmt: skip


def _graded_counted(plan: Plan, grades: list[str | None]) -> pd.DataFrame:
    rows = [
        {
            PLAN_NUMBER: p.number,
            TARGET_SEQ: 0,
            GRADE_CODE: g,
            RATE: None,
            RATE_SHOWN: None,
            OUTLOOK_CHOICE: "継続",
        }
        for p, g in zip(plan.projects, grades, strict=True)
        if g is not None
    ]
    return pd.DataFrame(rows, columns=[PLAN_NUMBER, TARGET_SEQ, GRADE_CODE, RATE, RATE_SHOWN])


_MARK = st.sampled_from(["◎", "○", ""])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["新規", "拡充", "継続", ""]),
            st.tuples(_MARK, _MARK),
            st.sampled_from(["A", "B", "C", None]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_breakdowns_add_up_for_any_plan(
    items: list[tuple[str, tuple[str, str], str | None]],
) -> None:
    """Every project counts in exactly one 区分別 row; per actor, ◎ and ○ rows never count more
    than the whole; graded + 未評価 = 評価対象事業数 on every row; shares are exact half-up."""
    plan = _graded_plan([c for c, _, _ in items], [m for _, m, _ in items])
    figures = compute(plan, 2024, _graded_counted(plan, [g for _, _, g in items]))
    total = figures.summary.rows[0]
    assert total.targets_set == len(items)
    category, actors = figures.breakdowns[0], figures.breakdowns[-1]
    assert sum(r.targets_set for _, r in category.rows) == total.targets_set
    assert [sum(r.counts[i] for _, r in category.rows) for i in range(3)] == list(total.counts)
    for actor in plan.actors:
        assert sum(r.targets_set for k, r in actors.rows if k[0] == actor) <= total.targets_set
    marked = [(a, m) for i, a in enumerate(plan.actors) for m in L.MARKS]
    mains = list(plan.main_projects())
    marked = [(a, m) for a, m in marked if any(p.marks[plan.actors.index(a)] == m for p in mains)]
    assert [k for k, _ in actors.rows] == marked  # a role no project has: no empty row
    for _, row in (*category.rows, *actors.rows):
        assert sum(row.counts) + row.ungraded == row.targets_set
        graded = sum(row.counts)
        for count, share in zip(row.counts, row.shares, strict=True):
            if graded == 0:
                assert share is None
                continue
            exact = Fraction(count * 100, graded)
            assert share is not None and abs(Fraction(share) - exact) <= Fraction(1, 20)
            assert Fraction(share) - exact != Fraction(-1, 20)  # a tie rounds up, never down


def test_a_half_is_rounded_up() -> None:
    assert shares([1, 15, 0]) == (Decimal("6.3"), Decimal("93.8"), Decimal("0.0"))  # 6.25, 93.75


def test_a_project_without_targets_is_listed_once_with_what_its_row_said(tmp_path: Path) -> None:
    """A project of a target-graded plan that has no 指標: one line in 事業一覧 with the
    department's text when filled in, 除外（エラー） when its row was left empty; no 設定目標."""
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-1", "事業一", "1-(1)", "A課", "", "", ""],
            ["1-(1)-2", "目標なし事業", "1-(1)", "A課", "", "", ""],
            ["1-(1)-3", "もう一つ", "1-(1)", "A課", "", "", ""],
        ],
        targets=[["1-(1)-1", "件数", "件", "増加", "", "100"]],
        years=[2024],
    )
    master, plan = write_plan(sheets, tmp_path)
    values = {
        (key("1-(1)-1"), key("件数")): complete_row("A", 100),
        (key("1-(1)-2"), ""): {L.WORK_DONE: "検討した。", L.OUTLOOK: "継続"},
    }
    outcome = run(master, submit_all(plan, 2024, tmp_path, values), 2024, tmp_path / "out")
    listing = _csv(tmp_path / "out", L.LISTING_SHEET)
    got = [[r[c] for c in (L.NUMBER, L.TARGET_NAME, L.NOTE, L.WORK_DONE)] for r in listing]
    assert got == [
        ["1-(1)-1", "件数", "", "実施した。"],
        ["1-(1)-2", "", "", "検討した。"],
        ["1-(1)-3", "", L.FLAG_REJECTED, ""],
    ]
    assert {(f.number, f.rule) for f in outcome.finding_list} == {
        ("1-(1)-3", "V07"),
        ("1-(1)-3", "V12"),
    }
    assert [r[L.TARGETS_SET] for r in _csv(tmp_path / "out", "概要")] == ["1", "1"]


def test_the_listing_of_a_target_graded_plan_line_by_line(tmp_path: Path) -> None:
    """事業一覧 as worked out by hand: each target's 目標値 of the year, 実績値, 達成率, grade,
    suggested grade and notes; a target without a value this year is listed, not graded; a
    re-listing repeats its main project's figures; B課 did not submit."""
    sheets = master_sheets(
        tree=[
            ["1", "分野一", "", "分野"],
            ["1-(1)", "施策一", "1", "施策"],
            ["1-(2)", "施策二", "1", "施策"],
        ],
        projects=[
            ["1-(1)-1", "事業一", "1-(1)", "A課", "", "", ""],
            ["1-(1)-2", "事業二", "1-(1)", "A課", "", "", ""],
            ["1-(1)-3", "事業三", "1-(1)", "A課", "", "", ""],
            ["1-(2)-1", "事業五", "1-(2)", "B課", "", "", ""],
            ["1-(2)-2", "事業一", "1-(2)", "", "", "1-(1)-1", ""],
        ],
        targets=[
            ["1-(1)-1", "件数", "件", "増加", "", "100", "110"],
            ["1-(1)-1", "満足度", "%", "増加", "50", "100", "100"],
            ["1-(1)-2", "回数", "回", "増加", "", "", "5"],  # no value in 2024
            ["1-(1)-3", "人数", "人", "減少", "200", "100", "90"],
            ["1-(2)-1", "件数", "件", "増加", "", "10", "10"],
        ],
        years=[2024, 2025],
    )
    master, plan = write_plan(sheets, tmp_path)
    values = {
        (key("1-(1)-1"), key("件数")): complete_row("B", 90),
        (key("1-(1)-1"), key("満足度")): complete_row("A", 60),
        (key("1-(1)-2"), key("回数")): {L.ACTUAL: 3, L.WORK_DONE: "準備した。", L.OUTLOOK: "継続"},
        (key("1-(1)-3"), key("人数")): {L.ACTUAL: 150, L.WORK_DONE: "進めた。", L.OUTLOOK: "拡充"},
    }
    submissions = submit_all(plan, 2024, tmp_path, values)
    (submissions / "進捗状況_B課_2024年度.xlsx").unlink()
    run(master, submissions, 2024, tmp_path / "out")
    columns = [L.NUMBER, L.PROJECT_DEPARTMENT, L.TARGET_NAME, L.TARGET, L.ACTUAL, L.RATE]
    columns += [L.GRADE, L.FLOOR_GUIDE, L.NOTE, L.WORK_DONE, L.OUTLOOK]
    listing = [[r[c] for c in columns] for r in _csv(tmp_path / "out", L.LISTING_SHEET)]
    gap = f"{L.FLAG_WARNING}・{L.FLAG_GRADE_GAP}"  # A at 60.0 %, where C is suggested
    relisted = f"{L.FLAG_RELISTED}（1-(1)-1）"
    done = ["実施した。", "継続"]
    assert listing == [
        ["1-(1)-1", "A課", "件数", "100", "90", "90.0", "B", "B", "", "実施した。", "継続"],
        ["1-(1)-1", "A課", "満足度", "100", "60", "60.0", "A", "C", gap, "実施した。", "継続"],
        ["1-(1)-2", "A課", "回数", "", "3", "", "", "", "", "準備した。", "継続"],
        ["1-(1)-3", "A課", "人数", "100", "", "", "", "", L.FLAG_REJECTED, "", ""],  # no grade
        ["1-(2)-1", "B課", "件数", "10", "", "", "", "", L.FLAG_NOT_SUBMITTED, "", ""],
        ["1-(2)-2", "A課", "件数", "100", "90", "90.0", "B", "B", relisted, "実施した。", "継続"],
        ["1-(2)-2", "A課", "満足度", "100", "60", "60.0", "A", "C", f"{relisted}・{gap}", *done],
    ]


def test_a_re_listing_of_a_project_not_planned_this_year_says_both(tmp_path: Path) -> None:
    sheets = project_sheets()
    sheets[L.MASTER_PROJECT_SHEET].append(
        ["P8", "空き家活用", "G2-a", "", "", "P3", "", "", "", ""]
    )
    master, plan = write_plan(sheets, tmp_path)
    values = {(key(p.number), ""): _review_row("A") for p, _ in plan.units(2025)}
    run(master, submit_all(plan, 2025, tmp_path, values), 2025, tmp_path / "out")
    listing = {r[L.NUMBER]: r for r in _csv(tmp_path / "out", L.LISTING_SHEET)}
    assert listing["P3"][L.NOTE] == L.FLAG_NOT_PLANNED
    assert listing["P8"][L.NOTE] == f"再掲（P3）・{L.FLAG_NOT_PLANNED}"
    assert listing["P8"][L.PROJECT_DEPARTMENT] == "福祉課" and listing["P8"][L.GRADE] == ""


def test_a_project_graded_plans_listing_shows_its_targets_for_the_year(tmp_path: Path) -> None:
    """指標 shown, not graded, in a plan graded per project: 事業一覧 gives each project's
    指標 with the value of the year the figures are for (FY2025's 1,200, not FY2026's)."""
    from pipeline.report.tables import project_listing_rows

    sheets = project_sheets()
    sheets[L.MASTER_TARGET_SHEET] = [
        [L.NUMBER, L.TARGET_NAME, L.UNIT, L.DIRECTION, L.BASELINE, "2025年度", "2026年度"],
        ["P1", "参加者数", "人", "増加", "", "1200", "1500"],
    ]
    master, plan = write_plan(sheets, tmp_path)
    values = {(key(n), ""): _review_row("A") for n in ("P1", "P2", "P4", "P5", "P7")}
    report = run(master, submit_all(plan, 2025, tmp_path, values), 2025, None)
    assert report.figures is not None and report.figures.year == 2025
    rows = project_listing_rows(plan, report.figures.year, report.figures.listing)
    assert rows[0][4] == "P1" and "参加者数 1,200人" in rows[0]
