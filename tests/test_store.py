"""The history store: years side by side, resubmissions, idempotent reruns, crashes, migrations."""

from __future__ import annotations

import csv
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.batch import Options, run
from pipeline.cli import main
from pipeline.errors import StoreError
from pipeline.ingest import read_submission
from pipeline.model import RunRecord
from pipeline.samples import fill_template
from pipeline.store import MIGRATIONS, SCHEMA_VERSION, TABLES, Store
from pipeline.templates import make_templates
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan
from tests.seedplan import (
    ACTUAL_FOR,
    SCOPE_OF,
    YEARS,
    copy_of_build,
    grade_plan,
    published_rows,
    seed_sheets,
)

REPO = Path(__file__).resolve().parents[1]


def _seed_year(tmp: Path, year: int) -> tuple[Path, Path]:
    return copy_of_build(tmp, ("store", year), lambda folder: _built_year(folder, year))


def _built_year(tmp: Path, year: int) -> tuple[Path, Path]:
    master, plan = write_plan(seed_sheets(), tmp)
    values = {
        (key(n), key(f"指標{seq}")): complete_row(g, ACTUAL_FOR[g])
        for (n, seq), g in grade_plan(year).items()
    }
    for project in plan.main_projects():
        for target in plan.targets_of(project.number):
            values.setdefault((key(project.number), key(target.name)), complete_row("", None))
    return master, submit_all(plan, year, tmp / str(year), values)


