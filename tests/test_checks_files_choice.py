"""Which files of a folder count (checks/files.use_files) and the secretariat's own mistakes
(secretariat_mistakes: B05 wrong --year, B06 no workbook, B07 nothing counted), called directly
on hand-made file reports: milliseconds, no workbook, no worker pool."""

from __future__ import annotations

import pytest

from pipeline import labels as L
from pipeline.checks.files import (
    Candidate,
    secretariat_mistakes,
    select_files,
    unreported,
    use_files,
)
from pipeline.messages import finding, finding_at
from pipeline.model import (
    PLAN_NUMBER,
    TARGET_SEQ,
    FileReport,
    Finding,
    PlainMatched,
    Plan,
    SubmittedFile,
)
from tests.builders import write_plan
from tests.checkplan import YEAR, A, B, make_plan
from tests.test_figures import project_sheets


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return make_plan(tmp_path_factory.mktemp("plan"))


@pytest.fixture(scope="module")
def by_project(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    """Graded per project; 防災課 plans nothing in FY2026 (so is not expected that year)."""
    sheets = project_sheets()
    sheets[L.MASTER_SCHEDULE_SHEET][2] = ["P2", "実施", ""]
    return write_plan(sheets, tmp_path_factory.mktemp("projects"))[1]


def _file(path: str, saved: str, year: str = "", readable: bool = True) -> SubmittedFile:
    meta = ((L.META_YEAR, year),) if year else ()
    return SubmittedFile(path, 1, "0" * 64, saved_at=saved, meta=meta, readable=readable)


def _rows(*numbers: str) -> PlainMatched:
    """Matched rows as a worker returns them (the columns use_files reads)."""
    rows: list[list[object]] = [[n, 1, n.replace("１", "1")] for n in numbers]
    return PlainMatched((L.NUMBER, TARGET_SEQ, PLAN_NUMBER), rows, {})


def _report(
    file: SubmittedFile,
    department: str | None,
    rows: PlainMatched | None,
    findings: tuple[Finding, ...] = (),
    row_findings: tuple[Finding, ...] = (),
) -> FileReport:
    return FileReport(file, None, department, department, findings, (), rows, row_findings)


def _codes(findings: list[Finding]) -> list[tuple[str, str, str]]:
    return [(f.rule, f.file, f.cell) for f in findings]


def test_the_newest_file_is_used_and_the_others_keep_only_the_findings_that_say_why(
    plan: Plan,
) -> None:
    old, new = _file("a_old.xlsx", "2025-05-01T00:00:00Z"), _file("a_new.xlsx", "2025-05-02T00:00Z")
    stray = _file("stray.xlsx", "2025-05-03T00:00:00Z")
    reports = [
        _report(
            old,
            A,
            _rows("1-(1)-②"),
            findings=(
                finding_at("V05", file=old.path, row=7, letter="J"),
                finding("F10", file=old.path),
            ),
            row_findings=(finding_at("I02", file=old.path, row=9, letter="A"),),
        ),
        _report(
            new,
            A,
            _rows("１-(1)-①", "1-(1)-③"),
            findings=(finding_at("V06", file=new.path, row=8, letter="J"),),
            row_findings=(finding_at("I04", file=new.path, row=10, letter="A"),),
        ),
        _report(stray, None, None, findings=(finding("B04", file=stray.path, value="C課"),)),
    ]
    used = use_files(reports, plan, YEAR)
    assert {r.file.path: r.status for r in used.reports} == {
        "a_old.xlsx": L.SUPERSEDED,
        "a_new.xlsx": L.SUBMITTED,
        "stray.xlsx": L.OUT_OF_PLAN,
    }
    assert all(r.matched is None for r in used.reports)  # the rows live on in `rows` only
    # the superseded file: its B03 and its file finding, not its value or row findings
    assert _codes(used.findings) == [
        ("B03", "a_old.xlsx", ""),
        ("B01", "", ""),  # B課 sent nothing
        ("F10", "a_old.xlsx", ""),
        ("V06", "a_new.xlsx", "J8"),
        ("I04", "a_new.xlsx", "A10"),
        ("B04", "stray.xlsx", ""),
    ]
    assert used.findings[1].value == B
    assert used.rows[L.NUMBER].tolist() == ["１-(1)-①", "1-(1)-③"]  # the new file's rows only
    assert used.present == {"1-(1)-1", "1-(1)-3"}  # as keys: full-width １ and ① folded
    assert used.departments == {A: new}
    assert used.files == {"a_old.xlsx": old, "a_new.xlsx": new, "stray.xlsx": stray}
    assert used.readable == [A]


def test_a_file_in_use_rejected_whole_counts_no_rows_and_is_not_readable(plan: Plan) -> None:
    broken = _file("b.xlsx", "2025-05-01T00:00:00Z", readable=False)
    fine = _file("a.xlsx", "2025-05-01T00:00:00Z")
    reports = [
        _report(broken, B, None, findings=(finding("F09", file=broken.path),)),
        _report(fine, A, _rows("1-(1)-①")),
    ]
    used = use_files(reports, plan, YEAR)
    assert [r.status for r in used.reports] == [L.SUBMITTED, L.SUBMITTED]
    assert _codes(used.findings) == [("F09", "b.xlsx", "")]
    assert used.rows[L.NUMBER].tolist() == ["1-(1)-①"]
    assert used.readable == [A]  # B課's file is in use but could not be read


def test_no_file_in_use_gives_no_rows_in_the_rows_columns(plan: Plan) -> None:
    stray = _file("stray.xlsx", "")
    used = use_files([_report(stray, None, None)], plan, YEAR)
    assert used.rows.empty and used.present == set()
    assert {L.NUMBER, TARGET_SEQ, PLAN_NUMBER} <= set(used.rows.columns)
    assert [(f.rule, f.value) for f in used.findings] == [("B01", A), ("B01", B)]


def test_a_department_with_nothing_planned_this_year_is_not_expected(by_project: Plan) -> None:
    """Graded per project, 防災課 plans nothing in FY2026: no 未提出 for it, and a file it
    sends anyway is 対象外 and not counted."""
    welfare = _file("福祉課.xlsx", "2026-05-01T00:00:00Z")
    safety = _file("防災課.xlsx", "2026-05-01T00:00:00Z")
    reports = [
        _report(welfare, "福祉課", _rows("P1")),
        _report(safety, "防災課", _rows("P2"), findings=(finding("V05", file=safety.path),)),
    ]
    used = use_files(reports, by_project, 2026)
    assert {r.file.path: r.status for r in used.reports} == {
        "福祉課.xlsx": L.SUBMITTED,
        "防災課.xlsx": L.OUT_OF_PLAN,
    }
    assert [(f.rule, f.value) for f in used.findings] == [("B01", "環境課")]
    assert used.rows[L.NUMBER].tolist() == ["P1"]
    assert used.departments == {"福祉課": welfare}
    selection = select_files([Candidate(welfare, "福祉課")], by_project, 2026)
    assert [f.value for f in selection.findings if f.rule == "B01"] == ["環境課"]
    assert [f.number for f in selection.findings] == [""]


def test_graded_per_project_a_project_is_reported_by_its_row_without_a_target(
    by_project: Plan,
) -> None:
    """Per project the unit has no target: reported as (number, 0), named by the project."""
    reported = {("P1", 0), ("P5", 0)}
    found = unreported(by_project, 2026, reported, ["福祉課", "環境課"])
    assert [(f.rule, f.number, f.value) for f in found] == [
        ("B02", "P3", "空き家活用"),
        ("B02", "P7", "ごみ減量啓発"),
    ]


# --- the secretariat's mistakes ----------------------------------------------------------


def test_no_workbook_is_one_b06_naming_the_folder_instead_of_every_missing_department() -> None:
    b01 = [finding("B01", department=d, value=d) for d in (A, B)]
    other = finding("F23", file="メモ.txt")
    year, found = secretariat_mistakes("提出/令和7年度", YEAR, [], 0, 0, [*b01, other])
    assert year is None
    assert [(f.rule, f.file, f.value) for f in found] == [
        ("F23", "メモ.txt", ""),
        ("B06", "", "提出/令和7年度"),
    ]
    assert "提出フォルダ「提出/令和7年度」に Excel ブック" in found[-1].message


def _year_reports(*years: str) -> tuple[list[FileReport], list[Finding]]:
    """A file per year given; F08 for each not of YEAR (as the worker says it)."""
    reports = [
        _report(_file(f"f{i}.xlsx", "", year=y), A, None) for i, y in enumerate(years, start=1)
    ]
    f08 = [
        finding("F08", file=r.file.path, value=y)
        for r, y in zip(reports, years, strict=True)
        if y not in (str(YEAR), "")
    ]
    return reports, f08


def test_most_files_of_one_other_year_is_one_b05_naming_that_year_and_the_option() -> None:
    reports, f08 = _year_reports("2024", "令和6年度", "2025")  # 2 of 3: most of them
    b01 = finding("B01", department=B, value=B)
    year, found = secretariat_mistakes("提出", YEAR, reports, 3, 0, [b01, *f08])
    assert year == 2024
    assert [(f.rule, f.file) for f in found] == [
        ("F08", "f1.xlsx"),
        ("F08", "f2.xlsx"),
        ("B05", ""),
    ]
    b05 = found[-1]
    assert b05.value == "令和6年度（2024年度）"
    assert b05.message == (
        "読み取れた提出ファイル 3 件のうち 2 件は令和6年度（2024年度）の様式です。--year の指定"
        "（令和7年度（2025年度））が誤っていませんか。令和6年度（2024年度）として集計するには"
        " --year 2024 を指定してください。"
    )


@pytest.mark.parametrize(
    "years",
    [
        ("2024", "2025"),  # half, not most
        ("2024", "2025", "2025"),
        ("2024", "2024", "2025", "2025"),
        ("2024", "2023", "2025"),  # several other years, none of them most
    ],
)
def test_a_wrong_year_that_is_not_most_of_the_files_is_no_b05(years: tuple[str, ...]) -> None:
    reports, f08 = _year_reports(*years)
    year, found = secretariat_mistakes("提出", YEAR, reports, len(years), 2, f08)
    assert year is None and found == f08  # each file keeps its F08; nothing else is added


def test_unreadable_files_and_unparsable_years_do_not_make_a_majority() -> None:
    reports, f08 = _year_reports("2024", "2024")
    unreadable = [_report(_file(f"x{i}.xlsx", "", readable=False), A, None) for i in range(3)]
    # two of the two readable files are of 2024: unreadable ones are not counted as files
    assert secretariat_mistakes("提出", YEAR, [*reports, *unreadable], 5, 0, f08)[0] == 2024
    garbled = [_report(_file("g.xlsx", "", year="来年"), A, None)]
    f08 += [finding("F08", file="g.xlsx", value="来年")]
    reports, _ = _year_reports("2024", "2025")
    year, found = secretariat_mistakes("提出", YEAR, [*reports, *garbled], 3, 1, f08)
    assert year is None and [f.rule for f in found] == ["F08", "F08", "F08"]


def test_nothing_counted_is_one_b07_with_the_number_of_workbooks() -> None:
    f09 = [finding("F09", file="a.xlsx"), finding("B01", department=B, value=B)]
    reports, _ = _year_reports("2025", "2025")
    year, found = secretariat_mistakes("提出", YEAR, reports, 4, 0, f09)
    assert year is None
    assert [f.rule for f in found] == ["F09", "B01", "B07"]
    assert found[-1].message.startswith("提出ファイル 4 件から集計できた行が1行もありません。")
    assert secretariat_mistakes("提出", YEAR, reports, 4, 1, f09) == (None, f09)


def test_the_rows_of_every_file_in_use_are_merged_under_one_fresh_index(plan: Plan) -> None:
    """Later stages line columns up by index: two files' rows must not share index labels."""
    a, b = _file("a.xlsx", ""), _file("b.xlsx", "")
    reports = [_report(a, A, _rows("1-(1)-①", "1-(1)-③")), _report(b, B, _rows("1-(1)-④"))]
    used = use_files(reports, plan, YEAR)
    assert used.rows[L.NUMBER].tolist() == ["1-(1)-①", "1-(1)-③", "1-(1)-④"]
    assert list(used.rows.index) == [0, 1, 2]
    assert used.findings == [] and used.readable == [A, B]


def test_a_project_whose_rows_were_rejected_is_explained_not_unreported(plan: Plan) -> None:
    """Its 整理番号 is present in a file (the rows' own findings say what is wrong): no B02."""
    assert [f.number for f in unreported(plan, YEAR, set(), [A])] == ["1-(1)-①", "1-(1)-②"]
    explained = frozenset({"1-(1)-1"})  # the key of 1-(1)-①
    assert [f.number for f in unreported(plan, YEAR, set(), [A], explained)] == ["1-(1)-②"]


def test_numbers_typed_as_numbers_are_each_present_by_their_own_key(plan: Plan) -> None:
    """整理番号 1 and 1.0 (a number cell, and a formula's float) are equal values but not the
    same key: each is present (a plan numbering its projects 1, 2, … explains a rejected row of
    1 by it), as texts are each once."""
    a = _file("a.xlsx", "")
    numbers: list[object] = [1.0, 1, "1-(1)-①", " 1-(1)-① "]
    rows = PlainMatched((L.NUMBER, TARGET_SEQ, PLAN_NUMBER), [[n, 1, None] for n in numbers], {})
    used = use_files([_report(a, A, rows)], plan, YEAR)
    assert used.present == {"1.0", "1", "1-(1)-1"}  # keys: as the plan's are compared
