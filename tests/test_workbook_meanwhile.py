"""The committee workbook runs other work (the run's CSV files) in a thread while its parts are
compressed (report/workbook.py, write_committee_workbook's `meanwhile`): the file must be the
same byte for byte as without, the work must have ended when the workbook is written, its
error must reach the caller, and a workbook that fails must not leave the work running."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
import xlsxwriter.workbook

from pipeline.model import Plan
from pipeline.report import workbook
from tests.checkplan import YEAR, make_plan
from tests.test_workbook_body import _table


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


def _write(path: Path, plan: Plan, meanwhile: Callable[[], object] | None = None) -> Path:
    info = workbook.RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    return workbook.write_committee_workbook(path, info, [_table()], meanwhile=meanwhile)


def test_the_file_is_the_same_and_the_work_done_in_another_thread(
    tmp_path: Path, plan: Plan
) -> None:
    threads: list[str] = []
    plain = _write(tmp_path / "plain.xlsx", plan)
    beside = _write(
        tmp_path / "beside.xlsx", plan, lambda: threads.append(threading.current_thread().name)
    )
    assert beside.read_bytes() == plain.read_bytes()
    assert threads == ["meanwhile"]
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # the swap is undone


def test_the_work_s_error_reaches_the_caller_once_the_workbook_is_written(
    tmp_path: Path, plan: Plan
) -> None:
    def failing() -> None:
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        _write(tmp_path / "book.xlsx", plan, failing)
    assert (tmp_path / "book.xlsx").exists()


def test_a_failing_workbook_waits_for_the_work_and_raises_its_own_error(
    tmp_path: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()

    def work() -> None:
        started.set()
        raise OSError("the work's own error")

    def broken(self: object, *args: object, **kwargs: object) -> None:
        first = type(self).on_first_write  # type: ignore[attr-defined]
        if first is not None:
            first()
        raise ValueError("zip broke")

    monkeypatch.setattr(workbook._BlockZip, "write", broken)
    with pytest.raises(ValueError, match="zip broke"):
        _write(tmp_path / "book.xlsx", plan, work)
    assert started.is_set()
    assert not any(t.name == "meanwhile" and t.is_alive() for t in threading.enumerate())
    assert not (tmp_path / "book.xlsx").exists()  # written whole or not at all
