"""checks/per_file.py: the workers are started before the plan is read and never hold it; what
they ask of the main process (a department's template rows, a project, the plan id) gives each
file exactly the report it gets with the whole plan at hand — findings, identity, matched rows."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pandas as pd
import pytest

from pipeline.batch import Options, run
from pipeline.checks.per_file import AskedPlan, check_file, plan_answer
from pipeline.checks.request import plan_for
from pipeline.ingest import Limits, pool, read_all, scan_folder
from pipeline.ingest.pool import start_readers
from pipeline.ingest.reader import read_plain, read_submission
from pipeline.model import FileReport, Plan
from tests.hostile import CASES, YEAR, Base, make_base

# files tied to the plan in every way a worker must ask about: by _meta, by rows (no _meta:
# each 整理番号's project), rows of another department (its owner), unknown or other plan's
# departments, a renamed heading (not matched), duplicated, added and deleted rows
ASKING = (
    "meta_removed",
    "meta_removed_and_numbers_unknown",
    "meta_unknown_department",
    "meta_of_another_department",
    "meta_other_plan",
    "meta_year_garbage",
    "row_of_another_department",
    "added_row",
    "deleted_row",
    "duplicated_row",
    "edited_target_name",
    "edited_number",
    "renamed_header",
    "last_years_template",
)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def folder(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder holding each case in a subfolder, beside the genuine files."""
    root = tmp_path_factory.mktemp("asking")
    cases = {case.name: case for case in CASES}
    for name in ASKING:
        (root / name).mkdir()
        cases[name].build(base, root / name)
    for source in (base.filled, base.other):
        (root / source.name).write_bytes(source.read_bytes())
    return root


def _same(asked: FileReport, whole: FileReport) -> None:
    assert (asked.file, asked.source, asked.department, asked.claimed) == (
        whole.file,
        whole.source,
        whole.department,
        whole.claimed,
    )
    assert (asked.findings, asked.rows_read, asked.row_findings) == (
        whole.findings,
        whole.rows_read,
        whole.row_findings,
    )
    if whole.matched is None:
        assert asked.matched is None
    else:
        assert asked.matched is not None
        pd.testing.assert_frame_equal(asked.matched.frame(), whole.matched.frame())


def test_each_file_is_reported_as_with_the_whole_plan_at_hand(base: Base, folder: Path) -> None:
    paths, _ = scan_folder(folder)
    with start_readers(Limits(), workers=2) as readers:
        plan = plan_for(base.master, YEAR)  # read after the workers started, as the batch does
        context = (AskedPlan(YEAR), YEAR)
        asked = read_all(
            paths,
            folder,
            Limits(),
            check_file,
            context,
            2,
            plan.layout(),
            plan_answer(plan),
            readers,
        )
        reports = list(asked)
    assert len(reports) == len(ASKING) + 2
    for path, report in zip(paths, reports, strict=True):
        _same(report, check_file(read_submission(path, folder), (plan, YEAR)))
    rules = {str(f.rule) for r in reports for f in (*r.findings, *r.row_findings)}
    assert {"F07", "F08", "F10", "F11", "B04", "I01", "I02", "I03", "I04", "I05"} <= rules
    assert sum(r.matched is not None for r in reports) >= 8


def test_the_workers_never_hold_the_plan(
    base: Base, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def plans() -> int:
        return sum(isinstance(o, Plan) for o in gc.get_objects())

    def counting_reader(path: Path, root: Path, *args):  # type: ignore[no-untyped-def]
        (tmp_path / f"{os.getpid()}-{len(list(tmp_path.iterdir()))}").write_text(str(plans()))
        return read_plain(path, root, *args)

    monkeypatch.setattr(pool, "read_plain", counting_reader)
    held = plans()  # this test's own (the fixtures'), which any worker inherits
    report = run(base.master, folder, YEAR, None, Options(workers=2))
    assert report.plan is not None and plans() == held + 1  # the batch's own
    counts = [int(p.read_text()) for p in tmp_path.iterdir()]
    assert len(counts) == len(ASKING) + 2
    assert counts == [held] * len(counts)  # never the batch's plan
    assert os.getpid() not in {int(p.name.split("-")[0]) for p in tmp_path.iterdir()}


def test_a_plan_view_outside_a_worker_says_so() -> None:
    with pytest.raises(RuntimeError, match="worker"):
        AskedPlan(YEAR).department_of_key("A課")
