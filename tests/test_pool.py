"""No single file can take the batch down: each is read in a worker under a memory cap and a time
limit; a worker that dies, panics, overruns or is too slow becomes one エラー on its file (the
limit named), a fresh worker reads the next file, and results keep their order."""

from __future__ import annotations

import faulthandler
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.batch import Options, check_folder
from pipeline.ingest import pool
from pipeline.ingest.limits import MB, Limits
from pipeline.ingest.reader import read_plain
from tests.hostile import YEAR, Base, edited, make_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


class FakePanic(BaseException):
    """What pyo3 raises for a Rust panic: a BaseException, past `except Exception`."""


def misbehaving_reader(path: Path, root: Path, *args):  # type: ignore[no-untyped-def]
    """The real reader, except for files named after a way to fail (the worker inherits it)."""
    name = path.stem
    if name.startswith("a_abort"):
        faulthandler.disable()  # pytest's would print the stack; a real abort is silent
        os.abort()  # as a native reader does when an allocation is refused
    if name.startswith("b_panic"):
        raise FakePanic("index out of bounds")
    if name.startswith("c_hog"):
        hoard = b"x" * (400 * MB)  # touched: resident, not just reserved
        time.sleep(3)
        return hoard
    if name.startswith("d_slow"):
        time.sleep(30)
    return read_plain(path, root, *args)


def _folder(base: Base, root: Path, bad: tuple[str, ...]) -> Path:
    root.mkdir()
    for name in bad:
        shutil.copy(base.other, root / f"{name}.xlsx")
    shutil.copy(base.filled, root / "z_genuine.xlsx")
    return root


def _f20(checked, name: str) -> str:  # type: ignore[no-untyped-def]
    found = [f for f in checked.finding_list if f.file == f"{name}.xlsx"]
    assert [(f.rule, f.severity) for f in found] == [("F20", L.ERROR)], found
    return found[0].message


def test_a_dead_panicking_hoarding_or_slow_worker_is_one_finding_and_the_batch_goes_on(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "read_plain", misbehaving_reader)
    folder = _folder(base, tmp_path / "in", ("a_abort", "b_panic", "c_hog", "d_slow"))
    limits = Limits(max_memory_bytes=128 * MB, max_seconds=2)
    started = time.monotonic()
    checked = check_folder(base.plan, folder, YEAR, Options(limits=limits, workers=2))
    assert time.monotonic() - started < 20
    assert "異常終了" in _f20(checked, "a_abort") and "128MB" in _f20(checked, "a_abort")
    assert "止まりました" in _f20(checked, "b_panic")
    assert "128MB" in _f20(checked, "c_hog")
    assert "2秒" in _f20(checked, "d_slow")
    rows = {r.file: r for r in checked.file_rows if r.file}
    assert set(rows) == {
        "a_abort.xlsx",
        "b_panic.xlsx",
        "c_hog.xlsx",
        "d_slow.xlsx",
        "z_genuine.xlsx",
    }
    assert rows["z_genuine.xlsx"].status == L.SUBMITTED
    assert rows["z_genuine.xlsx"].counted == 4  # read by a fresh worker after the failures


def test_where_no_address_space_cap_exists_a_watchdog_stops_the_worker(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on Windows: no RLIMIT_AS, so the supervisor watches the worker's resident memory."""
    monkeypatch.setattr(pool, "read_plain", misbehaving_reader)
    monkeypatch.setattr(pool, "needs_watchdog", lambda: True)
    folder = _folder(base, tmp_path / "in", ("c_hog",))
    limits = Limits(max_memory_bytes=64 * MB, max_seconds=20)
    checked = check_folder(base.plan, folder, YEAR, Options(limits=limits, workers=1))
    assert "メモリが上限 64MB" in _f20(checked, "c_hog")
    assert {r.file: r.counted for r in checked.file_rows if r.file}["z_genuine.xlsx"] == 4


def test_a_real_file_whose_reading_needs_more_than_the_cap_is_a_finding(
    base: Base, tmp_path: Path
) -> None:
    """No fake: a sheet within the row and column limits, but whose grid (100,000 x 200 cells)
    needs far more than a 64 MB cap — the worker is stopped, the batch is not."""
    scratch = tmp_path / "scratch"

    def far_cell(book) -> None:  # type: ignore[no-untyped-def]
        book[L.PROGRESS_SHEET]["GR100000"] = "x"

    edited(mutate=far_cell, name="a_big.xlsx")(base, scratch)
    folder = _folder(base, tmp_path / "in", ())
    shutil.copy(scratch / "a_big.xlsx", folder / "a_big.xlsx")
    limits = Limits(max_memory_bytes=64 * MB)
    checked = check_folder(base.plan, folder, YEAR, Options(limits=limits, workers=1))
    assert "64MB" in _f20(checked, "a_big")
    assert {r.file: r.counted for r in checked.file_rows if r.file}["z_genuine.xlsx"] == 4


def test_results_keep_the_order_of_the_files_whatever_worker_reads_them(tmp_path: Path) -> None:
    items = list(range(40))
    results = list(pool.isolated_map(_square_slowly, _never, items, Limits(), workers=3))
    assert results == [n * n for n in items]


def _square_slowly(n: int) -> int:
    time.sleep(0.01 * (n % 3))
    return n * n


def _never(item: object, reason: str) -> int:
    raise AssertionError(reason)


def test_without_linux_the_cap_is_left_to_the_watchdog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert pool.needs_watchdog()  # the worker then caps nothing itself (see _serve)
