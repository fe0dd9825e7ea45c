"""The history store driven directly with run records: what `shinchoku history`, `export`, the
推移 sheet and last year's columns read back, exactly. Fast (no batch run), so that `make mutate`
can run them for every mutant of store.py."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.errors import StoreError
from pipeline.model import FileRecord, PastResult, ResultRecord, RunRecord, SummaryRecord
from pipeline.store import MIGRATIONS, SCHEMA_VERSION, TABLES, Store, migrate
from pipeline.text import key

SUMMARY = (
    SummaryRecord("全体", "", 3, 2, {"A": 2, "B": 1}, {"A": "66.7", "B": "33.3"}, 1, "95.5", 3),
    SummaryRecord("分野一", "1", 1, 1, {"済": 1, "未": 0}, {"済": "100.0", "未": "0.0"}, 0, "", 0),
)
FILES = (
    FileRecord("A課", "提出", "A課/進捗_A課.xlsx", "aaa", "2025-06-30T01:00:00+00:00", 3, 2, 1),
    FileRecord("A課", "差替え前", "A課/旧_A課.xlsx", "bbb", "2025-06-29T23:30:00Z", 3, 0, 0),
    FileRecord("B課", "未提出", "", "", "", None, None, None),
)
RESULTS = (
    ResultRecord(
        "1-(1)-①", "件数", "件", "増加", "110", "90", "81.8", "B", "A課", "A課/進捗_A課.xlsx", "aaa"
    ),
    ResultRecord(
        "1-(1)-②", "満足度", "%", "増加", "80", "", "", "", "A課", "A課/進捗_A課.xlsx", "aaa"
    ),
)
FINDINGS = (("A課/進捗_A課.xlsx", "進捗状況", "H8", "1-(1)-②", "V01", "エラー", "abc", "数値で"),)


def record(
    year: int = 2024,
    digest: str = "d1",
    plan_id: str = "plan",
    rows_counted: int = 2,
    other_year: int | None = None,
    summary: tuple[SummaryRecord, ...] = SUMMARY,
    run_at: str = "2025-06-30T05:05:09+00:00",
    fingerprint: str = "fp1",
) -> RunRecord:
    return RunRecord(
        plan_id=plan_id,
        year=year,
        run_at=run_at,
        master_name="計画マスタ.xlsx",
        master_fingerprint=fingerprint,
        tool_version="0.1.0",
        digest=digest,
        files=FILES,
        findings=FINDINGS,
        results=RESULTS,
        summary=summary,
        rows_counted=rows_counted,
        other_year=other_year,
    )


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path / "h.sqlite3") as opened:
        yield opened


def test_a_recorded_run_is_listed_with_its_files_rows_and_japan_time(store: Store) -> None:
    first = store.record_run(record())
    assert (first.run_id, first.new, first.official, first.note) == (1, True, True, "")
    assert first.previous_official is None
    assert store.runs("plan", 2024) == [
        {
            "年度": 2024,
            "実行ID": 1,
            "実行日時": "2025/06/30 14:05:09",
            "正式": "○",
            "ファイル数": 2,  # the 未提出 department has no file
            "使用ファイル数": 1,  # the superseded file is not used
            "集計行数": 2,
            "計画マスタ": "計画マスタ.xlsx",
            "備考": "",
        }
    ]
    assert store.official_run("plan", 2024) == (1, 2)
    assert store.official_run("plan", 2023) is None
    assert store.official_run("other", 2024) is None


def test_runs_are_listed_per_plan_and_year_oldest_first(store: Store) -> None:
    store.record_run(record(year=2024, digest="x"))
    store.record_run(record(year=2023, digest="y"))
    store.record_run(record(year=2024, digest="z", plan_id="other"))
    store.record_run(record(year=2024, digest="w"))
    assert [(r["年度"], r["実行ID"], r["正式"]) for r in store.runs("plan")] == [
        (2023, 2, "○"),
        (2024, 1, ""),
        (2024, 4, "○"),
    ]
    assert [r["実行ID"] for r in store.runs("plan", 2023)] == [2]
    assert [r["実行ID"] for r in store.runs("other")] == [3]


def test_the_same_inputs_again_record_nothing(store: Store) -> None:
    store.record_run(record())
    again = store.record_run(record(run_at="2025-07-01T00:00:00+00:00"))
    assert (again.run_id, again.new, again.official, again.previous_official) == (1, False, True, 1)
    counts = {t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}
    assert counts == {"runs": 1, "submissions": 3, "findings": 1, "results": 2, "summaries": 2}
    # only the latest run's digest counts: going back to earlier inputs records a run again
    store.record_run(record(digest="d2"))
    back = store.record_run(record(digest="d1"))
    assert (back.run_id, back.new, back.official, back.previous_official) == (3, True, True, 2)


def test_an_unchanged_rerun_of_the_only_run_not_official_records_nothing(store: Store) -> None:
    store.record_run(record(digest="wrong", other_year=2025))
    again = store.record_run(record(digest="wrong", other_year=2025))
    assert (again.run_id, again.new, again.official, again.previous_official) == (
        1,
        False,
        False,
        None,
    )


def test_a_store_in_a_folder_not_yet_made_is_created_with_its_folders(tmp_path: Path) -> None:
    path = tmp_path / "履歴" / "2024年度" / "h.sqlite3"
    with Store(path) as opened:
        opened.record_run(record())
    with Store(path) as opened:
        assert opened.official_run("plan", 2024) == (1, 2)


def test_an_unchanged_rerun_of_a_run_that_is_not_official_says_so(store: Store) -> None:
    store.record_run(record(digest="good"))
    store.record_run(record(digest="empty", rows_counted=0))
    again = store.decide(record(digest="empty", rows_counted=0))
    assert (again.run_id, again.new, again.official, again.previous_official) == (
        2,
        False,
        False,
        1,
    )


def test_a_later_run_becomes_official_and_the_earlier_stays(store: Store) -> None:
    store.record_run(record(digest="a"))
    second = store.record_run(record(digest="b", rows_counted=5))
    assert (second.run_id, second.official, second.previous_official) == (2, True, 1)
    assert [r["正式"] for r in store.runs("plan", 2024)] == ["", "○"]
    assert store.official_run("plan", 2024) == (2, 5)
    store.record_run(record(year=2025, digest="c"))  # another year leaves 2024 alone
    assert [r["正式"] for r in store.runs("plan", 2024)] == ["", "○"]


def test_a_run_mostly_of_another_year_is_kept_but_not_official(store: Store) -> None:
    store.record_run(record(year=2018, digest="a"))
    wrong = store.record_run(record(year=2018, digest="b", other_year=2019, rows_counted=0))
    assert wrong.new and not wrong.official and wrong.run_id == 2
    assert wrong.note == "提出ファイルの多くが令和元年度（2019年度）のもの"
    assert [(r["正式"], r["備考"]) for r in store.runs("plan", 2018)] == [
        ("○", ""),
        ("", "提出ファイルの多くが令和元年度（2019年度）のもの"),
    ]
    # even as the first run of its year, and even when it counted rows
    first = store.record_run(record(year=2020, digest="c", other_year=2021, rows_counted=7))
    assert not first.official and store.official_run("plan", 2020) is None


def test_a_run_that_counted_nothing_replaces_only_an_official_run_that_counted_nothing(
    store: Store,
) -> None:
    store.record_run(record(digest="a", rows_counted=1))
    empty = store.record_run(record(digest="b", rows_counted=0))
    assert not empty.official and empty.note == "集計できた行がない"
    assert store.official_run("plan", 2024) == (1, 1)
    # a first run counting nothing is official: there is nothing better
    alone = store.record_run(record(year=2030, digest="c", rows_counted=0))
    assert alone.official and alone.note == ""
    again = store.record_run(record(year=2030, digest="d", rows_counted=0))
    assert again.official and store.official_run("plan", 2030) == (4, 0)


def test_choosing_the_official_run_by_hand(store: Store) -> None:
    store.record_run(record(digest="a"))
    store.record_run(record(digest="b"))
    store.record_run(record(year=2025, digest="c"))
    store.make_official("plan", 2024, 1)
    assert [r["正式"] for r in store.runs("plan")] == ["○", "", "○"]
    assert store.past_values("plan", 2024) and store.official_run("plan", 2024) == (1, 2)
    for year, run_id in ((2024, 9), (2024, 3), (2025, 1)):  # unknown, or of another year
        with pytest.raises(StoreError) as refused:
            store.make_official("plan", year, run_id)
        assert str(refused.value) == (
            f"{'令和6年度（2024年度）' if year == 2024 else '令和7年度（2025年度）'}の実行 {run_id}"
            " は履歴にありません。「shinchoku history --year」で実行IDを確認してください。"
        )
    with pytest.raises(StoreError):
        store.make_official("other", 2024, 1)
    assert [r["正式"] for r in store.runs("plan")] == ["○", "", "○"]


def test_trend_reads_back_every_summary_of_the_official_runs(store: Store) -> None:
    later = (SUMMARY[0],)
    store.record_run(record(year=2025, digest="a", summary=later, fingerprint="fp2"))
    store.record_run(record(year=2024, digest="b"))
    store.record_run(record(year=2024, digest="c", rows_counted=0))  # not official
    store.record_run(record(plan_id="other", digest="d"))
    trend = store.trend("plan")
    assert [(t.year, t.master_fingerprint, t.summary.scope) for t in trend] == [
        (2024, "fp1", "全体"),
        (2024, "fp1", "分野一"),
        (2025, "fp2", "全体"),
    ]
    assert trend[0].summary == SUMMARY[0]  # counts and shares as dicts, 平均達成率 as text
    assert trend[1].summary == SUMMARY[1]  # a blank 平均達成率 stays ''
    pending = record(year=2025, digest="e", summary=SUMMARY, fingerprint="fp3")
    with_pending = store.trend("plan", pending)
    assert [(t.year, t.master_fingerprint, t.summary.code) for t in with_pending] == [
        (2024, "fp1", ""),
        (2024, "fp1", "1"),
        (2025, "fp3", ""),
        (2025, "fp3", "1"),
    ]
    new_year = store.trend("plan", record(year=2023, digest="f", summary=later))
    assert [t.year for t in new_year] == [2023, 2024, 2024, 2025]
    assert store.trend("nothing") == []


def test_a_null_average_rate_reads_back_as_blank(store: Store) -> None:
    summary = (SummaryRecord("全体", "", 0, 0, {}, {}, 0, None, 0),)  # type: ignore[arg-type]
    store.record_run(record(summary=summary))
    assert store.trend("plan")[0].summary.average_rate == ""


def test_last_years_values_come_from_the_official_run_by_matching_keys(store: Store) -> None:
    store.record_run(record(digest="a"))
    assert store.past_values("plan", 2024) == {
        (key("1-(1)-①"), "件数"): PastResult("90", "81.8"),
        (key("1-(1)-②"), "満足度"): PastResult("", ""),
    }
    assert store.past_values("plan", 2023) == {}
    assert store.past_values("other", 2024) == {}
    changed = (
        ResultRecord("１－（１）－①", "件数 ", "件", "増加", "", "95", "86.4", "B", "", "", ""),
    )
    store.record_run(RunRecord(**{**record(digest="b").__dict__, "results": changed}))
    past = store.past_values("plan", 2024)
    assert past == {(key("1-(1)-①"), "件数"): PastResult("95", "86.4")}


def test_history_names_each_figures_file_and_times_in_japan_time(store: Store) -> None:
    store.record_run(record(digest="a"))
    store.record_run(record(digest="b"))
    store.record_run(record(year=2025, digest="c"))
    rows = store.history("plan", 2024)
    assert [r["実行ID"] for r in rows] == [2, 2]  # the official run only
    assert rows[0] == {
        "年度": 2024,
        "実行ID": 2,
        "実行日時": "2025/06/30 14:05:09",
        "整理番号": "1-(1)-①",
        "指標名": "件数",
        "実績値": "90",
        "達成率": "81.8",
        "自己評価": "B",
        "担当課": "A課",
        "ファイル": "A課/進捗_A課.xlsx",
        "SHA256": "aaa",
        "保存日時": "2025/06/30 10:00:00",
    }
    assert [r["実行ID"] for r in store.history("plan", 2024, every_run=True)] == [1, 1, 2, 2]
    typed = "１－（１）－②"  # as typed on a Japanese keyboard
    assert [
        (r["年度"], r["実行ID"], r["整理番号"]) for r in store.history("plan", number=typed)
    ] == [
        (2024, 2, "1-(1)-②"),
        (2025, 3, "1-(1)-②"),
    ]
    assert [r["実行ID"] for r in store.history("plan", 2025)] == [3, 3]  # after 2024's rows
    everything = store.history("plan", every_run=True)
    assert [r["年度"] for r in everything] == [2024] * 4 + [2025] * 2
    assert store.history("other") == []


def test_a_figure_whose_file_is_not_in_the_run_has_no_saved_time(store: Store) -> None:
    orphan = (ResultRecord("1", "件数", "件", "増加", "", "1", "", "", "A課", "gone.xlsx", ""),)
    store.record_run(RunRecord(**{**record().__dict__, "results": orphan}))
    [row] = store.history("plan")
    assert row["ファイル"] == "gone.xlsx" and row["保存日時"] == ""


def test_the_audit_trail_lists_every_file_of_every_run_of_the_year(store: Store) -> None:
    store.record_run(record(digest="a"))
    store.record_run(record(year=2025, digest="b"))
    store.record_run(record(digest="c", run_at="2025-07-01T00:00:00Z"))
    audit = store.files("plan", 2024)
    assert [(a["実行ID"], a["提出"], a["ファイル"]) for a in audit] == [
        (1, "提出", "A課/進捗_A課.xlsx"),
        (1, "差替え前", "A課/旧_A課.xlsx"),
        (1, "未提出", ""),
        (3, "提出", "A課/進捗_A課.xlsx"),
        (3, "差替え前", "A課/旧_A課.xlsx"),
        (3, "未提出", ""),
    ]
    assert audit[1] == {
        "実行ID": 1,
        "実行日時": "2025/06/30 14:05:09",
        "担当課": "A課",
        "提出": "差替え前",
        "ファイル": "A課/旧_A課.xlsx",
        "SHA256": "bbb",
        "保存日時": "2025/06/30 08:30:00",
    }
    assert audit[3]["実行日時"] == "2025/07/01 09:00:00" and audit[2]["保存日時"] == ""
    assert store.files("other", 2024) == []


def test_export_writes_every_table_as_excel_readable_csv(store: Store, tmp_path: Path) -> None:
    store.record_run(record())
    out = tmp_path / "csv"
    out.mkdir()
    paths = store.export(out)
    assert paths == [out / f"{t}.csv" for t in TABLES]
    runs = (out / "runs.csv").read_bytes()
    assert runs.startswith("\ufeffid,plan_id,year,run_at,".encode())  # BOM: Excel reads UTF-8
    assert runs.endswith(b"\r\n") and b"\r\n" in runs.rstrip(b"\r\n")
    header, line = runs.decode("utf-8-sig").split("\r\n")[:2]
    assert header.split(",")[-4:] == ["digest", "official", "rows_counted", "note"]
    assert line == "1,plan,2024,2025-06-30T05:05:09+00:00,計画マスタ.xlsx,fp1,0.1.0,d1,1,2,"
    text = (out / "submissions.csv").read_bytes().decode("utf-8-sig")
    assert text.split("\r\n")[3] == "1,B課,未提出,,,,,,"
    assert text.count("\r\n") == 4 and "\n" not in text.replace("\r\n", "")
    summaries = (out / "summaries.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert summaries[1].startswith('1,0,全体,,3,2,"{""A"": 2, ""B"": 1}",')
    assert summaries[2].startswith('1,1,分野一,1,1,1,"{""済"": 1, ""未"": 0}",')  # kanji as such


def test_store_connection_waits_for_a_busy_store_and_keeps_a_journal(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3", timeout=2.5) as opened:
        assert opened.db.execute("PRAGMA busy_timeout").fetchone()[0] == 2500
        assert opened.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert opened.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        with pytest.raises(sqlite3.IntegrityError):  # a figure of a run that does not exist
            opened.db.execute(
                "INSERT INTO summaries VALUES (99, 0, '', '', 0, 0, '', '', 0, '', 0)"
            )
    with Store(tmp_path / "h2.sqlite3") as opened:
        assert opened.db.execute("PRAGMA busy_timeout").fetchone()[0] == 30000


def test_a_store_in_use_is_named_and_the_run_waits_no_longer_than_its_timeout(
    tmp_path: Path,
) -> None:
    path = tmp_path / "h.sqlite3"
    with Store(path) as first, Store(path, timeout=0.05) as second:
        first.db.execute("BEGIN IMMEDIATE")
        with pytest.raises(StoreError) as busy:
            second.record_run(record())
        assert str(busy.value) == (
            f"履歴ファイル「{path}」は別の処理が使用中です。しばらく待ってから再実行してください。"
        )
        first.db.execute("ROLLBACK")
        assert second.record_run(record()).run_id == 1


def test_a_failed_run_leaves_nothing_half_written(store: Store) -> None:
    store.record_run(record(digest="a"))
    broken = RunRecord(**{**record(digest="b").__dict__, "results": (RESULTS[0], RESULTS[0])})
    with pytest.raises(StoreError):  # the same target twice: the transaction is undone
        store.record_run(broken)
    assert [r["正式"] for r in store.runs("plan")] == ["○"]
    assert store.db.execute("SELECT count(*) FROM submissions").fetchone()[0] == 3
    assert store.record_run(record(digest="c")).run_id == 2  # usable afterwards


def test_a_file_that_is_not_a_store_is_refused_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError) as refused:
        Store(path)
    message = str(refused.value)
    assert message.startswith(
        f"履歴ファイル「{path}」は壊れているか、履歴ファイル（SQLite）ではありません。"
    )
    assert message.endswith("バックアップから戻すか、--db で別のファイルを指定してください。")


def test_a_store_that_cannot_be_created_says_where_and_what_to_do(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    for path in (blocker / "h.sqlite3", tmp_path / "folder.sqlite3"):
        if path.suffix and path.parent == tmp_path:
            path.mkdir()  # a folder where the file should be
        with pytest.raises(StoreError) as refused:
            Store(path)
        message = str(refused.value)
        assert message.startswith(f"履歴ファイル「{path}」を開けません（")
        assert message.endswith(
            "）。フォルダの書き込み権限を確認するか、--db で別の場所を指定してください。"
        )
        assert "（）" not in message  # the reason is given


def test_a_newer_store_names_both_versions(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 2}")
    db.close()
    with pytest.raises(StoreError) as refused:
        Store(path)
    assert str(refused.value) == (
        f"履歴ファイルの版（{SCHEMA_VERSION + 2}）がこの shinchoku の版（{SCHEMA_VERSION}）より"
        "新しいため開けません。shinchoku を更新してください。"
    )
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 2  # untouched
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    db.close()


def test_migrating_a_store_of_the_first_version_keeps_runs_and_picks_the_latest_as_official(
    tmp_path: Path,
) -> None:
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("PRAGMA user_version=1")
    for plan, year in (("p", 2020), ("p", 2020), ("p", 2021), ("q", 2020)):
        db.execute(
            "INSERT INTO runs (plan_id, year, run_at, master_name, master_fingerprint,"
            " tool_version) VALUES (?, ?, '2021-06-01T00:00:00Z', 'm.xlsx', 'fp', '0')",
            (plan, year),
        )
    for run_id, counted in ((1, 4), (2, 3), (2, 2), (3, None)):
        db.execute(
            "INSERT INTO submissions VALUES (?, '課', '提出', 'a.xlsx', 's', '', 1, ?, 0)",
            (run_id, counted),
        )
    db.commit()
    db.close()
    with Store(path) as store:
        assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
        assert [(r["実行ID"], r["正式"], r["集計行数"]) for r in store.runs("p")] == [
            (1, "", 4),
            (2, "○", 5),
            (3, "○", 0),
        ]
        assert [r["正式"] for r in store.runs("q")] == ["○"]
        assert store.db.execute("SELECT digest, note FROM runs WHERE id=1").fetchone() == ("", "")
        assert migrate(store.db) == SCHEMA_VERSION  # a current store: nothing to do


def test_a_failed_migration_leaves_the_store_at_its_version(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute("CREATE TABLE summaries (x)")  # in the way of migration 2
    db.execute("PRAGMA user_version=1")
    db.commit()
    db.close()
    with pytest.raises(StoreError):
        Store(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    assert "digest" not in [c[1] for c in db.execute("PRAGMA table_info(runs)")]
    db.close()


def test_what_a_run_keeps_in_the_store(tmp_path: Path) -> None:
    """A real run of a small plan: its record has the plan, Japan time, the master's name, one
    line per file (saved time in Japan time, rows read/counted/rejected), every finding, the
    figures of each counted target as plain decimal text with its file and hash, and the
    summary; rerunning the same folder gives the same digest, another rounding another one."""
    from datetime import datetime

    from pipeline import __version__
    from pipeline.batch import Options, run
    from pipeline.store import record_text
    from tests.builders import complete_row, master_sheets, submit_all, write_plan

    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-1", "事業一", "1-(1)", "A課", "", "", ""],
            ["1-(1)-2", "事業二", "1-(1)", "B課", "", "", ""],
            ["1-(1)-3", "事業一", "1-(1)", "", "", "1-(1)-1", ""],  # a re-listing: not kept
        ],
        targets=[
            ["1-(1)-1", "件数", "件", "増加", "", "300"],
            ["1-(1)-1", "満足度", "%", "減少", "50", "40"],
            ["1-(1)-2", "回数", "回", "増加", "", "10"],
        ],
        years=[2024],
    )
    master, plan = write_plan(sheets, tmp_path)
    values = {
        (key("1-(1)-1"), key("件数")): complete_row("B", 250),
        (key("1-(1)-1"), key("満足度")): complete_row("A", "45.5"),
    }
    submissions = submit_all(plan, 2024, tmp_path, values)
    (submissions / "進捗状況_B課_2024年度.xlsx").unlink()
    db = tmp_path / "h.sqlite3"
    at = datetime(2025, 6, 1, 9, 0)
    run(master, submissions, 2024, tmp_path / "out", Options(store=db, workers=1), run_at=at)
    with Store(db) as opened:
        [files] = [opened.files(plan.plan_id, 2024)]
        runs = opened.db.execute("SELECT * FROM runs").fetchall()
        results = opened.db.execute("SELECT * FROM results").fetchall()
        summaries = opened.db.execute("SELECT * FROM summaries").fetchall()
        findings = opened.db.execute("SELECT rule, file, cell FROM findings").fetchall()
        submissions_rows = opened.db.execute("SELECT * FROM submissions").fetchall()
    [(_, plan_id, year, run_at, master_name, fingerprint, version, digest, *rest)] = runs
    assert (plan_id, year, run_at, master_name) == (
        "test-plan",
        2024,
        "2025-06-01T09:00:00+09:00",
        "計画マスタ.xlsx",
    )
    assert (fingerprint, version, rest) == (plan.fingerprint, __version__, [1, 2, ""])
    assert len(digest) == 64
    sha = next(f["SHA256"] for f in files if f["担当課"] == "A課")
    assert len(sha) == 64
    [a_file, b_file] = submissions_rows
    assert a_file[1:4] == ("A課", "提出", "進捗状況_A課_2024年度.xlsx") and a_file[4] == sha
    assert a_file[5].endswith("+09:00") and a_file[6:] == (2, 2, 0)
    assert b_file[1:] == ("B課", "未提出", "", "", "", None, None, None)
    source = ("A課", "進捗状況_A課_2024年度.xlsx", sha)
    assert results == [
        (1, "1-(1)-1", "件数", "件", "増加", "300", "250", "83.3", "B", *source),
        (1, "1-(1)-1", "満足度", "%", "減少", "40", "45.5", "45.0", "A", *source),
    ]
    counts = ('{"A": 1, "B": 1, "C": 0}', '{"A": "50.0", "B": "50.0", "C": "0.0"}', 1, "64.2", 2)
    assert [(r[2], r[4], *r[6:]) for r in summaries] == [
        ("全体", 3, *counts),
        ("分野一", 3, *counts),
    ]
    assert ("B01", "", "") in findings and ("C01", "進捗状況_A課_2024年度.xlsx", "J8") in findings
    assert len(findings) == 2
    # the same inputs again: nothing new; another rounding: a new run
    run(master, submissions, 2024, tmp_path / "again", Options(store=db, workers=1), run_at=at)
    options = Options(store=db, workers=1, percent="largest-remainder")
    run(master, submissions, 2024, tmp_path / "other", options, run_at=at)
    with Store(db) as opened:
        digests = [r[0] for r in opened.db.execute("SELECT digest FROM runs ORDER BY id")]
    assert len(digests) == 2 and digests[0] == digest and digests[1] != digest
    assert record_text(None) == "" and record_text(Decimal("1E+2")) == "100"


def test_values_kept_before_they_were_spelled_as_the_csv_files_are_shown_so(
    store: Store, tmp_path: Path
) -> None:
    """A store written before session 11 kept a value read as a float as `529.0`; history and
    the export show it as 事業一覧.csv does (529), a text result and an empty one as they are."""
    kept = (
        ResultRecord("1", "件数", "件", "増加", "600.0", "529.0", "88.2", "B", "A課", "a.xlsx", ""),
        ResultRecord("2", "状況", "", "", "", "実施済み", "", "A", "A課", "a.xlsx", ""),
        ResultRecord("3", "率", "%", "増加", "12.50", "", "", "", "A課", "a.xlsx", ""),
    )
    store.record_run(RunRecord(**{**record().__dict__, "results": kept}))
    assert [r["実績値"] for r in store.history("plan")] == ["529", "実施済み", ""]
    assert [r["達成率"] for r in store.history("plan")] == ["88.2", "", ""]  # rates as kept
    out = tmp_path / "csv"
    store.export(out)
    lines = (out / "results.csv").read_bytes().decode("utf-8-sig").split("\r\n")
    assert ",600,529,88.2,B," in lines[1] and ",,実施済み,,A," in lines[2]
    assert ",12.5,,,," in lines[3]


def test_export_never_replaces_a_file_it_did_not_write(store: Store, tmp_path: Path) -> None:
    """runs.csv, results.csv, … are common names: a user's file of that name in the folder
    stops the export before anything is written; the export's own files are replaced."""
    from pipeline.errors import OverwriteError

    store.record_run(record())
    out = tmp_path / "csv"
    out.mkdir()
    (out / "runs.csv").write_text("my precious data", encoding="utf-8")
    with pytest.raises(OverwriteError, match=r"runs\.csv"):
        store.export(out)
    assert sorted(p.name for p in out.iterdir()) == ["runs.csv"]
    assert (out / "runs.csv").read_text(encoding="utf-8") == "my precious data"
    (out / "runs.csv").unlink()
    first = store.export(out)
    store.record_run(record(digest="again"))
    assert store.export(out) == first  # its own files, unchanged since: replaced
    assert (out / "runs.csv").read_bytes().count(b"\r\n") == 3  # header and both runs
    marker = json.loads((out / ".shinchoku").read_text(encoding="utf-8"))
    assert marker["command"] == "export"  # what wrote the folder, for whoever finds it
    assert marker["files"] == sorted(f"{t}.csv" for t in TABLES)
