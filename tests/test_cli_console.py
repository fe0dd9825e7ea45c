"""The `shinchoku` command ends with os._exit once it is done (cli.console): every line it
printed still arrives through a pipe, every file it wrote is complete, and the exit code is the
command's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
