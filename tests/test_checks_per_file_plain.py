"""checks.per_file.check_file on a worker's PlainSubmission (rows as lists, never a frame) gives
the FileReport it gives on the same rows as a frame (read_submission's Submission): the same
department, findings, rows read, and matched rows (integrity.match_grid beside match_rows)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline import labels as L
from pipeline.checks.integrity import match_rows, plain_rows
from pipeline.checks.per_file import check_file
from pipeline.messages import finding_at
from pipeline.model import RAW_DTYPES, FileReport, PlainSubmission, Plan, Submission, SubmittedFile
from tests.checkplan import PATH, YEAR, A, filled_a, make_plan, raw_rows, submitted


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


F09 = finding_at("F09", file=PATH, sheet=L.PROGRESS_SHEET, row=6, letter="A")
ROWS = {
    "as filled": filled_a(),
    "a locked cell edited": filled_a(
        row8=("1-(1)-①", "支援事業", "満足度", "％", "減少", None, 70)
    ),
    "rows added, repeated, of another department": {
        **filled_a(),
        12: ("9-(9)-⑨", "架空事業", "件数"),
        13: filled_a()[7],
        14: ("2-(1)-①", "他課の事業", "件数"),
    },
    "rows deleted": {7: filled_a()[7]},
    "no rows": {},
}
FILES = {
    "with _meta": lambda plan: submitted(plan),
    "without _meta": lambda plan: submitted(),
    "of another plan": lambda plan: submitted(plan, meta={L.META_PLAN_ID: "other"}),
    "unreadable": lambda plan: submitted(plan, readable=False),
}


def _seen(report: FileReport) -> tuple[object, ...]:
    matched = report.matched
    rows = (matched.columns, matched.rows, dict(matched.dtypes)) if matched else None
    return (
        report.file,
        report.department,
        report.claimed,
        report.findings,
        report.rows_read,
        report.row_findings,
        rows,
    )


@pytest.mark.parametrize("rows", ROWS.values(), ids=ROWS.keys())
@pytest.mark.parametrize("made", FILES.values(), ids=FILES.keys())
def test_rows_as_lists_give_the_report_rows_as_a_frame_give(
    plan: Plan,
    rows: dict[int, tuple[object, ...]],
    made: Callable[[Plan], SubmittedFile],
) -> None:
    file: SubmittedFile = made(plan)
    frame = raw_rows(rows)
    found = (F09,) if not file.readable else ()
    as_frame = check_file(Submission(file, frame, found), (plan, YEAR))
    grid, columns, dtypes = plain_rows(frame)
    assert dtypes == RAW_DTYPES
    as_lists = check_file(PlainSubmission(file, grid, columns, found), (plan, YEAR))
    assert _seen(as_lists) == _seen(as_frame)
    if as_lists.matched is not None:  # and the frame match_rows makes of the same rows
        framed = match_rows(file, frame, plan, A, YEAR).rows
        assert as_lists.matched.frame().equals(framed.reset_index(drop=True))
