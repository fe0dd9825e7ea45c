"""checks.identity.identify, called directly: which department a file is from (its `_meta`, or
else the 整理番号 of its rows), and the finding a user reads when it cannot be told — with the
file, sheet and value each names."""

from __future__ import annotations

import pytest

from pipeline import TEMPLATE_VERSION
from pipeline import labels as L
from pipeline.checks.identity import Identity, identify
from pipeline.model import Finding, Plan
from tests.checkplan import PATH, YEAR, A, B, make_plan, raw_rows, submitted

META = L.META_SHEET


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


NO_ROWS = raw_rows({})
SOME_ROWS = raw_rows({7: ("1-(1)-①", "支援事業", "件数")})


def _where(f: Finding) -> tuple[str, str, str, int | None, str | None, str]:
    return (f.rule, f.file, f.sheet, f.row, f.column, f.value)


def test_a_template_as_distributed_is_its_department_without_findings(plan: Plan) -> None:
    assert identify(submitted(plan), SOME_ROWS, plan, YEAR) == Identity(A, (), A)
    b = identify(submitted(plan, department=B), NO_ROWS, plan, YEAR)
    assert b == Identity(B, (), B)


def test_the_department_is_matched_as_a_key_and_given_in_the_plans_spelling(plan: Plan) -> None:
    file = submitted(
        plan, meta={L.META_DEPARTMENT: " Ａ課 ", L.META_PLAN_ID: " ｔｅｓｔ－ｐｌａｎ"}
    )
    assert identify(file, SOME_ROWS, plan, YEAR) == Identity(A, (), A)


def test_another_plans_template_is_f07_quoting_its_plan_id(plan: Plan) -> None:
    file = submitted(plan, meta={L.META_PLAN_ID: "other-plan"})
    identity = identify(file, SOME_ROWS, plan, YEAR)
    assert identity.department is None and identity.claimed == A  # feedback still goes to A課
    [f07] = identity.findings
    assert _where(f07) == ("F07", PATH, META, None, None, "other-plan")
    assert "別の計画（other-plan）" in f07.message and f07.severity == L.ERROR


def test_last_years_template_is_f08_naming_both_years(plan: Plan) -> None:
    file = submitted(plan, meta={L.META_YEAR: "令和6年度"})
    identity = identify(file, SOME_ROWS, plan, YEAR)
    assert identity.department is None and identity.claimed == A
    [f08] = identity.findings
    assert _where(f08) == ("F08", PATH, META, None, None, "令和6年度（2024年度）")
    assert "令和7年度（2025年度）の様式に入力して" in f08.message


def test_the_same_year_spelled_otherwise_is_accepted(plan: Plan) -> None:
    file = submitted(plan, meta={L.META_YEAR: "令和7年度"})
    assert identify(file, SOME_ROWS, plan, YEAR) == Identity(A, (), A)


@pytest.mark.parametrize("typed", ["来年", ""])
def test_a_year_that_is_not_one_is_f08_quoting_it_as_typed(plan: Plan, typed: str) -> None:
    identity = identify(submitted(plan, meta={L.META_YEAR: typed}), SOME_ROWS, plan, YEAR)
    [f08] = identity.findings
    assert _where(f08) == ("F08", PATH, META, None, None, typed)
    assert identity.department is None


def test_a_department_not_in_the_plan_is_b04_quoting_it(plan: Plan) -> None:
    identity = identify(submitted(plan, meta={L.META_DEPARTMENT: "Z課"}), SOME_ROWS, plan, YEAR)
    assert (identity.department, identity.claimed) == (None, None)
    [b04] = identity.findings
    assert _where(b04) == ("B04", PATH, META, None, None, "Z課")
    assert "担当課（Z課）" in b04.message


def test_an_older_template_version_is_f13_and_still_counted(plan: Plan) -> None:
    identity = identify(submitted(plan, meta={L.META_VERSION: "0"}), SOME_ROWS, plan, YEAR)
    assert identity.department == A
    [f13] = identity.findings
    assert _where(f13) == ("F13", PATH, META, None, None, "0")
    assert f"現在の版（{TEMPLATE_VERSION}）" in f13.message and f13.severity == L.WARNING


