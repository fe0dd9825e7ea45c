"""The plan master read ahead in a forked child (pipeline/ahead.py): the same plan as reading it
here, the same error when the master is wrong, nothing left behind, and a big master read here.
The submissions read in a child before pandas is imported: what the workers use, and a file that
breaks that reading named as before."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from pipeline import ahead
from pipeline.ahead import Ahead, FilesAhead, PlanAhead
from pipeline.batch import Options, check_folder
from pipeline.checks.request import plan_for
from pipeline.demo import BUNDLED_MASTER
from pipeline.errors import PlanError, UsageError
from pipeline.ingest import pool, scan_folder
from pipeline.ingest.limits import Limits
from pipeline.ingest.reader import read_plain
from tests.hostile import YEAR as BASE_YEAR
from tests.hostile import Base, make_base
from tests.test_pool import _folder, misbehaving_reader

YEAR = 2024
linux = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


@linux
def test_the_plan_read_ahead_is_the_plan_read_here() -> None:
    with PlanAhead(BUNDLED_MASTER, YEAR) as planned:
        assert planned._plan._child is not None  # really read in a child
        plan = planned.plan()
    here = plan_for(BUNDLED_MASTER, YEAR)
    assert plan == here and plan.fingerprint == here.fingerprint
    assert [t.seq for t in plan.targets] == [t.seq for t in here.targets]
    department = plan.projects[0].department
    assert plan.expected_rows(department, YEAR) == here.expected_rows(department, YEAR)


def test_a_year_outside_the_plan_is_the_same_error_as_without_reading_ahead() -> None:
    with pytest.raises(UsageError) as here:
        plan_for(BUNDLED_MASTER, 1990)
    with PlanAhead(BUNDLED_MASTER, 1990) as planned, pytest.raises(UsageError) as ahead_:
        planned.plan()
    assert str(ahead_.value) == str(here.value) and "1990" in str(here.value)


def test_a_broken_master_is_the_same_plan_error_with_every_finding(tmp_path: Path) -> None:
    broken = tmp_path / "計画マスタ.xlsx"
    broken.write_bytes(BUNDLED_MASTER.read_bytes()[:5000])  # cut off: not a workbook
    with pytest.raises(PlanError) as here:
        plan_for(broken, YEAR)
    with PlanAhead(broken, YEAR) as planned, pytest.raises(PlanError) as ahead_:
        planned.plan()
    assert str(ahead_.value) == str(here.value)
    assert ahead_.value.findings == here.value.findings


@linux
def test_a_plan_never_asked_for_leaves_no_process_behind() -> None:
    with PlanAhead(BUNDLED_MASTER, YEAR) as planned:
        child = planned._plan._child
        assert child is not None
        process, _ = child
    assert not process.is_alive() and process.exitcode is not None


@linux
def test_a_master_over_the_size_is_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    master = tmp_path / "m.xlsx"
    shutil.copy(BUNDLED_MASTER, master)
    monkeypatch.setattr(ahead, "SMALL_MASTER", master.stat().st_size - 1)
    with PlanAhead(master, YEAR) as planned:
        assert planned._plan._child is None
        assert planned.plan() == plan_for(master, YEAR)


def _dies_in_a_child(parent: int) -> str:
    if os.getpid() != parent:
        os._exit(3)  # as a child killed midway would
    return "done here"


@linux
def test_a_child_that_dies_leaves_the_work_to_this_process() -> None:
    work = Ahead(lambda: _dies_in_a_child(os.getpid()))
    assert work._child is not None
    assert work.result() == "done here"
    assert work._child is None


def test_without_fork_the_work_is_done_when_asked_for() -> None:
    calls: list[int] = []
    work = Ahead(lambda: calls.append(1) or len(calls), fork=False)
    assert calls == [] and work.result() == 1


@linux
def test_on_one_core_the_plan_is_read_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    with PlanAhead(BUNDLED_MASTER, YEAR) as planned:
        assert planned._plan._child is None
        assert planned.plan() == plan_for(BUNDLED_MASTER, YEAR)


# --- the submissions read before pandas is imported (FilesAhead, ingest.pool.hold) ---------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _checked(base: Base, folder: Path, files: FilesAhead | None = None):  # type: ignore[no-untyped-def]
    """check_folder as the batch runs it: files read early held, workers reading ahead."""
    limits = Limits(max_seconds=2)
    if files is not None:
        files.hold()
    with pool.start_readers(limits, 2) as readers:
        assert pool._ahead == {}  # handed to the workers: this process keeps no copy
        paths, _ = scan_folder(folder)
        readers.read_ahead(paths, folder, limits)
        checked = check_folder(base.plan, folder, BASE_YEAR, Options(limits=limits), readers)
    return checked.file_rows, checked.finding_list


def _ended(files: FilesAhead) -> None:
    assert files._child is not None
    process, _ = files._child
    process.join(60)  # every file read, or stopped at one


@linux
def test_files_read_early_are_what_the_workers_use(base: Base, tmp_path: Path) -> None:
    folder = _folder(base, tmp_path / "in", ("b_other",))
    expected = _checked(base, folder)
    with FilesAhead(folder, Limits(max_seconds=2)) as files:
        _ended(files)
        for path in folder.iterdir():  # what was read early is used: these bytes never are
            path.write_bytes(b"PK\x03\x04 not a workbook any more")
        assert _checked(base, folder, files) == expected
    rows, _ = expected
    assert {r.file: r.counted for r in rows if r.file}["z_genuine.xlsx"] == 4


def _misbehaving_plain(path: Path, root: Path, *args):  # type: ignore[no-untyped-def]
    misbehaving_reader(path, root, *args)  # aborts, panics or hangs on the files named so
    return read_plain(path, root, *args)


@linux
@pytest.mark.parametrize("bad", ["a_abort", "b_panic", "d_slow"])
def test_a_file_that_breaks_the_early_reading_is_named_as_before(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    folder = _folder(base, tmp_path / "in", (bad,))
    monkeypatch.setattr(pool, "read_plain", misbehaving_reader)  # the workers' too
    expected = _checked(base, folder)
    assert {(f.file, f.rule) for f in expected[1]} >= {(f"{bad}.xlsx", "F20")}
    monkeypatch.setattr(pool, "read_plain", _misbehaving_plain)
    started = time.monotonic()
    with FilesAhead(folder, Limits(max_seconds=2)) as files:
        time.sleep(0.5)  # stopped at the bad file, the first (or still in it: d_slow)
        assert _checked(base, folder, files) == expected
    assert time.monotonic() - started < 20  # not waiting for the early reader (d_slow: 30 s)


@linux
def test_on_one_core_no_file_is_read_early(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(base, tmp_path / "in", ())
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    with FilesAhead(folder, Limits()) as files:
        assert files._child is None
        files.hold()
        assert pool._ahead == {}
