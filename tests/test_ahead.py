"""The plan master read ahead in a forked child (pipeline/ahead.py): the same plan as reading it
here, the same error when the master is wrong, nothing left behind, and a big master read here."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from pipeline import ahead
from pipeline.ahead import Ahead, PlanAhead
from pipeline.checks.request import plan_for
from pipeline.demo import BUNDLED_MASTER
from pipeline.errors import PlanError, UsageError

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
