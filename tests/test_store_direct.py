"""The store's functions that the batch, `doctor`, `history` and the templates call, driven
directly on a tiny store in tmp_path (no batch run), so that `make mutate` can run them for
every mutant of store.py in milliseconds: the plan chosen when --plan is left out, the integrity
check `doctor` shows, a read-only copy that leaves the file as it was, last year's values and the
trend a run takes from the store, and how a figure is written down."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline.errors import StoreError, UsageError
from pipeline.model import PastResult, RunRecord
from pipeline.store import SCHEMA_VERSION, Store, record_text, with_history
from pipeline.text import key
from tests.test_store_records import record


def _store_with(path: Path, *runs: RunRecord) -> Path:
    with Store(path) as opened:
        for run in runs:
            opened.record_run(run)
    return path


def _beside(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


# --- only_plan: the plan `shinchoku history` uses when --plan is left out


def test_the_only_plan_on_record_is_chosen(tmp_path: Path) -> None:
    db = _store_with(tmp_path / "h.sqlite3", record(2023, "a"), record(2024, "b"))
    with Store(db) as opened:
        assert opened.only_plan() == "plan"


def test_an_empty_store_asks_for_the_plan_and_says_none_is_on_record(tmp_path: Path) -> None:
    with Store(tmp_path / "h.sqlite3") as opened, pytest.raises(UsageError) as raised:
        opened.only_plan()
    assert str(raised.value) == "--plan で計画IDを指定してください（記録: なし）。"


def test_two_plans_on_record_ask_for_one_and_name_both(tmp_path: Path) -> None:
    db = _store_with(
        tmp_path / "h.sqlite3", record(plan_id="b-plan", digest="x"), record(plan_id="a-plan")
    )
    with Store(db) as opened, pytest.raises(UsageError) as raised:
        opened.only_plan()
    assert str(raised.value) == "--plan で計画IDを指定してください（記録: a-plan, b-plan）。"


# --- integrity: what `doctor` reports of the store


def test_a_sound_store_has_nothing_wrong(tmp_path: Path) -> None:
    db = _store_with(tmp_path / "h.sqlite3", record())
    with Store(db) as opened:
        assert opened.integrity() == []
    with Store(db, readonly=True) as copy:
        assert copy.integrity() == []


def test_a_store_whose_index_disagrees_with_its_table_is_reported(tmp_path: Path) -> None:
    """An index whose definition no longer matches its rows (what a damaged disk or a hand edit
    leaves): SQLite's integrity check names the rows missing from it."""
    db = _store_with(tmp_path / "h.sqlite3", record())
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA writable_schema=ON")
    raw.execute(
        "UPDATE sqlite_master SET sql='CREATE INDEX results_number ON results(target_name)'"
        " WHERE name='results_number'"
    )
    raw.commit()
    raw.close()
    with Store(db, readonly=True) as copy:
        found = copy.integrity()
    assert found and all(isinstance(line, str) for line in found)
    assert any("results_number" in line for line in found)
    assert found != ["ok"]


def test_a_store_damaged_on_disk_is_named_with_what_to_do(tmp_path: Path) -> None:
    """The pages after the first overwritten while the store is open (a failing disk): the
    check stops with the file named, not a traceback."""
    db = _store_with(tmp_path / "h.sqlite3", *(record(2000 + i, str(i)) for i in range(30)))
    with Store(db) as opened:
        data = db.read_bytes()
        db.write_bytes(data[:4096] + b"\xff" * (len(data) - 4096))
        with pytest.raises(StoreError) as raised:
            opened.integrity()
    assert str(raised.value).startswith(f"履歴ファイル「{db}」は壊れているか")


# --- the read-only copy (doctor, templates, --dry-run): nothing on disk changes


def test_a_read_only_copy_reads_every_run_and_leaves_the_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    db = _store_with(folder / "h.sqlite3", record(2023, "a"), record(2024, "b"))
    # the folder's time too: not even a -shm file made and removed (a read-only folder refuses it)
    before = (db.read_bytes(), os.stat(db).st_mtime_ns, _beside(db), os.stat(folder).st_mtime_ns)
    monkeypatch.chdir(folder)  # a stray database file would land here
    with Store(db, readonly=True) as copy:
        assert [r["年度"] for r in copy.runs("plan")] == [2023, 2024]
        copy.db.execute("UPDATE runs SET note='書き換え'")  # the copy takes it; the file does not
        assert _beside(db) == ["h.sqlite3"]
    after = (db.read_bytes(), os.stat(db).st_mtime_ns, _beside(db), os.stat(folder).st_mtime_ns)
    assert after == before
    with Store(db, readonly=True) as copy:
        assert {r["備考"] for r in copy.runs("plan")} == {""}


