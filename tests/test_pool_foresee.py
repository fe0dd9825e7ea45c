"""What a file's job will ask, foreseen while the file is read ahead (ingest.pool
Readers.read_ahead `foresee`, checks.per_file.Foresee): the answer comes with the file's task,
so the worker does not wait for the main process, and what is found is the same."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.batch import Options, check_folder
from pipeline.checks import per_file
from pipeline.checks.per_file import Foresee
from pipeline.ingest import pool, scan_folder
from pipeline.ingest.limits import Limits
from tests.hostile import YEAR, Base, make_base
from tests.test_pool import _folder


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def test_a_held_files_question_comes_answered_with_its_task(
    base: Base, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(base, tmp_path / "in", ("b_other",))
    expected = check_folder(base.plan, folder, YEAR, Options(workers=2))
    log = tmp_path / "log"
    log.touch()
    read, ask = pool._ReadAhead.__call__, pool.ask

    def reading(job: Any, path: Path) -> Any:  # in the worker (forked after this is set)
        result = read(job, path)
        with log.open("a") as out:
            print("read", path.name, file=out)
        return result

    def asking(question: Any) -> Any:
        with log.open("a") as out:  # was it answered before it was asked?
            print("ask", question[0], question in pool._answered, file=out)
        return ask(question)

    monkeypatch.setattr(pool._ReadAhead, "__call__", reading)
    monkeypatch.setattr(per_file, "ask", asking)
    limits = Limits()
    with pool.start_readers(limits, 2) as readers:
        paths, _ = scan_folder(folder)
        readers.read_ahead(paths, folder, limits, foresee=Foresee(YEAR))
        waited = time.monotonic()
        while log.read_text().count("read") < 2 and time.monotonic() - waited < 20:
            time.sleep(0.05)
        checked = check_folder(base.plan, folder, YEAR, Options(workers=2), readers)
    assert (checked.file_rows, checked.finding_list) == (expected.file_rows, expected.finding_list)
    asked = [line.split()[1:] for line in log.read_text().splitlines() if line.startswith("ask")]
    assert [a for a in asked if a[0] == "department"] == [["department", "True"]] * 2
    assert log.read_text().count("read") == 2  # each file read once: ahead


def test_a_file_without_meta_foresees_nothing(base: Base) -> None:
    from pipeline.ingest.reader import read_submission

    submission = read_submission(base.filled, base.filled.parent)
    assert Foresee(YEAR)(submission) == ("department", submission.file.meta_value("担当課"), YEAR)
    bare = type(submission)(
        submission.file.__class__(**{**vars(submission.file), "meta": ()}),
        submission.rows,
        submission.findings,
    )
    assert Foresee(YEAR)(bare) is None
