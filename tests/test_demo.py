"""`shinchoku demo --out DIR` writes into DIR again only over what an earlier demo wrote there
and nobody changed since. Its master copy is where users start their own plan (the README says
so); a re-run used to replace an edited copy, and any file in its 提出 / テンプレート folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import demo
from pipeline.cli import main
from pipeline.demo import DEFAULT_PLAN, bundled_master, demo_master, run_demo
from pipeline.errors import OutputError, OverwriteError
from pipeline.outdir import FolderError, written_by_shinchoku
from tests.conftest import DemoRun


@pytest.fixture
def earlier(demo_run: DemoRun, tmp_path: Path) -> Path:
    """A copy of the session's demo folder (that one is only read), as a user has it."""
    assert demo_run.returncode == 0, demo_run.stderr
    out = tmp_path / "デモ"
    shutil.copytree(demo_run.out, out, symlinks=True)
    return out


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file in `folder` (markers included) and its bytes; each folder (None)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else None
        for p in folder.rglob("*")
    }


def _edit_master(path: Path) -> None:
    """What a user starting their own plan from the copy does: change it in Excel."""
    book = load_workbook(path)
    book.worksheets[0]["B3"] = "私たちの市の協働推進計画"
    book.save(path)


def test_a_demo_runs_again_into_its_own_folder(earlier: Path, demo_run: DemoRun) -> None:
    (earlier / "メモ.txt").write_text("デモを見た感想", encoding="utf-8")  # not the demo's: kept
    result = CliRunner().invoke(main, ["demo", "--out", str(earlier)])
    assert result.exit_code == 0, result.output
    assert (earlier / "メモ.txt").read_text(encoding="utf-8") == "デモを見た感想"
    master = demo_master(earlier, DEFAULT_PLAN)
    assert master.read_bytes() == bundled_master(DEFAULT_PLAN).read_bytes()
    results, first = earlier / "集計結果", demo_run.out / "集計結果"
    csv_files = sorted(p.name for p in first.glob("*.csv"))
    assert csv_files and sorted(p.name for p in results.glob("*.csv")) == csv_files
    for name in csv_files:  # the same run again: the same figures, byte for byte
        assert (results / name).read_bytes() == (first / name).read_bytes(), name
    written = written_by_shinchoku(earlier)
    assert written is not None and written.command == "demo"
    assert written.unchanged(earlier, master.name)
    assert "メモ.txt" not in written.files


def test_a_demo_into_a_folder_holding_a_users_edited_copy_is_refused(tmp_path: Path) -> None:
    """The reviewer's case: the user's own folder, holding the master they started from."""
    out = tmp_path / "私の書類"
    copy = demo_master(out, DEFAULT_PLAN)
    out.mkdir()
    shutil.copyfile(bundled_master(DEFAULT_PLAN), copy)
    _edit_master(copy)
    (out / "議事録.docx").write_bytes(b"minutes")
    before = _snapshot(out)
    result = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert copy.name in result.output and "別のフォルダを指定するか" in result.output
    assert "Traceback" not in result.output
    assert _snapshot(out) == before  # nothing written: no template, sample, store or marker


def test_the_demos_own_master_copy_edited_since_is_refused(earlier: Path) -> None:
    copy = demo_master(earlier, DEFAULT_PLAN)
    _edit_master(copy)
    before = _snapshot(earlier)
    with pytest.raises(OverwriteError) as refused:
        run_demo(earlier)
    assert refused.value.paths == [copy]
    assert _snapshot(earlier) == before


@pytest.mark.parametrize(
    "change",
    ["a sample edited", "a file added to the samples", "a template filled in place"],
)
def test_a_file_changed_or_added_among_the_demos_files_is_refused(
    earlier: Path, change: str
) -> None:
    if change == "a sample edited":
        changed = next((earlier / "提出").glob("*.xlsx"))
        changed.write_bytes(changed.read_bytes() + b"\0")
    elif change == "a file added to the samples":
        changed = earlier / "提出" / "私の提出ファイル.xlsx"
        changed.write_bytes(b"mine")
    else:
        changed = next((earlier / "過去年度").glob("*/テンプレート/*.xlsx"))
        shutil.copyfile(next((earlier / "提出").glob("*.xlsx")), changed)
    before = _snapshot(earlier)
    result = CliRunner().invoke(main, ["demo", "--out", str(earlier)])
    assert result.exit_code == 2, result.output
    assert changed.relative_to(earlier).as_posix() in result.output
    assert _snapshot(earlier) == before


def test_a_file_added_to_the_demos_results_is_refused_as_an_output_folder_does(
    earlier: Path,
) -> None:
    added = earlier / "集計結果" / "委員会メモ.txt"
    added.write_text("次回の議題", encoding="utf-8")
    before = _snapshot(earlier)
    with pytest.raises(FolderError, match=r"委員会メモ\.txt"):
        run_demo(earlier)
    assert _snapshot(earlier) == before


def test_a_demo_stopped_half_way_leaves_what_it_wrote_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A demo that stopped (a full disk in its first run) may be run again into its folder."""

    def full(*args: object, **kwargs: object) -> None:
        raise OutputError("ディスクがいっぱいです。")

    monkeypatch.setattr(demo, "run", full)
    out = tmp_path / "デモ"
    with pytest.raises(OutputError):
        run_demo(out)
    written = written_by_shinchoku(out)
    assert written is not None
    left = [p for p in out.rglob("*") if p.is_file() and p.name != ".shinchoku"]
    assert len(left) > 2  # the master copy, the first year's templates and samples
    assert all(written.unchanged(out, p.relative_to(out).as_posix()) for p in left)
    demo._check_folder(out, demo_master(out, DEFAULT_PLAN))  # a re-run may replace them all