def test_a_changed_fingerprint_is_f14_and_still_counted(plan: Plan) -> None:
    identity = identify(submitted(plan, meta={L.META_FINGERPRINT: "0" * 64}), NO_ROWS, plan, YEAR)
    assert identity.department == A
    assert [_where(f) for f in identity.findings] == [("F14", PATH, META, None, None, "")]
    # B課's fingerprint in A課's file: the locked cells are not A課's
    b_print = submitted(plan, department=B).meta_value(L.META_FINGERPRINT)
    other = identify(submitted(plan, meta={L.META_FINGERPRINT: b_print}), NO_ROWS, plan, YEAR)
    assert [f.rule for f in other.findings] == ["F14"]


def test_old_version_and_changed_fingerprint_are_both_said_version_first(plan: Plan) -> None:
    file = submitted(plan, meta={L.META_VERSION: "0", L.META_FINGERPRINT: ""})
    identity = identify(file, NO_ROWS, plan, YEAR)
    assert [f.rule for f in identity.findings] == ["F13", "F14"]
    assert identity.department == A


def test_plan_checked_before_year_and_year_before_department(plan: Plan) -> None:
    wrong = {L.META_PLAN_ID: "x", L.META_YEAR: "2024", L.META_DEPARTMENT: "Z課"}
    assert [
        f.rule for f in identify(submitted(plan, meta=wrong), NO_ROWS, plan, YEAR).findings
    ] == ["F07"]
    del wrong[L.META_PLAN_ID]
    assert [
        f.rule for f in identify(submitted(plan, meta=wrong), NO_ROWS, plan, YEAR).findings
    ] == ["F08"]


# --- no _meta: the department owning most of the rows


def test_without_meta_the_department_of_most_rows_is_f10_naming_it(plan: Plan) -> None:
    rows = raw_rows({7: ("1-(1)-①",), 8: ("１－(１)－①",), 9: ("1-(1)-④",)})
    identity = identify(submitted(), rows, plan, YEAR)
    assert (identity.department, identity.claimed) == (A, A)
    [f10] = identity.findings
    assert _where(f10) == ("F10", PATH, "", None, None, "")
    assert "「A課」の様式として読み取りました" in f10.message and f10.severity == L.WARNING
    rows = raw_rows({7: ("1-(1)-①",), 8: ("1-(1)-④",), 9: ("1-(1)-④",), 10: (None,)})
    assert identify(submitted(), rows, plan, YEAR).department == B


def test_without_meta_a_file_of_unknown_numbers_is_f11(plan: Plan) -> None:
    rows = raw_rows({7: ("9-9-9",), 8: (None,), 9: ("",)})
    identity = identify(submitted(), rows, plan, YEAR)
    assert (identity.department, identity.claimed) == (None, None)
    assert [_where(f) for f in identity.findings] == [("F11", PATH, "", None, None, "")]


def test_a_relisted_number_does_not_tell_the_department(plan: Plan) -> None:
    """再掲 rows are not a department's own rows: a file of only those is F11."""
    identity = identify(submitted(), raw_rows({7: ("2-(1)-①",)}), plan, YEAR)
    assert [f.rule for f in identity.findings] == ["F11"]
    both = raw_rows({7: ("2-(1)-①",), 8: ("2-(1)-①",), 9: ("1-(1)-②",)})
    assert identify(submitted(), both, plan, YEAR).department == A


def test_a_readable_file_without_meta_or_rows_is_f11(plan: Plan) -> None:
    assert [f.rule for f in identify(submitted(), NO_ROWS, plan, YEAR).findings] == ["F11"]


def test_an_unreadable_file_without_meta_or_rows_is_left_to_the_reader(plan: Plan) -> None:
    """The reader has said why (F01-F06…): nothing is added about its department."""
    assert identify(submitted(readable=False), NO_ROWS, plan, YEAR) == Identity(None, ())


def test_an_unreadable_file_is_still_tied_by_its_meta_or_rows(plan: Plan) -> None:
    """A heading renamed (F09): the rows are rejected but the file is its department's."""
    by_meta = identify(submitted(plan, readable=False), NO_ROWS, plan, YEAR)
    assert by_meta == Identity(A, (), A)
    by_rows = identify(submitted(readable=False), raw_rows({7: ("1-(1)-④",)}), plan, YEAR)
    assert (by_rows.department, [f.rule for f in by_rows.findings]) == (B, ["F10"])
