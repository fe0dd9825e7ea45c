"""Whole output folders: after a finished, interrupted or failed run DIR holds one complete run.

The interrupts are real: `shinchoku run` in a child process, signalled (Ctrl-C to its process
group as a terminal does, or SIGTERM) at several moments of its work.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import labels as L
from pipeline.cli import main
from pipeline.demo import BUNDLED_MASTER, make_sample_submissions
from pipeline.outdir import MARKER, Interrupted, OutputFolder
from pipeline.plan import read_plan
from pipeline.samples import fill_template
from pipeline.store import Store
from pipeline.templates import template_path, write_templates

REPO = Path(__file__).resolve().parents[1]
YEAR = 2024


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a folder; CSV byte for byte, other files by name only (a workbook holds its
    run time)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() if p.suffix == ".csv" else b""
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != MARKER
    }


def leftovers(out: Path) -> list[str]:
    return [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]


@pytest.fixture(scope="module")
def year_folder(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """The bundled plan's 25 sample submissions (enough for the reading pool), and the same
    folder before its last resubmission arrived."""
    tmp = tmp_path_factory.mktemp("year")
    plan = read_plan(BUNDLED_MASTER)
    write_templates(plan, YEAR, tmp / "t")
    new = tmp / "new"
    make_sample_submissions(plan, YEAR, tmp / "t", new)
    old = tmp / "old"
    old.mkdir()
    for path in sorted(new.glob("*.xlsx"))[1:]:
        (old / path.name).write_bytes(path.read_bytes())
    return tmp, old, new


def _run(master: Path, folder: Path, out: Path, db: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "pipeline",
        "run",
        str(master),
        str(folder),
        "--year",
        str(YEAR),
        "--out",
        str(out),
        "--db",
        str(db),
    ]


def _wait(condition: Callable[[], bool], child: subprocess.Popen[str], limit: float = 60) -> bool:
    end = time.monotonic() + limit
    while time.monotonic() < end and child.poll() is None:
        if condition():
            return True
        time.sleep(0.002)
    return False


def _reading_the_plan(pid: int) -> Callable[[], bool]:
    """The child has the plan master open: its imports are done, its Ctrl-C handling is in place
    (a Ctrl-C while Python is still importing is Python's own; on a loaded machine that takes
    longer than any fixed wait)."""
    fds = Path(f"/proc/{pid}/fd")
    if not Path("/proc/self/fd").exists():
        return lambda: True  # no /proc: a fixed wait instead

    def opened() -> bool:
        try:
            return any(os.readlink(fd).endswith(BUNDLED_MASTER.name) for fd in list(fds.iterdir()))
        except OSError:  # a descriptor closed while looking
            return False

    return opened


MOMENTS: dict[str, Callable[[Path, int], Callable[[], bool]]] = {
    "starting": lambda out, pid: _reading_the_plan(pid),
    "reading": lambda out, pid: (out.parent / f".{out.name}.shinchoku-new.{pid}").exists,
    "writing": lambda out, pid: (
        lambda: any((out.parent / f".{out.name}.shinchoku-new.{pid}").glob("集計結果_*.xlsx"))
    ),
    "feedback": lambda out, pid: (
        (out.parent / f".{out.name}.shinchoku-new.{pid}" / L.FEEDBACK_SHEET).exists
    ),
}


@pytest.fixture(scope="module")
def two_runs(year_folder) -> tuple[Path, Path, dict[str, bytes], dict[str, bytes]]:
    """An earlier complete run (folder and store) and what the new run's folder holds."""
    tmp, old_in, new_in = year_folder
    db, out, reference = tmp / "h.sqlite3", tmp / "earlier", tmp / "reference"
    # in this process (the interrupted runs below are the child processes): the same command
    for args in (
        _run(BUNDLED_MASTER, old_in, out, db),
        _run(BUNDLED_MASTER, new_in, reference, tmp / "r.sqlite3"),
    ):
        assert CliRunner().invoke(main, args[3:]).exit_code == 1
    old, new = snapshot(out), snapshot(reference)
    assert old != new and len(old) == len(new)
    return out, db, old, new


