"""Errors a user can act on: one family, a Japanese message, exit 2, nothing half-written."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.errors import OutputError, PlanError, ShinchokuError, StoreError, UsageError
from pipeline.messages import RULES, finding, finding_at
from pipeline.outdir import mark_files
from pipeline.store import SCHEMA_VERSION, Store
from tests.builders import master_sheets, submit_all, write_plan


def _small(tmp: Path) -> tuple[Path, Path]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-(1)-①", "支援事業", "1-(1)", "A課", "", "", ""]],
        targets=[["1-(1)-①", "件数", "件", "増加", "", "100"]],
        years=[2024],
    )
    master, plan = write_plan(sheets, tmp)
    return master, submit_all(plan, 2024, tmp / "提出", {})


def test_every_error_a_user_can_act_on_is_one_family() -> None:
    for kind in (PlanError, StoreError, OutputError, UsageError):
        assert issubclass(kind, ShinchokuError) and kind.exit_code == 2


def test_a_newer_store_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    result = CliRunner().invoke(main, ["history", "--db", str(path)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert "新しいため開けません" in result.output and "Traceback" not in result.output


def test_a_file_that_is_not_a_store_is_named_with_what_to_do(tmp_path: Path) -> None:
    master, submissions = _small(tmp_path)
    broken = tmp_path / "壊れた 履歴.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    result = CliRunner().invoke(
        main,
        ["run", str(master), str(submissions), "--year", "2024", "--out", str(tmp_path / "o")],
        env={"SHINCHOKU_DB": str(broken)},
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert str(broken) in result.output and "--db" in result.output
    with pytest.raises(StoreError, match="壊れている"):
        Store(broken)


def test_a_message_missing_one_of_its_fields_is_still_reported() -> None:
    spec = next(code for code, rule in RULES.items() if ":," in rule.message)
    made = finding_at(spec, file="a.xlsx", row=7, letter="K")  # its message's number missing
    assert made.rule == spec and made.cell == "K7" and made.message
    wrong_type = finding(spec, length="たくさん")  # text where a number was expected
    assert "たくさん" in wrong_type.message
    for code in RULES:  # no rule raises, whatever is left out
        assert finding(code).message


@pytest.mark.parametrize("refused", ["moving DIR aside", "moving the new outputs in"])
def test_an_output_held_open_in_excel_stops_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, refused: str
) -> None:
    """Windows refuses to move a folder holding a file Excel has open: simulated on os.replace,
    with the two-rename swap Windows uses (no renameat2 there)."""
    from pipeline import outdir

    master, submissions = _small(tmp_path)
    out = tmp_path / "集計 結果"
    args = ["run", str(master), str(submissions), "--year", "2024", "--out", str(out), "--no-db"]
    assert CliRunner().invoke(main, args).exit_code in (0, 1)
    workbook = next(out.glob("集計結果_*.xlsx"))
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (submissions / "A課_2.xlsx").write_bytes((next(submissions.glob("*.xlsx"))).read_bytes())
    real_replace = os.replace

    def locked(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        aside = refused == "moving DIR aside" and Path(source) == out
        new_in = Path(target) == out and "shinchoku-new" in Path(source).name
        if aside or (refused != "moving DIR aside" and new_in):
            raise PermissionError(13, "The process cannot access the file", str(source))
        real_replace(source, target)

    monkeypatch.setattr(outdir, "_exchange", lambda a, b: False)
    monkeypatch.setattr(os, "replace", locked)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert str(out) in result.output and "Excel" in result.output and "閉じて" in result.output
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # whole, as it was
    assert workbook.is_file()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # nothing left


def test_an_output_that_cannot_be_opened_for_writing_stops_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pre-flight check: nothing is recorded or written when the workbook is locked."""
    master, submissions = _small(tmp_path)
    out, store = tmp_path / "out", tmp_path / "h.sqlite3"
    args = ["run", str(master), str(submissions), "--year", "2024", "--out", str(out)]
    args += ["--db", str(store)]
    assert CliRunner().invoke(main, args).exit_code in (0, 1)
    workbook = next(out.glob("集計結果_*.xlsx"))
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    (submissions / "A課_2.xlsx").write_bytes((next(submissions.glob("*.xlsx"))).read_bytes())
    real_open = os.open

    def locked(path: str | os.PathLike[str], flags: int, *rest: int) -> int:
        if Path(path) == workbook and flags & os.O_RDWR:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *rest)

    monkeypatch.setattr(os, "open", locked)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and str(workbook) in result.output
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == stamps
    with Store(store) as history:
        assert history.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 1


def test_an_unwritable_output_folder_is_a_message(tmp_path: Path) -> None:
    master, submissions = _small(tmp_path)
    blocker = tmp_path / "ファイル"
    blocker.write_text("x", encoding="utf-8")  # a file where the output folder should be
    result = CliRunner().invoke(
        main,
        ["validate", str(master), str(submissions), "--year", "2024", "--out", str(blocker)],
    )
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.output
    assert str(blocker) in result.output


def test_an_export_file_held_open_in_excel_stops_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, out = tmp_path / "h.sqlite3", tmp_path / "書き出し"
    Store(store).close()
    real_replace = os.replace

    def locked(source: str | os.PathLike[str], target: str | os.PathLike[str]) -> None:
        if Path(target).name == "runs.csv":
            raise PermissionError(13, "The process cannot access the file", str(target))
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", locked)
    result = CliRunner().invoke(main, ["export", "--db", str(store), "--out", str(out)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "runs.csv" in result.output and "閉じて" in result.output
    assert not list(out.glob(".*part"))


def test_a_demo_sample_held_open_stops_the_demo_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "デモ"
    sample = out / "提出" / "開いている.xlsx"
    sample.parent.mkdir(parents=True)
    sample.write_bytes(b"x")
    mark_files(out, [sample], "demo")  # an earlier demo's sample, as it wrote it
    real_unlink = Path.unlink

    def locked(path: Path, missing_ok: bool = False) -> None:
        if path == sample:  # Windows refuses to delete a file open in Excel
            raise PermissionError(13, "The process cannot access the file", str(path))
        real_unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", locked)
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert str(sample) in result.output and "閉じて" in result.output
