"""checks.per_file.check_file, called directly on one read submission: the FileReport a worker
sends back — whom the file is from, the reader's findings then the identity's, the sheet rows
read, and the rows matched (only for a readable file of a known department)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.checks import per_file
from pipeline.checks.per_file import AskedPlan, check_file, plan_answer
from pipeline.messages import finding_at
from pipeline.model import PLAN_NUMBER, TARGET_SEQ, Plan, Submission
from tests.checkplan import PATH, YEAR, A, B, filled_a, make_plan, raw_rows, submitted


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


READ = finding_at("V02", file=PATH, sheet=L.PROGRESS_SHEET, row=7, letter="H", column="実績値")


def test_a_readable_file_is_tied_matched_and_keeps_the_readers_findings(plan: Plan) -> None:
    rows = filled_a(row8=("1-(1)-①", "支援事業", "満足度", "％", "減少", None, 70, 65))
    source = Path("/submissions") / PATH
    file = submitted(plan, meta={L.META_VERSION: "0"})
    report = check_file(Submission(file, raw_rows(rows), (READ,), source), (plan, YEAR))
    assert (report.file, report.source) == (file, source)
    assert (report.department, report.claimed) == (A, A)
    assert [f.rule for f in report.findings] == ["V02", "F13"]  # the reader's, then the identity's
    assert report.rows_read == (7, 8, 9, 10, 11)
    assert [(f.rule, f.cell) for f in report.row_findings] == [("I01", "E8")]
    assert report.matched is not None
    assert report.matched.frame()[TARGET_SEQ].tolist() == [1, None, 3, 1, 0]
    assert report.matched.frame()[PLAN_NUMBER].tolist()[:1] == ["1-(1)-①"]
    assert report.status == ""


def test_a_file_of_another_plan_is_not_matched(plan: Plan) -> None:
    file = submitted(plan, meta={L.META_PLAN_ID: "other"})
    report = check_file(Submission(file, raw_rows(filled_a()), ()), (plan, YEAR))
    assert (report.department, report.claimed) == (None, A)
    assert [f.rule for f in report.findings] == ["F07"]
    assert report.matched is None and report.row_findings == ()
    assert report.rows_read == (7, 8, 9, 10, 11) and report.source is None


def test_an_unreadable_file_of_a_department_is_its_but_not_matched(plan: Plan) -> None:
    """A heading renamed (F09 from the reader): A課 submitted, its rows are not matched."""
    f09 = finding_at("F09", file=PATH, sheet=L.PROGRESS_SHEET, row=6, letter="A")
    file = submitted(plan, readable=False)
    report = check_file(Submission(file, raw_rows({}), (f09,)), (plan, YEAR))
    assert (report.department, report.matched, report.row_findings) == (A, None, ())
    assert report.findings == (f09,) and report.rows_read == ()


def test_without_meta_the_rows_tell_the_department_and_are_matched(plan: Plan) -> None:
    report = check_file(Submission(submitted(), raw_rows(filled_a()), ()), (plan, YEAR))
    assert report.department == A
    assert [f.rule for f in report.findings] == ["F10"]
    assert report.matched is not None and report.row_findings == ()


def test_a_worker_asks_once_per_file_for_its_departments_rows(
    plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The department's spelling comes with its template rows: matching the file's rows asks
    nothing more (each question is a round trip to the main process)."""
    asked: list[object] = []
    answer = plan_answer(plan)

    def ask(question: object) -> object:
        asked.append(question)
        return answer(question)

    monkeypatch.setattr(per_file, "ask", ask)
    worker_plan = AskedPlan(YEAR)
    file = submitted(plan, meta={L.META_DEPARTMENT: "Ａ課"})
    report = check_file(Submission(file, raw_rows(filled_a()), ()), (worker_plan, YEAR))
    whole = check_file(Submission(file, raw_rows(filled_a()), ()), (plan, YEAR))
    assert (report.department, report.findings, report.row_findings) == (
        whole.department,
        whole.findings,
        whole.row_findings,
    )
    assert sorted(q[0] for q in asked) == ["department", "plan_id"]  # type: ignore[index]


def test_a_worker_asks_for_any_departments_rows_and_nothing_unknown(plan: Plan) -> None:
    answer = plan_answer(plan)
    worker_plan = AskedPlan(YEAR)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(per_file, "ask", answer)
        assert worker_plan.plan_id == plan.plan_id
        for department, year in ((B, YEAR), (A, YEAR - 1), (B, YEAR)):
            assert worker_plan.expected_rows(department, year) == plan.expected_rows(
                department, year
            )
        assert worker_plan.project("1-(1)-④") == plan.project("1-(1)-④")
        assert worker_plan.department_of_key("Z課") is None
    with pytest.raises(ValueError, match="unknown question 'x'"):
        answer(("x",))
