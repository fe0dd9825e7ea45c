"""The batch's own findings: the secretariat's mistakes named once, one explanation per mistake,
and times in Japan time whatever the machine's zone."""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.batch import Options, run, validate
from pipeline.cli import main
from pipeline.samples import fill_template
from pipeline.templates import template_path, write_templates
from pipeline.text import key
from tests.builders import complete_row, master_sheets, write_plan


@pytest.fixture()
def plan_folder(tmp_path: Path) -> tuple[Path, Path, Path]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-①", "支援事業", "1-(1)", "A課", "", "", ""],
            ["1-(1)-②", "対話事業", "1-(1)", "A課", "", "", ""],
        ],
        targets=[
            ["1-(1)-①", "件数", "件", "増加", "", "100", "100"],
            ["1-(1)-②", "回数", "回", "増加", "", "10", "10"],
        ],
        years=[2024, 2025],
    )
    master, plan = write_plan(sheets, tmp_path)
    write_templates(plan, 2024, tmp_path / "t")
    write_templates(plan, 2025, tmp_path / "t")
    return master, tmp_path / "t", tmp_path / "提出"


def _fill(templates: Path, submissions: Path, year: int, target: str = "100") -> Path:
    return fill_template(
        template_path(templates, "A課", year),
        template_path(submissions, "A課", year),
        {
            (key("1-(1)-①"), key("件数")): complete_row("A", 120),
            (key("1-(1)-②"), key("回数")): complete_row("A", 12),
        },
    )


def _rules(findings: object) -> list[str]:
    return [f.rule for f in findings]  # type: ignore[attr-defined]


def test_an_empty_submissions_folder_is_one_error(plan_folder, tmp_path: Path) -> None:
    master, _, submissions = plan_folder
    submissions.mkdir()
    (submissions / "メモ.txt").write_text("まだ届いていない", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["run", str(master), str(submissions), "--year", "2024", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1
    assert "Excel ブック（.xlsx・.xlsm・.xls）が1件もありません" in result.output
    outcome = validate(master, submissions, 2024, tmp_path / "v")
    assert [r for r in _rules(outcome.finding_list) if r != "F15"] == ["B06"]  # no B01 each


def test_files_of_another_year_name_the_likely_year(plan_folder, tmp_path: Path) -> None:
    master, templates, submissions = plan_folder
    _fill(templates, submissions, 2025)
    outcome = validate(master, submissions, 2024, tmp_path / "v")
    mistakes = [f for f in outcome.finding_list if f.rule == "B05"]
    assert len(mistakes) == 1 and mistakes[0].severity == L.ERROR
    assert "--year 2025" in mistakes[0].message and "令和7年度（2025年度）" in mistakes[0].message
    assert "B01" not in _rules(outcome.finding_list)
    assert outcome.exit_code == 1 and outcome.other_year == 2025
    assert not (tmp_path / "v" / L.FEEDBACK_SHEET).exists()  # nothing to send to departments


def test_a_row_rejected_for_an_edited_target_is_not_also_missing(
    plan_folder, tmp_path: Path
) -> None:
    master, templates, submissions = plan_folder
    path = _fill(templates, submissions, 2024)
    book = load_workbook(path)
    sheet = book[L.PROGRESS_SHEET]
    header = {c.value: c.column_letter for c in sheet[6] if c.value}
    sheet[f"{header[L.TARGET]}7"] = 50  # 目標値 edited: the row is rejected (I01)
    book.save(path)
    outcome = validate(master, submissions, 2024, tmp_path / "v")
    rules = _rules(outcome.finding_list)
    assert "I01" in rules and "B02" not in rules
    assert outcome.rows_counted == 1


def test_nothing_counted_is_an_error(plan_folder, tmp_path: Path) -> None:
    master, templates, submissions = plan_folder
    fill_template(
        template_path(templates, "A課", 2024),
        template_path(submissions, "A課", 2024),
        {(key("1-(1)-①"), key("件数")): complete_row("A", "未集計")},
    )
    outcome = validate(master, submissions, 2024, tmp_path / "v")
    assert "B07" in _rules(outcome.finding_list) and outcome.exit_code == 1


def test_a_department_workbook_given_as_master_is_named(plan_folder, tmp_path: Path) -> None:
    _, templates, _ = plan_folder
    wrong = template_path(templates, "A課", 2024)
    result = CliRunner().invoke(
        main, ["templates", str(wrong), "--year", "2024", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert result.output.count("[M") == 1 and "進捗状況シート" in result.output
    assert "計画マスタではありません" in result.output


@pytest.fixture()
def new_york(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The machine's zone is New York (UTC-5/-4): nothing shown may follow it."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_times_are_japan_time_whatever_the_machines_zone(
    new_york, plan_folder, tmp_path: Path
) -> None:
    master, templates, submissions = plan_folder
    path = _fill(templates, submissions, 2024)
    from pipeline.samples import set_saved_time

    set_saved_time(path, datetime(2025, 6, 30, 5, 5, 9))  # docProps keep UTC: 14:05:09 in Japan
    store = tmp_path / "h.sqlite3"
    out = tmp_path / "o"
    outcome = run(master, submissions, 2024, out, Options(store=store))
    assert outcome.exit_code == 0
    book = load_workbook(next(out.glob("集計結果_*.xlsx")))
    shown = [str(c.value) for row in book[L.SUMMARY_SHEET].iter_rows() for c in row if c.value]
    run_line = next(v for v in shown if v.startswith("集計日時"))
    now_japan = time.gmtime(time.time() + 9 * 3600)
    assert run_line.startswith(f"集計日時: {time.strftime('%Y/%m/%d %H', now_japan)}")
    assert len(run_line.split(" ")[-1]) == len("14:05:09")
    status = [[c.value for c in row] for row in book[L.STATUS_SHEET].iter_rows()]
    assert any("2025/06/30 14:05:09" in [str(v) for v in row] for row in status)
    db = sqlite3.connect(store)
    (run_at,) = db.execute("SELECT run_at FROM runs").fetchone()
    (saved_at,) = db.execute("SELECT saved_at FROM submissions WHERE sha256 != ''").fetchone()
    db.close()
    assert run_at.endswith("+09:00") and saved_at == "2025-06-30T14:05:09+09:00"


def test_a_committee_workbook_given_as_master_is_named(plan_folder, tmp_path: Path) -> None:
    master, templates, submissions = plan_folder
    _fill(templates, submissions, 2024)
    outcome = run(master, submissions, 2024, tmp_path / "o")
    from pipeline.plan import PlanError, read_plan

    with pytest.raises(PlanError) as raised:
        read_plan(outcome.outputs[0])
    [only] = raised.value.findings
    assert only.rule == "M10" and "委員会向けの集計結果ブック" in only.message