def test_a_read_only_copy_sees_a_run_still_in_the_journal_of_an_open_store(
    tmp_path: Path,
) -> None:
    """While a run holds the store open, its last run is in the -wal file, not yet in the main
    file: the copy must read through the journal, not the main file alone."""
    db = tmp_path / "h.sqlite3"
    with Store(db) as writer:
        writer.record_run(record(2023, "a"))
        assert (tmp_path / "h.sqlite3-wal").exists()
        with Store(db, readonly=True) as copy:
            assert [r["年度"] for r in copy.runs("plan")] == [2023]
            assert copy.only_plan() == "plan"


def test_a_read_only_copy_of_a_missing_store_says_so_and_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    with pytest.raises(StoreError) as raised:
        Store(db, readonly=True)
    assert str(raised.value).startswith(
        f"履歴ファイル「{db}」を開けません（ファイルがありません）。"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_copy_of_an_older_store_reads_as_migrated_and_the_file_keeps_its_version(
    tmp_path: Path,
) -> None:
    db = tmp_path / "h.sqlite3"
    raw = sqlite3.connect(db)
    raw.executescript("CREATE TABLE unrelated (x); PRAGMA user_version=0;")
    raw.close()
    with Store(db, readonly=True) as copy:
        assert copy.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert copy.runs("plan") == []
        columns = [c[1] for c in copy.db.execute("PRAGMA table_info(runs)")]
        assert {"digest", "official", "rows_counted", "note"} <= set(columns)
    raw = sqlite3.connect(db)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == 0
    assert raw.execute("SELECT name FROM sqlite_master").fetchall() == [("unrelated",)]
    raw.close()


def test_a_read_only_copy_of_a_newer_store_names_both_versions(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    raw = sqlite3.connect(db)
    raw.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    raw.close()
    with pytest.raises(StoreError) as raised:
        Store(db, readonly=True)
    assert str(raised.value) == (
        f"履歴ファイルの版（{SCHEMA_VERSION + 1}）がこの shinchoku の版（{SCHEMA_VERSION}）より"
        "新しいため開けません。shinchoku を更新してください。"
    )


# --- with_history: what a run takes from the store


Past = dict[tuple[str, str], PastResult]


def _figured(run: RunRecord, seen: list[Past]) -> Callable[[Past], tuple[str, RunRecord]]:
    """The callback the batch passes: here it remembers last year's values and returns `run`."""

    def figured(past: dict[tuple[str, str], PastResult]) -> tuple[str, RunRecord]:
        seen.append(past)
        return "figures", run

    return figured


def test_a_run_gets_last_years_values_and_a_trend_with_itself_in_it(tmp_path: Path) -> None:
    older = replace(record(2022, "z", fingerprint="fp0"), results=())  # two years back: not used
    db = _store_with(tmp_path / "h.sqlite3", older, record(2023))
    seen: list[Past] = []
    pending = record(2024, "new", fingerprint="fp2")
    figures, kept, trend = with_history(db, "plan", 2024, _figured(pending, seen))
    assert (figures, kept) == ("figures", pending)
    assert seen == [
        {
            (key("1-(1)-①"), key("件数")): PastResult("90", "81.8"),
            (key("1-(1)-②"), key("満足度")): PastResult("", ""),
        }
    ]
    assert [(row.year, row.master_fingerprint) for row in trend] == [
        (2022, "fp0"),
        (2022, "fp0"),
        (2023, "fp1"),
        (2023, "fp1"),
        (2024, "fp2"),
        (2024, "fp2"),
    ]
    with Store(db) as opened:  # taking the history records nothing
        assert [r["年度"] for r in opened.runs("plan")] == [2022, 2023]


def test_a_run_that_would_not_be_official_is_left_out_of_the_trend(tmp_path: Path) -> None:
    db = _store_with(tmp_path / "h.sqlite3", record(2024, "a"))
    pending = record(2024, "b", other_year=2023, fingerprint="fp2")
    _, _, trend = with_history(db, "plan", 2024, _figured(pending, []))
    assert [(row.year, row.master_fingerprint) for row in trend] == [(2024, "fp1"), (2024, "fp1")]


def test_a_first_run_creates_the_store_and_a_read_only_one_does_not(tmp_path: Path) -> None:
    seen: list[Past] = []
    missing = tmp_path / "none" / "h.sqlite3"
    with pytest.raises(StoreError):
        with_history(missing, "plan", 2024, _figured(record(), seen), readonly=True)
    assert not missing.parent.exists() and seen == []
    db = tmp_path / "new" / "h.sqlite3"
    _, _, trend = with_history(db, "plan", 2024, _figured(record(2024), seen))
    assert db.is_file() and seen == [{}]
    assert [row.year for row in trend] == [2024, 2024]


# --- how a figure is written down


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (Decimal("1E+2"), "100"), (Decimal("81.80"), "81.80"), (3, "3"), ("済", "済")],
)
def test_a_figure_is_kept_as_plain_text(value: object, text: str) -> None:
    assert record_text(value) == text


