"""Workers read the submissions ahead while the main process reads the plan (ingest.pool,
Readers.read_ahead): a file read ahead gives the same result as one read when its turn comes, and
a worker that dies or hangs while reading ahead is replaced without its failure landing on
another file."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.batch import Options, check_folder
from pipeline.ingest import pool, scan_folder
from pipeline.ingest.limits import Limits
from pipeline.ingest.reader import read_plain
from tests.hostile import YEAR, Base, make_base
from tests.test_pool import _folder, misbehaving_reader


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _noting(monkeypatch: pytest.MonkeyPatch, notes: Path) -> None:
    """Workers started from now on leave a note once they have read a file (ahead or not)."""
    notes.mkdir()

    def read(path: Path, *args):  # type: ignore[no-untyped-def]
        submission = read_plain(path, *args)
        (notes / path.name).touch()
        return submission

    monkeypatch.setattr(pool, "read_plain", read)


def _read_by_now(notes: Path, paths: list[Path]) -> None:
    """Wait until every file of `paths` has been read (not a fixed sleep: seconds on a loaded
    machine, milliseconds on a quiet one)."""
    deadline = time.monotonic() + 120
    while not all((notes / p.name).exists() for p in paths):
        assert time.monotonic() < deadline, "the files were never read ahead"
        time.sleep(0.01)


def _seen(checked):  # type: ignore[no-untyped-def]
    """What a user sees of a checked folder: the 提出状況 lines and the findings."""
    return checked.file_rows, checked.finding_list


def test_files_read_ahead_are_used_and_give_what_reading_them_later_gives(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(base, tmp_path / "in", ("b_other",))
    limits = Limits()
    expected = check_folder(base.plan, folder, YEAR, Options(workers=2))
    _noting(monkeypatch, tmp_path / "read")
    with pool.start_readers(limits, 2) as readers:
        paths, _ = scan_folder(folder)
        readers.read_ahead(paths, folder, limits)
        _read_by_now(tmp_path / "read", paths)
        for path in paths:  # what is held is used: the broken bytes are never read
            path.write_bytes(b"PK\x03\x04 not a workbook any more")
        checked = check_folder(base.plan, folder, YEAR, Options(workers=2), readers)
    assert _seen(checked) == _seen(expected)
    assert {r.file: r.counted for r in checked.file_rows if r.file}["z_genuine.xlsx"] == 4
    broken = check_folder(base.plan, folder, YEAR, Options(workers=2))  # read now: broken
    assert {f.rule for f in broken.finding_list if f.file == "z_genuine.xlsx"} == {"F01"}


def test_a_worker_that_dies_or_hangs_reading_ahead_is_replaced_and_each_file_named(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pool, "read_plain", misbehaving_reader)
    folder = _folder(base, tmp_path / "in", ("a_abort", "d_slow"))
    limits = Limits(max_seconds=2)
    started = time.monotonic()
    with pool.start_readers(limits, 2) as readers:
        paths, _ = scan_folder(folder)
        readers.read_ahead(paths, folder, limits)
        time.sleep(0.5)  # one worker has died on a_abort, the other sleeps in d_slow
        checked = check_folder(base.plan, folder, YEAR, Options(limits=limits), readers)
    assert time.monotonic() - started < 20
    found = {(f.file, f.rule, f.severity) for f in checked.finding_list}
    assert ("a_abort.xlsx", "F20", L.ERROR) in found
    assert ("d_slow.xlsx", "F20", L.ERROR) in found
    assert not [f for f in checked.finding_list if f.file == "z_genuine.xlsx"]
    assert {r.file: r.counted for r in checked.file_rows if r.file}["z_genuine.xlsx"] == 4


def test_files_read_ahead_for_another_layout_are_read_again(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The layout is the plan's, not known while reading ahead: held rows of another layout
    are not used."""
    folder = _folder(base, tmp_path / "in", ())
    limits = Limits()
    expected = check_folder(base.plan, folder, YEAR, Options(workers=1))
    other = pool.Layout((*base.plan.layout().columns, "余分な列"), base.plan.layout().editable)
    _noting(monkeypatch, tmp_path / "read")
    with pool.start_readers(limits, 1) as readers:
        paths, _ = scan_folder(folder)
        readers.read_ahead(paths, folder, limits, other)
        _read_by_now(tmp_path / "read", paths)
        checked = check_folder(base.plan, folder, YEAR, Options(workers=1), readers)
    assert _seen(checked) == _seen(expected)
