"""batch.run on another plan than Sendai's: the code knows nothing of Sendai — other level labels, a
four-grade scale, lower-is-better."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.batch import run
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan

GRADES = "S=大きく進んだ;A=順調;B=やや遅れ;C=遅れ"


def _plan(tmp: Path):
    sheets = master_sheets(
        tree=[
            ["G1", "安心して暮らせるまち", "", "基本目標"],
            ["G2", "にぎわいのあるまち", "", "基本目標"],
            ["G1-1", "防災", "G1", "施策"],
            ["G2-1", "観光", "G2", "施策"],
            ["G1-1-a", "地域防災", "G1-1", "取組"],
            ["G2-1-a", "観光振興", "G2-1", "取組"],
        ],
        projects=[
            ["101", "防災訓練", "G1-1-a", "危機管理課", "", "", ""],
            ["102", "事故防止", "G1-1-a", "交通課", "", "", ""],
            ["201", "観光案内", "G2-1-a", "観光課", "", "", ""],
        ],
        targets=[
            ["101", "訓練参加者数", "人", "増加", "", "1000"],
            ["102", "交通事故件数", "件", "減少", "500", "400"],
            ["102", "待機時間", "分", "減少", "", "10"],
            ["201", "案内所利用者数", "人", "増加", "", "200"],
        ],
        years=[2026],
        plan_id="other-city",
        levels="基本目標;施策;取組",
        grades=GRADES,
        floors="S=120;A=100;B=80",
    )
    return write_plan(sheets, tmp)


def test_other_labels_four_grades_and_lower_is_better(tmp_path: Path) -> None:
    master, plan = _plan(tmp_path)
    values = {
        (key("101"), key("訓練参加者数")): complete_row("S", 1250),  # 125.0 -> S
        (key("102"), key("交通事故件数")): complete_row("A", 400),  # (500-400)/(500-400) = 100.0
        (key("102"), key("待機時間")): complete_row("C", 20),  # 10/20 = 50.0 -> C
        (key("201"), key("案内所利用者数")): complete_row("C", 150),  # 75.0 -> C
    }
    submissions = submit_all(plan, 2026, tmp_path, values)
    outcome = run(master, submissions, 2026, tmp_path / "out")
    assert outcome.exit_code == 0, [f.message for f in outcome.finding_list]
    book = load_workbook(tmp_path / "out" / "集計結果_other-city_2026年度.xlsx")
    assert book.sheetnames[:4] == ["概要", "基本目標別", "施策別", "取組別"]
    for name in ("基本目標別", "施策別", "取組別"):
        assert (tmp_path / "out" / f"{name}.csv").exists()
    with (tmp_path / "out" / "基本目標別.csv").open(encoding="utf-8-sig") as handle:
        rows = {r[L.SCOPE]: r for r in csv.DictReader(handle)}
    total = rows[L.TOTAL]
    assert [total[g] for g in "SABC"] == ["1", "1", "0", "2"]
    assert [total[f"{g}割合"] for g in "SABC"] == ["25.0", "25.0", "0.0", "50.0"]
    # capped at 100: (100 + 100 + 50 + 75) / 4 = 81.25 -> 81.3, half-up once
    assert total[L.AVERAGE_RATE] == "81.3" and total[L.AVERAGE_COUNT] == "4"
    assert rows["安心して暮らせるまち"][L.TARGETS_SET] == "3"
    assert rows["安心して暮らせるまち"][L.PROJECTS_WITH_TARGETS] == "2"
    rates = {r.target.name: r.rate for r in outcome.figures.listing if r.target}
    assert rates == {
        "訓練参加者数": Decimal("125.0"),
        "交通事故件数": Decimal("100.0"),
        "待機時間": Decimal("50.0"),
        "案内所利用者数": Decimal("75.0"),
    }
    suggested = {r.target.name: r.suggested for r in outcome.figures.listing if r.target}
    assert suggested == {
        "訓練参加者数": "S",
        "交通事故件数": "A",
        "待機時間": "C",
        "案内所利用者数": "C",
    }


def test_missing_rows_are_unevaluated_not_hidden(tmp_path: Path) -> None:
    master, plan = _plan(tmp_path)
    values = {(key("101"), key("訓練参加者数")): complete_row("S", 1250)}
    submissions = submit_all(plan, 2026, tmp_path, values)
    for path in submissions.iterdir():
        if "観光課" in path.name:
            path.unlink()
    outcome = run(master, submissions, 2026, tmp_path / "out")
    total = outcome.figures.summary.rows[0]
    assert total.targets_set == 4 and total.counts == (1, 0, 0, 0) and total.ungraded == 3
    assert total.shares[0] == Decimal("100.0")
    notes = {r.target.name: r.notes for r in outcome.figures.listing if r.target}
    assert "未提出" in notes["案内所利用者数"] and "除外（エラー）" in notes["交通事故件数"]


def test_no_bundled_plan_is_named_in_the_code() -> None:
    """The plans graded per project run on what their masters say: none of their names, actors
    or hierarchy entries appears in pipeline/ (the default demo plan's NAME aside)."""
    from pipeline.demo import DEFAULT_PLAN, bundled_master, bundled_names
    from pipeline.plan import read_plan

    code = "\n".join(
        p.read_text(encoding="utf-8")
        for p in (Path(__file__).parents[1] / "pipeline").rglob("*.py")
    )
    for name in bundled_names():
        if name == DEFAULT_PLAN:
            continue
        plan = read_plan(bundled_master(name))
        words = {name, plan.plan_id, plan.name, *plan.actors, *(n.name for n in plan.nodes)}
        assert not [w for w in words if w in code], name