# --- run_record: what the store keeps of a plan graded per project


def test_a_plan_graded_per_project_keeps_each_projects_schedule_word_and_grade(
    tmp_path: Path,
) -> None:
    """No 指標 in such a plan: each project is kept with a blank 指標名, unit and direction, its
    year's 予定 word where the target would be, its grade and file; a run mostly of another
    year keeps that year, so that it is not made official."""
    from datetime import datetime

    from pipeline.batch import run
    from pipeline.store import run_record
    from tests.builders import submit_all, write_plan
    from tests.test_figures import _review_row, project_sheets

    master, plan = write_plan(project_sheets(), tmp_path)
    values = {(key(n), ""): _review_row(g) for n, g in [("P1", "A"), ("P4", "B"), ("P7", "S")]}
    report = run(master, submit_all(plan, 2025, tmp_path, values), 2025, None)
    assert report.figures is not None
    at = datetime(2025, 6, 1, 9, 0)
    kept = run_record(replace(report, other_year=2024), report.figures, master, at, "half-up")
    hashes = {f.path: f.sha256 for f in kept.files}
    assert [
        (r.number, r.target_name, r.unit, r.direction, r.target, r.actual, r.rate, r.grade)
        for r in kept.results
    ] == [
        ("P1", "", "", "", "準備", "", "", "A"),
        ("P4", "", "", "", "実施", "", "", "B"),
        ("P7", "", "", "", "", "", "", "S"),  # not on the 予定 sheet: planned every year
    ]
    assert [(r.department, r.source_sha256) for r in kept.results] == [
        ("福祉課", hashes["進捗状況_福祉課_2025年度.xlsx"]),
        ("環境課", hashes["進捗状況_環境課_2025年度.xlsx"]),
        ("環境課", hashes["進捗状況_環境課_2025年度.xlsx"]),
    ]
    assert kept.other_year == 2024
    assert run_record(report, report.figures, master, at, "half-up").other_year is None


def test_a_target_without_this_years_value_is_kept_ungraded(tmp_path: Path) -> None:
    """A 指標 with no 目標値 this year needs no 自己評価 (V05 asks only where there is one): its
    実績 is kept with blank target, rate and grade, not a made-up grade."""
    from datetime import datetime

    from pipeline.batch import run
    from pipeline.store import run_record
    from tests.builders import complete_row, master_sheets, submit_all, write_plan

    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-(1)-1", "事業一", "1-(1)", "A課", "", "", ""]],
        targets=[
            ["1-(1)-1", "件数", "件", "増加", "", "300"],
            ["1-(1)-1", "参考値", "人", "増加", "", ""],
        ],
        years=[2024],
    )
    master, plan = write_plan(sheets, tmp_path)
    values = {
        (key("1-(1)-1"), key("件数")): complete_row("B", 250),
        (key("1-(1)-1"), key("参考値")): complete_row("", 12),
    }
    report = run(master, submit_all(plan, 2024, tmp_path, values), 2024, None)
    assert report.figures is not None and not report.finding_list
    at = datetime(2025, 6, 1, 9, 0)
    kept = run_record(report, report.figures, master, at, "half-up")
    assert [(r.target_name, r.target, r.actual, r.rate, r.grade) for r in kept.results] == [
        ("件数", "300", "250", "83.3", "B"),
        ("参考値", "", "12", "", ""),
    ]
