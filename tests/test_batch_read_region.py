"""The read part of batch.check_folder: the folder is scanned once (the scan made to read it
ahead is the one checked), the value schemas are built once, while the workers are served, and
readers that read another folder ahead change nothing of what is found."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline import batch
from pipeline.batch import Options, check_folder, validate
from pipeline.checks import values
from pipeline.ingest import pool
from pipeline.ingest.limits import Limits
from tests.hostile import YEAR, Base, make_base
from tests.test_pool import _folder


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def folder(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = _folder(base, tmp_path_factory.mktemp("read") / "in", ("b_other",))
    (folder / "メモ.txt").write_text("提出物ではない")  # a note of the scan (F15)
    return folder


def _counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls = {"scan": 0, "warm_up": 0}
    scan, warm_up = batch.scan_folder, values.warm_up

    def scanning(root: Path):  # type: ignore[no-untyped-def]
        calls["scan"] += 1
        return scan(root)

    def warming(plan, year=None):  # type: ignore[no-untyped-def]
        calls["warm_up"] += 1
        return warm_up(plan, year)

    monkeypatch.setattr(batch, "scan_folder", scanning)
    monkeypatch.setattr(values, "warm_up", warming)
    return calls


def test_the_folder_is_scanned_once_and_the_schemas_built_once(
    base: Base, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counted(monkeypatch)
    checked = validate(base.master, folder, YEAR, None, Options(workers=1))
    assert calls == {"scan": 1, "warm_up": 1}
    alone = check_folder(base.plan, folder, YEAR, Options(workers=1))  # no readers: scanned here
    assert calls == {"scan": 2, "warm_up": 2}
    assert (checked.file_rows, checked.finding_list) == (alone.file_rows, alone.finding_list)
    assert "F15" in {f.rule for f in checked.finding_list}
    assert len(checked.file_reports) == 2


def test_readers_that_scanned_another_folder_leave_the_checked_one_as_it_is(
    base: Base, folder: Path, tmp_path: Path
) -> None:
    other = _folder(base, tmp_path / "other", ())
    with pool.start_readers(Limits(), 1) as readers:
        readers.scanned = (other, [other / "z_genuine.xlsx"], [])
        checked = check_folder(base.plan, folder, YEAR, Options(workers=1), readers)
    assert "F15" in {f.rule for f in checked.finding_list}  # the checked folder's own note
    assert {r.file.path for r in checked.file_reports} == {"b_other.xlsx", "z_genuine.xlsx"}


def test_the_schemas_are_built_while_the_workers_are_served_before_any_result(
    base: Base, folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pandera's import (~0.3 s) is not left until the first file is matched (the main process
    would wait idle for it): it is done at once, while the serving thread takes the workers'
    results, so a city's files are matched during the import."""
    events: list[str] = []
    warm_up, collect = values.warm_up, pool._Supervisor._collect

    def warming(plan, year=None):  # type: ignore[no-untyped-def]
        events.append("schemas")
        warm_up(plan, year)
        deadline = time.monotonic() + 20  # busy, as an import keeps the interpreter
        while "matched" not in events and time.monotonic() < deadline:
            sum(range(200))
        events.append("schemas built")

    def collecting(self, worker, done):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 20  # taken once the main thread is building the schemas:
        while "schemas" not in events and time.monotonic() < deadline:  # on a loaded machine
            time.sleep(0.001)  # a worker could otherwise answer before warm_up is called
        before = len(done)
        failure = collect(self, worker, done)
        if len(done) > before:
            events.append("matched")  # a file's report taken, in the serving thread
        return failure

    def progress(items, label, total):  # type: ignore[no-untyped-def]
        for item in items:
            events.append(item.file.path)
            yield item

    monkeypatch.setattr(values, "warm_up", warming)
    monkeypatch.setattr(pool._Supervisor, "_collect", collecting)
    validate(base.master, folder, YEAR, None, Options(workers=1, progress=progress))
    files = ["b_other.xlsx", "z_genuine.xlsx"]
    assert [e for e in events if e != "matched"] == ["schemas", "schemas built", *files]
    assert events.index("schemas") < events.index("matched") < events.index("schemas built")