@pytest.fixture(scope="module")
def three_years(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """FY2017-2019 of the seed, with a wrong-year run in between: FY2019's files run as FY2018
    by mistake (typed from the command line, as the secretariat would)."""
    tmp = tmp_path_factory.mktemp("trend")
    store = tmp / "history.sqlite3"
    folders = {year: _seed_year(tmp, year) for year in YEARS}
    for year in YEARS:
        master, submissions = folders[year]
        run(master, submissions, year, tmp / f"out{year}", Options(store=store))
        if year == 2018:
            mistake = CliRunner().invoke(
                main,
                [
                    "run",
                    str(master),
                    str(folders[2019][1]),
                    "--year",
                    "H30",
                    "--out",
                    str(tmp / "mistake"),
                    "--db",
                    str(store),
                ],
            )
            (tmp / "mistake.txt").write_text(f"{mistake.exit_code}\n{mistake.output}", "utf-8")
    return tmp / "out2019", store


def test_a_wrong_year_run_names_the_year_and_is_kept_but_not_official(three_years) -> None:
    out, store = three_years
    code, output = (out.parent / "mistake.txt").read_text("utf-8").split("\n", 1)
    assert code == "1"
    assert "令和元年度（2019年度）の様式です" in output and "--year 2019" in output
    assert "正式な実行にはしていません" in output
    with Store(store) as db:
        runs = db.runs("seed", 2018)
    assert [r["正式"] for r in runs] == ["○", ""]  # the true FY2018 run stays official
    assert runs[1]["集計行数"] == 0 and "2019" in str(runs[1]["備考"])
    result = CliRunner().invoke(main, ["history", "--db", str(store), "--year", "2018"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:4] == ["年度", "実行ID", "実行日時", "正式"]
    assert len(lines) == 3 and "+09:00" not in result.output  # shown as 2025/06/30 14:05:09


def test_choosing_another_official_run_changes_the_trend_and_deletes_nothing(
    three_years, tmp_path: Path
) -> None:
    _, original = three_years
    store = tmp_path / "copy.sqlite3"
    with Store(original) as db:
        db.db.execute(f"VACUUM INTO '{store}'")
    with Store(store) as db:
        true_run, wrong_run = (int(str(r["実行ID"])) for r in db.runs("seed", 2018))
        counts = {t: db.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    args = ["history", "--db", str(store), "--year", "2018", "--official"]
    result = CliRunner().invoke(main, [*args, str(wrong_run)])
    assert result.exit_code == 0 and f"実行 {wrong_run} を" in result.output
    with Store(store) as db:
        trend_2018 = [t for t in db.trend("seed") if t.year == 2018]
        assert trend_2018 and all(sum(t.summary.counts.values()) == 0 for t in trend_2018)
    assert CliRunner().invoke(main, [*args, str(true_run)]).exit_code == 0
    with Store(store) as db:
        assert {t: db.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES} == (
            counts
        )
        assert [r["正式"] for r in db.runs("seed", 2018)] == ["○", ""]
    refused = CliRunner().invoke(main, [*args, "999"])
    assert refused.exit_code == 2 and "履歴にありません" in refused.output


def test_a_run_that_counts_nothing_does_not_replace_the_official_run(tmp_path: Path) -> None:
    master, plan = _small_plan(tmp_path)
    store = tmp_path / "h.sqlite3"
    good = submit_all(
        plan, 2024, tmp_path / "good", {(key("1-(1)-①"), key("件数")): complete_row("B", 90)}
    )
    first = run(master, good, 2024, tmp_path / "out", Options(store=store))
    assert first.recorded is not None and first.recorded.official
    bad = submit_all(
        plan, 2024, tmp_path / "bad", {(key("1-(1)-①"), key("件数")): complete_row("B", "未集計")}
    )
    second = run(master, bad, 2024, tmp_path / "out", Options(store=store))
    assert second.exit_code == 1
    assert any(f.rule == "B07" for f in second.finding_list)
    assert second.recorded is not None and second.recorded.new and not second.recorded.official
    with Store(store) as db:
        assert [r["正式"] for r in db.runs("test-plan", 2024)] == ["○", ""]
        assert float(db.past_values("test-plan", 2024)[key("1-(1)-①"), key("件数")].actual) == 90


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_trend_rows_equal_the_seeds_tables(three_years) -> None:
    out, _ = three_years
    trend = {(int(r[L.YEAR]), r[L.SCOPE]): r for r in _csv(out / "推移.csv")}
    assert len(trend) == 12
    hand_adjusted = {(2017, "全体"), (2018, "全体")}
    for row in published_rows():
        got = trend[int(row["年度"]), SCOPE_OF[row[L.SCOPE]]]
        for column in (L.TARGETS_SET, L.PROJECTS_WITH_TARGETS, "A", "B", "C"):
            assert got[column] == row[column]
        if (int(row["年度"]), row[L.SCOPE]) not in hand_adjusted:
            assert [got[f"{g}割合"] for g in "ABC"] == [row[f"{g}割合"] for g in "ABC"]
    header = (out / "推移.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header[:3] == ["年度", "区分", "コード"] and header[-3:] == [
        "未評価",
        "平均達成率",
        "平均対象数",
    ]


def test_trend_sheet_has_a_chart_and_last_years_figures_are_in_the_listing(three_years) -> None:
    out, _ = three_years
    book = load_workbook(next(out.glob("集計結果_*.xlsx")))
    assert "推移" in book.sheetnames and book["推移"]._charts
    header = [c.value for c in book["事業一覧"][1]]
    assert header.index(L.PREV_ACTUAL) + 2 == header.index(L.ACTUAL)
    listing = _csv(out / "事業一覧.csv")
    assert all(r[L.PREV_ACTUAL] for r in listing if r[L.NUMBER] == "1-(1)-1")


def test_rerunning_the_same_folder_changes_nothing(tmp_path: Path) -> None:
    master, submissions = _seed_year(tmp_path, 2019)
    store = tmp_path / "h.sqlite3"
    run(master, submissions, 2019, tmp_path / "a", Options(store=store))
    before = store.read_bytes() if not (tmp_path / "h.sqlite3-wal").exists() else None
    with Store(store) as db:
        runs = db.db.execute("SELECT count(*) FROM runs").fetchone()[0]
        results = db.db.execute("SELECT count(*) FROM results").fetchone()[0]
    run(master, submissions, 2019, tmp_path / "b", Options(store=store))
    with Store(store) as db:
        assert db.db.execute("SELECT count(*) FROM runs").fetchone()[0] == runs == 1
        assert db.db.execute("SELECT count(*) FROM results").fetchone()[0] == results
    assert before is None or before == store.read_bytes()
    for name in ("概要", "推移", "事業一覧"):
        assert (tmp_path / "a" / f"{name}.csv").read_bytes() == (
            tmp_path / "b" / f"{name}.csv"
        ).read_bytes()


def test_a_resubmission_replaces_figures_and_both_files_stay_in_the_audit_trail(
    tmp_path: Path,
) -> None:
    master, submissions = _seed_year(tmp_path, 2019)
    store = tmp_path / "h.sqlite3"
    run(master, submissions, 2019, tmp_path / "a", Options(store=store))
    first = sorted(submissions.iterdir())[0]
    with Store(store) as db:
        department = next(
            r["担当課"] for r in db.history("seed", 2019) if r["ファイル"] == first.name
        )
        row = next(r for r in db.history("seed", 2019) if r["ファイル"] == first.name)
    corrected = first.with_name("再提出_" + first.name)
    fill_template(
        first,
        corrected,
        {(key(str(row["整理番号"])), key(str(row["指標名"]))): complete_row("C", 10)},
    )
    os.utime(corrected, (time.time() + 60, time.time() + 60))
    outcome = run(master, submissions, 2019, tmp_path / "b", Options(store=store))
    assert outcome.exit_code == 0
    with Store(store) as db:
        now = next(
            r
            for r in db.history("seed", 2019, str(row["整理番号"]))
            if r["指標名"] == row["指標名"]
        )
        assert now["ファイル"] == corrected.name and now["自己評価"] == "C"
        audit = db.files("seed", 2019)
    statuses = {(a["実行ID"], a["ファイル"]): a["提出"] for a in audit if a["担当課"] == department}
    assert statuses[1, first.name] == "提出"
    assert statuses[2, first.name] == "差替え前" and statuses[2, corrected.name] == "提出"


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from pipeline import store as s
    from pipeline.batch import Options, run

    original = s.Store._insert_rows
    def slow(self, db, run_id, record):
        original(self, db, run_id, record)
        print("inside", flush=True)
        time.sleep(60)  # killed here, mid-transaction
    s.Store._insert_rows = slow
    master, folder, out, db = map(Path, sys.argv[1:5])
    run(master, folder, 2019, out, Options(store=db))
    """
)


def test_a_run_killed_midway_leaves_the_previous_figures(tmp_path: Path) -> None:
    master, submissions = _seed_year(tmp_path, 2019)
    store = tmp_path / "h.sqlite3"
    run(master, submissions, 2019, tmp_path / "a", Options(store=store))
    with Store(store) as db:
        before = db.history("seed", 2019)
    (sorted(submissions.iterdir())[0]).unlink()  # inputs differ, so the next run writes
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            _KILL_SCRIPT,
            str(master),
            str(submissions),
            str(tmp_path / "b"),
            str(store),
        ],
        stdout=subprocess.PIPE,
        cwd=REPO,
        text=True,
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "inside"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    with Store(store) as db:
        assert db.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert db.history("seed", 2019) == before
        assert db.db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1


def test_two_runs_at_once_both_land(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite3"
    jobs = []
    for year in (2018, 2019):
        master, submissions = _seed_year(tmp_path / str(year), year)
        script = (
            "import sys; from pathlib import Path; from pipeline.batch import Options, run; "
            f"run(Path(sys.argv[1]), Path(sys.argv[2]), {year}, Path(sys.argv[3]), "
            "Options(store=Path(sys.argv[4])))"
        )
        jobs.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    script,
                    str(master),
                    str(submissions),
                    str(tmp_path / f"out{year}"),
                    str(store),
                ],
                cwd=REPO,
            )
        )
    assert [job.wait(timeout=300) for job in jobs] == [0, 0]
    with Store(store) as db:
        assert db.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert sorted(r[0] for r in db.db.execute("SELECT year FROM runs")) == [2018, 2019]
        assert {t.year for t in db.trend("seed")} == {2018, 2019}


@pytest.mark.parametrize("readonly", [False, True])
@pytest.mark.parametrize("start", range(SCHEMA_VERSION))
def test_migrations_from_every_earlier_version_keep_the_data(
    tmp_path: Path, start: int, readonly: bool
) -> None:
    """Read-only, the migration happens on a copy in memory: the file keeps its bytes."""
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    for version in range(start):
        db.executescript(MIGRATIONS[version])
    db.execute(f"PRAGMA user_version={start}")
    if start >= 1:
        db.execute(
            "INSERT INTO runs (plan_id, year, run_at, master_name, master_fingerprint,"
            " tool_version) VALUES ('p', 2020, 't', 'm.xlsx', 'fp', '0')"
        )
        db.execute(
            "INSERT INTO results VALUES (1, '1-1', '件数', '件', '増加', '10', '12', '120.0',"
            " 'A', 'A課', 'a.xlsx', 'sha')"
        )
    db.commit()
    db.close()
    before = path.read_bytes()
    with Store(path, readonly=readonly) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        if start >= 1:
            assert store.past_values("p", 2020)[key("1-1"), key("件数")].rate == "120.0"
            assert store.db.execute("SELECT digest FROM runs").fetchone()[0] == ""
    if readonly:
        assert path.read_bytes() == before and list(tmp_path.iterdir()) == [path]


def test_a_newer_store_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    for readonly in (False, True):
        with pytest.raises(StoreError, match=r"新しい.*更新してください"):
            Store(path, readonly=readonly)


def _small_plan(tmp: Path, extra_project: bool = False) -> tuple[Path, object]:
    projects = [["1-(1)-①", "支援事業", "1-(1)", "A課", "", "", ""]]
    targets = [["1-(1)-①", "件数", "件", "増加", "", "100", "110"]]
    if extra_project:
        projects.append(["1-(1)-②", "新しい事業", "1-(1)", "A課", "新規", "", ""])
        targets.append(["1-(1)-②", "回数", "回", "増加", "", "", "5"])
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=projects,
        targets=targets,
        years=[2024, 2025],
    )
    return write_plan(sheets, tmp)


def test_templates_show_last_years_figures_and_read_back_cleanly(tmp_path: Path) -> None:
    master, plan = _small_plan(tmp_path)
    store = tmp_path / "h.sqlite3"
    submissions = submit_all(
        plan, 2024, tmp_path / "y1", {(key("1-(1)-①"), key("件数")): complete_row("B", 90)}
    )
    run(master, submissions, 2024, tmp_path / "out1", Options(store=store))
    [path] = make_templates(master, 2025, tmp_path / "t2025", store).paths
    sheet = load_workbook(path)[L.PROGRESS_SHEET]
    header = {c.value: c.column_letter for c in sheet[6] if c.value}
    assert sheet[f"{header[L.PREV_ACTUAL]}7"].value == 90
    assert sheet[f"{header[L.PREV_RATE]}7"].value == 90
    filled = fill_template(
        path,
        tmp_path / "in2025" / path.name,
        {(key("1-(1)-①"), key("件数")): complete_row("A", 115)},
    )
    assert read_submission(filled, filled.parent).findings == ()


def test_a_plan_change_between_years_is_visible_in_the_trend(tmp_path: Path) -> None:
    master, plan = _small_plan(tmp_path / "a")
    store = tmp_path / "h.sqlite3"
    submissions = submit_all(
        plan, 2024, tmp_path / "y1", {(key("1-(1)-①"), key("件数")): complete_row("B", 90)}
    )
    run(master, submissions, 2024, tmp_path / "out1", Options(store=store))
    changed, plan2 = _small_plan(tmp_path / "b", extra_project=True)
    values = {
        (key("1-(1)-①"), key("件数")): complete_row("A", 120),
        (key("1-(1)-②"), key("回数")): complete_row("A", 5),
    }
    run(
        changed,
        submit_all(plan2, 2025, tmp_path / "y2", values),
        2025,
        tmp_path / "out2",
        Options(store=store),
    )
    sheet = load_workbook(tmp_path / "out2" / "集計結果_test-plan_2025年度.xlsx")["推移"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4) if r[0].value]
    header, body = rows[0], rows[1:]
    totals = [r for r in body if r[header.index(L.SCOPE)] == L.TOTAL]
    assert [r[header.index(L.TARGETS_SET)] for r in totals] == [1, 2]
    assert "現行と異なる" in totals[0][header.index(L.MASTER_VERSION)]
    assert "現行と異なる" not in totals[1][header.index(L.MASTER_VERSION)]


def test_history_and_export_commands(tmp_path: Path) -> None:
    master, plan = _small_plan(tmp_path)
    store = tmp_path / "h.sqlite3"
    submissions = submit_all(
        plan, 2024, tmp_path / "y1", {(key("1-(1)-①"), key("件数")): complete_row("B", 90)}
    )
    run(master, submissions, 2024, tmp_path / "out1", Options(store=store))
    result = CliRunner().invoke(main, ["history", "--db", str(store), "--project", "1-(1)-①"])
    assert (
        result.exit_code == 0
        and "進捗状況_A課_2024年度.xlsx" in result.output
        and "90" in result.output
    )
    result = CliRunner().invoke(
        main, ["export", "--db", str(store), "--out", str(tmp_path / "csv")]
    )
    assert result.exit_code == 0
    assert {p.name for p in (tmp_path / "csv").iterdir()} == {
        ".shinchoku",  # what the export wrote, so that it may replace them and nothing else
        "runs.csv",
        "submissions.csv",
        "findings.csv",
        "results.csv",
        "summaries.csv",
    }


def test_history_without_a_plan_asks_for_one_when_the_store_has_none(tmp_path: Path) -> None:
    store = tmp_path / "empty.sqlite3"
    Store(store).close()
    result = CliRunner().invoke(main, ["history", "--db", str(store)])
    assert result.exit_code == 2
    assert "--plan で計画IDを指定してください（記録: なし）" in result.output


def test_export_writes_as_every_csv_file_is_written_formulas_kept_as_text(
    tmp_path: Path,
) -> None:
    """The store's export goes through report/csvout: a recorded value that looks like a
    formula is written with a leading ' so that Excel shows it, never runs it."""
    store = tmp_path / "h.sqlite3"
    finding = ("a.xlsx", L.PROGRESS_SHEET, "H7", "1", "V01", L.ERROR, "=1+1", "数値ではありません")
    record = RunRecord(
        "p", 2024, "2025-06-30T17:00:00+09:00", "m.xlsx", "f", "0", "d", [], [finding], [], []
    )
    with Store(store) as db:
        db.record_run(record)
    with Store(store) as db:
        paths = db.export(tmp_path / "csv")
    data = (tmp_path / "csv" / "findings.csv").read_bytes()
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    assert "'=1+1" in data.decode("utf-8-sig") and len(paths) == 5