@pytest.mark.parametrize(
    ("moment", "signum"),
    [
        ("starting", signal.SIGINT),
        ("reading", signal.SIGINT),
        ("writing", signal.SIGINT),
        ("feedback", signal.SIGTERM),
    ],
)
def test_an_interrupted_run_leaves_one_complete_run(
    year_folder, two_runs, tmp_path: Path, moment: str, signum: int
) -> None:
    _, _, new_in = year_folder
    earlier, earlier_db, old, new = two_runs
    db, out = tmp_path / "h.sqlite3", tmp_path / "集計"
    shutil.copytree(earlier, out)
    shutil.copy(earlier_db, db)
    assert snapshot(out) == old
    child = subprocess.Popen(
        _run(BUNDLED_MASTER, new_in, out, db),
        cwd=REPO,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group: Ctrl-C reaches it and its workers
    )
    if moment == "starting" and not Path("/proc/self/fd").exists():
        time.sleep(0.5)  # no /proc: imports and reading the plan, usually
    reached = _wait(MOMENTS[moment](out, child.pid), child)
    try:
        if signum == signal.SIGINT:
            os.killpg(child.pid, signal.SIGINT)  # as a terminal's Ctrl-C does
        else:
            os.kill(child.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # the run finished before the moment was seen: the new run must be whole
    _, stderr = child.communicate(timeout=120)
    now = snapshot(out)
    assert now in (old, new), f"{moment}: a mix of two runs"
    assert not leftovers(out), leftovers(out)
    assert "Traceback" not in stderr, stderr
    with Store(db) as store:
        runs = store.runs("sendai-kyodo-2021", YEAR)
    if now == old:
        assert child.returncode == 128 + signum, stderr
        assert "中断しました" in stderr and "前回の出力のまま" in stderr, stderr
        assert len(runs) == 1  # nothing recorded without its outputs
    else:
        assert len(runs) == 2
    if reached and moment in ("reading", "writing", "feedback"):
        assert now == old, f"interrupted while {moment}, yet the new run was swapped in"


def test_a_foreign_folder_is_refused_and_left_alone(tmp_path: Path, year_folder) -> None:
    _, old_in, _ = year_folder
    out = tmp_path / "書類"
    out.mkdir()
    (out / "大事なメモ.docx").write_bytes(b"not ours")
    args = ["run", str(BUNDLED_MASTER), str(old_in), "--year", "2024", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--no-db"])
    assert result.exit_code == 2 and "shinchoku が書いたフォルダでもありません" in result.output
    assert [p.name for p in out.iterdir()] == ["大事なメモ.docx"] and not leftovers(out)
    empty = tmp_path / "空"
    empty.mkdir()
    result = CliRunner().invoke(main, [*args[:-1], str(empty), "--no-db"])
    assert result.exit_code == 1 and (empty / MARKER).exists()
    (empty / "私の集計.xlsx").write_bytes(b"added by hand")
    result = CliRunner().invoke(main, [*args[:-1], str(empty), "--no-db"])
    assert result.exit_code == 2 and "私の集計.xlsx" in result.output
    assert (empty / "私の集計.xlsx").read_bytes() == b"added by hand"


def test_revalidating_a_corrected_resubmission_removes_the_outdated_feedback(
    tmp_path: Path,
) -> None:
    plan = read_plan(BUNDLED_MASTER)
    write_templates(plan, YEAR, tmp_path / "t")
    good = make_sample_submissions(plan, YEAR, tmp_path / "t", tmp_path / "good", mistakes=False)
    department = plan.departments()[0]
    row = plan.expected_rows(department, YEAR)[0]
    submissions = tmp_path / "提出"
    for path in good:
        (submissions / path.name).parent.mkdir(exist_ok=True)
        (submissions / path.name).write_bytes(path.read_bytes())
    mine = submissions / template_path(submissions, department, YEAR).name
    fill_template(mine, mine, {row.row_key: {L.ACTUAL: "未集計"}})
    args = ["validate", str(BUNDLED_MASTER), str(submissions), "--year", "2024"]
    out = tmp_path / "検証"
    assert CliRunner().invoke(main, [*args, "--out", str(out)]).exit_code == 1
    feedback = out / L.FEEDBACK_SHEET / f"指摘事項_{department}_2024年度.xlsx"
    assert feedback.exists()
    mine.write_bytes((tmp_path / "good" / mine.name).read_bytes())  # the corrected file
    assert CliRunner().invoke(main, [*args, "--out", str(out)]).exit_code == 0
    assert not feedback.exists()
    assert {p.name for p in out.iterdir()} == {MARKER, "検証結果.csv", "提出状況.csv"}


def test_a_full_disk_leaves_the_previous_outputs_and_the_store(
    tmp_path: Path, year_folder, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, old_in, new_in = year_folder
    out, db = tmp_path / "集計", tmp_path / "h.sqlite3"
    args = ["--year", "2024", "--out", str(out), "--db", str(db)]
    CliRunner().invoke(main, ["run", str(BUNDLED_MASTER), str(old_in), *args])
    before = snapshot(out)
    import pipeline.report.csvout as csvout

    real = csvout.write_csv
    calls = []

    def full(table: object, folder: Path) -> Path:
        calls.append(table)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(folder / "x.csv"))
        return real(table, folder)  # type: ignore[arg-type]

    monkeypatch.setattr("pipeline.batch.write_csv", full)
    result = CliRunner().invoke(main, ["run", str(BUNDLED_MASTER), str(new_in), *args])
    assert result.exit_code == 2 and "書き込めませんでした" in result.output
    assert "Traceback" not in result.output
    assert snapshot(out) == before and not leftovers(out)
    with Store(db) as store:
        assert len(store.runs("sendai-kyodo-2021", YEAR)) == 1


def test_an_interrupt_during_the_swap_waits_until_outputs_and_store_agree(tmp_path: Path) -> None:
    out = tmp_path / "out"
    recorded = []
    folder = OutputFolder(out, "run")
    with pytest.raises(Interrupted) as caught, folder as work:
        (work / "a.csv").write_text("new", encoding="utf-8")

        def record() -> None:
            os.kill(os.getpid(), signal.SIGINT)  # arrives while the swap and record run
            recorded.append(True)

        folder.commit(record)
    assert recorded and (out / "a.csv").read_text(encoding="utf-8") == "new"
    assert "完了していました" in caught.value.message and caught.value.exit_code == 130


def test_a_run_killed_between_the_two_renames_is_put_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    moved = tmp_path / ".out.shinchoku-old.999999999"  # a dead process's previous DIR
    moved.mkdir()
    (moved / "概要.csv").write_text("old", encoding="utf-8")
    (moved / MARKER).write_text('{"files": ["概要.csv"]}', encoding="utf-8")
    unfinished = tmp_path / ".out.shinchoku-new.999999999"
    unfinished.mkdir()
    OutputFolder(out, "run")
    assert (out / "概要.csv").read_text(encoding="utf-8") == "old"
    assert not moved.exists() and not unfinished.exists()
