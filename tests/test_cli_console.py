"""The `shinchoku` command ends with os._exit once it is done (cli.console): every line it
printed still arrives through a pipe, every file it wrote is complete, and the exit code is the
command's own. Its start: numpy's BLAS on one thread, the cyclic collector paused while the
stages import."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import cli
from pipeline.demo import BUNDLED_MASTER
from tests.conftest import DemoRun

ENV = {**os.environ, "PYTHONIOENCODING": "utf-8"}


def _shinchoku(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=ENV,
        timeout=300,
    )


def test_a_run_through_a_pipe_keeps_its_last_line_and_its_files(demo_run: DemoRun) -> None:
    """`shinchoku demo` through a pipe: the session's shared run (tests/conftest.py)."""
    assert demo_run.returncode == 0, demo_run.stderr
    last = demo_run.stdout.rstrip("\n").splitlines()[-1]
    assert "デモには意図的な入力ミス" in last  # the very last line printed, not lost
    import openpyxl

    book = openpyxl.load_workbook(demo_run.workbook, read_only=True)  # whole: a zip that opens
    assert "事業一覧" in book.sheetnames
    book.close()
    tables = list(demo_run.out.rglob("*.csv"))
    assert len(tables) >= 5
    for csv in tables:
        assert csv.read_bytes().endswith(b"\n"), csv


def test_the_exit_code_and_message_of_a_refused_request_are_kept(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    done = _shinchoku(
        "run", str(BUNDLED_MASTER), str(tmp_path / "in"), "--year", "1990", "--out", str(tmp_path)
    )
    assert done.returncode == 2
    assert "1990" in done.stderr and "計画の期間" in done.stderr
    assert "Traceback" not in done.stderr


def test_help_exits_0_with_its_text() -> None:
    done = _shinchoku("--help")
    assert done.returncode == 0 and "shinchoku" in done.stdout


_ENDING = """
import atexit, sys, threading, time
import pipeline.cli as cli

def command():
    atexit.register(lambda: print("exit function ran", file=sys.stderr))
    threading.Thread(target=lambda: (time.sleep(0.2), print("thread ended"))).start()
    if sys.argv[1] == "text":
        sys.exit("a text")
    if sys.argv[1] == "broken":
        raise ValueError("a defect")
    print("last line", end="")
    sys.exit(3)

class Torn:
    def __del__(self):
        print("torn down", file=sys.stderr)

held = Torn()  # the interpreter's teardown would print: skipped
cli.entry = command
cli.console()
"""


def _ending(how: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _ENDING, how],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=ENV,
        timeout=60,
    )


def test_the_end_waits_for_threads_runs_exit_functions_and_keeps_the_status() -> None:
    done = _ending("plain")
    assert done.returncode == 3
    assert done.stdout == "last linethread ended\n"  # unflushed text, and the thread's line
    assert done.stderr == "exit function ran\n"  # and no teardown ("torn down")


def test_a_text_given_to_sys_exit_is_printed_with_status_1() -> None:
    done = _ending("text")
    assert done.returncode == 1
    assert done.stderr.splitlines() == ["a text", "exit function ran"]


def test_a_defect_escaping_the_command_ends_as_python_does() -> None:
    done = _ending("broken")
    assert done.returncode == 1
    assert "ValueError: a defect" in done.stderr and "exit function ran" in done.stderr


_THREADS = """
import os, sys
import pipeline.cli as cli

def command():
    import numpy  # OpenBLAS starts its threads here

    with open("/proc/self/status") as status:
        threads = next(line.split()[1] for line in status if line.startswith("Threads:"))
    print(os.environ["OPENBLAS_NUM_THREADS"], threads)
    sys.exit(0)

cli.entry = command
cli.console()
"""


def _blas(**env: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _THREADS],
        capture_output=True,
        text=True,
        env={**{k: v for k, v in ENV.items() if k != "OPENBLAS_NUM_THREADS"}, **env},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads counted in /proc")
def test_numpy_starts_no_blas_threads_in_the_command_unless_the_user_set_their_number() -> None:
    """OpenBLAS's threads (one per core, ~0.08 s of a city run's start) serve no linear
    algebra here: the command's process has its one thread after importing numpy."""
    assert _blas() == ["1", "1"]
    setting, _ = _blas(OPENBLAS_NUM_THREADS="3")
    assert setting == "3"  # the user's own choice is kept


def test_the_collector_is_paused_while_the_stages_import_and_resumes_after(
    tmp_path: Path,
) -> None:
    """Paused from the children's fork to the stages' import (cli._ahead, cli._imported),
    then on again, the objects made so far frozen; on again too when the command fails
    before that point — a collector left off would let a 2,000-file run's memory grow."""
    (tmp_path / "in").mkdir()
    assert gc.isenabled()
    try:
        with cli._ahead(BUNDLED_MASTER, tmp_path / "in", 2024) as (_, files):
            assert not gc.isenabled()
            cli._imported(files)
            assert gc.isenabled() and gc.get_freeze_count() > 0
        with pytest.raises(RuntimeError), cli._ahead(BUNDLED_MASTER, tmp_path / "in", 2024):
            assert not gc.isenabled()
            raise RuntimeError("before the stages are imported")
        assert gc.isenabled()
    finally:
        gc.unfreeze()
        gc.enable()


def _to_a_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """The command with stdout a pipe whose reader has already left (`… | head -1` once head
    has its line)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "pipeline", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=ENV,
            timeout=300,
        )
    finally:
        os.close(writer)


def test_a_reader_that_leaves_the_pipe_gets_no_false_message(demo_run: DemoRun) -> None:
    """A secretariat quitting `more` early is not told that a file could not be written (or
    that nothing changed): the command ends quietly with the status of output it could not
    flush (120), and a run's folder is still written whole."""
    for args in (["demo", "--list"], ["run", "--help"]):
        done = _to_a_closed_pipe(*args)
        assert (done.returncode, done.stderr) == (120, ""), args
    master = next(demo_run.out.glob("*_計画マスタ.xlsx"))
    out = demo_run.out.parent / "closed-pipe-out"
    args = ["run", str(master), str(demo_run.out / "提出"), "--year", "2021", "--no-db"]
    done = _to_a_closed_pipe(*args, "--out", str(out))
    assert done.returncode == 120
    assert "書き込めません" not in done.stderr and "Traceback" not in done.stderr
    assert len(list(out.glob("*.csv"))) >= 7 and list(out.glob("集計結果_*.xlsx"))
