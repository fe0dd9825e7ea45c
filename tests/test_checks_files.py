"""Which file counts for a department (checks/files.py) and how its times are shown: the newest
by the workbook's own saved time, then the file time, then the path; times in Japan time."""

from __future__ import annotations

import pytest

from pipeline import labels as L
from pipeline.checks.files import (
    Candidate,
    Selection,
    secretariat_mistakes,
    select_files,
    unreported,
)
from pipeline.messages import finding
from pipeline.model import FileReport, Plan, SubmittedFile
from pipeline.report.tables import FileRow, status_table
from pipeline.years import local_time
from tests.builders import master_sheets, write_plan


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-1", "一の事業", "1-(1)", "A課", "", "", ""],
            ["1-(1)-2", "二の事業", "1-(1)", "A課", "", "", ""],
            ["1-(1)-3", "三の事業", "1-(1)", "B課", "", "", ""],
            ["1-(1)-4", "四の事業", "1-(1)", "A課", "", "", ""],
        ],
        targets=[
            ["1-(1)-1", "件数", "件", "増加", "", "10"],
            ["1-(1)-1", "回数", "回", "増加", "", "5"],
            ["1-(1)-2", "人数", "人", "増加", "", "10"],
            ["1-(1)-3", "件数", "件", "増加", "", "10"],
            ["1-(1)-4", "件数", "件", "増加", "", ""],  # no target this year
        ],
        years=[2024],
    )
    return write_plan(sheets, tmp_path_factory.mktemp("plan"))[1]


def _why(selection: Selection) -> str:
    (superseded,) = [f for f in selection.findings if f.rule == "B03"]
    return superseded.message


def _file(path: str, saved: str = "", modified: str = "") -> SubmittedFile:
    return SubmittedFile(path=path, size=1, sha256="0" * 64, saved_at=saved, modified_at=modified)


@pytest.mark.parametrize(
    ("iso", "shown"),
    [
        ("2025-05-20T09:00:00Z", "2025/05/20 18:00:00"),
        ("2025-05-20T20:30:00Z", "2025/05/21 05:30:00"),  # the next day in Japan
        ("2025-05-20T18:00:00+09:00", "2025/05/20 18:00:00"),
        ("2025-05-20T10:00:00+01:00", "2025/05/20 18:00:00"),
        ("2025-05-20T09:00:00", "2025/05/20 18:00:00"),  # no offset: UTC, as docProps says
        ("", ""),
        ("2024-12-31T15:00:00Z", "2025/01/01 00:00:00"),  # the year turns in Japan
        ("昨日", "昨日"),  # not a time: shown as written
    ],
)
def test_times_are_shown_in_japan_time(iso: str, shown: str) -> None:
    assert local_time(iso) == shown


def test_status_sheet_shows_the_saved_time_in_japan_time() -> None:
    row = FileRow("A課", L.SUBMITTED, "a.xlsx", "2025-05-20T09:00:00Z", "検証", "ab", 3, 2, 1, 1, 0)
    table = status_table([row])
    saved = [c.name for c in table.columns].index(L.STATUS_SAVED)
    assert table.rows[0][saved] == "2025/05/20 18:00:00"


def test_newest_saved_file_counts_and_the_older_one_says_why_in_japan_time(plan: Plan) -> None:
    old = _file("old.xlsx", saved="2025-05-20T09:00:00Z", modified="2025-06-02T00:00:00Z")
    new = _file("new.xlsx", saved="2025-05-21T00:30:00Z", modified="2025-06-01T00:00:00Z")
    selection = select_files([Candidate(old, "A課"), Candidate(new, "A課")], plan)
    assert selection.used["A課"] is new  # saved time wins over the (later) file time
    assert selection.status == {"new.xlsx": L.SUBMITTED, "old.xlsx": L.SUPERSEDED}
    superseded = [f for f in selection.findings if f.rule == "B03"]
    assert [(f.file, f.cell) for f in superseded] == [("old.xlsx", "")]
    assert "new.xlsx" in superseded[0].message
    assert "2025/05/21 09:30:00 が 2025/05/20 18:00:00 より新しい" in superseded[0].message


def test_offsets_are_compared_as_instants_not_as_text(plan: Plan) -> None:
    # 10:00+09:00 is 01:00Z: earlier than 02:00Z although its text sorts later
    japan = _file("japan.xlsx", saved="2025-05-20T10:00:00+09:00")
    utc = _file("utc.xlsx", saved="2025-05-20T02:00:00Z")
    selection = select_files([Candidate(utc, "A課"), Candidate(japan, "A課")], plan)
    assert selection.used["A課"] is utc
    assert "2025/05/20 11:00:00 が 2025/05/20 10:00:00 より新しい" in _why(selection)


def test_equal_saved_times_fall_back_to_the_file_time_then_the_path(plan: Plan) -> None:
    same = "2025-05-20T09:00:00Z"
    a = _file("a.xlsx", saved=same, modified="2025-06-01T00:00:00Z")
    b = _file("b.xlsx", saved=same, modified="2025-06-01T03:00:00Z")
    selection = select_files([Candidate(b, "A課"), Candidate(a, "A課")], plan)
    assert selection.used["A課"] is b
    assert "ファイルの更新日時 2025/06/01 12:00:00 が 2025/06/01 09:00:00 より新しい" in (
        _why(selection)
    )
    c = _file("c.xlsx", saved=same, modified="2025-06-01T03:00:00Z")
    selection = select_files([Candidate(c, "A課"), Candidate(b, "A課")], plan)
    assert selection.used["A課"] is c
    assert "パス名の順で後のファイル" in _why(selection)


def test_a_file_without_a_saved_time_loses_to_one_with_it(plan: Plan) -> None:
    unknown = _file("unknown.xlsx", modified="2030-01-01T00:00:00Z")
    known = _file("known.xlsx", saved="2020-01-01T00:00:00Z")
    selection = select_files([Candidate(unknown, "A課"), Candidate(known, "A課")], plan)
    assert selection.used["A課"] is known
    assert "2020/01/01 09:00:00 が 不明 より新しい" in _why(selection)


def test_departments_without_a_file_are_missing_and_files_outside_the_plan_are_listed(
    plan: Plan,
) -> None:
    stray = _file("stray.xlsx")
    selection = select_files([Candidate(_file("a.xlsx"), "A課"), Candidate(stray, None)], plan)
    assert selection.status == {"a.xlsx": L.SUBMITTED, "stray.xlsx": L.OUT_OF_PLAN}
    missing = [(f.rule, f.cell, f.value) for f in selection.findings]
    assert missing == [("B01", "", "B課")]
    assert "「B課」の進捗状況シートが提出されていません" in selection.findings[0].message


def test_a_project_nobody_reported_is_named_once_with_its_targets(plan: Plan) -> None:
    reported = {("1-(1)-2", 1)}
    found = unreported(plan, 2024, reported, ["A課"])
    assert [(f.rule, f.number, f.cell, f.value) for f in found] == [
        ("B02", "1-(1)-1", "", "件数、回数")
    ]  # 1-(1)-3 is B課's (not submitted: B01), 1-(1)-4 has no target this year
    assert unreported(plan, 2024, {("1-(1)-1", 2), ("1-(1)-2", 1)}, ["A課"]) == []
    assert [f.number for f in unreported(plan, 2024, set(), ["A課", "B課"])] == [
        "1-(1)-1",
        "1-(1)-2",
        "1-(1)-3",
    ]


def test_a_time_without_offset_is_utc_whatever_the_machines_zone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert local_time("2025-05-20T09:00:00") == "2025/05/20 18:00:00"
        assert local_time("2025-05-20T09:00:00Z") == "2025/05/20 18:00:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_time_without_offset_and_one_with_are_compared_as_instants(plan: Plan) -> None:
    naive = _file("naive.xlsx", saved="2025-05-20T09:00:00")  # UTC, as docProps writes it
    japan = _file("japan.xlsx", saved="2025-05-20T17:00:00+09:00")  # 08:00Z: older
    selection = select_files([Candidate(japan, "A課"), Candidate(naive, "A課")], plan)
    assert selection.used["A課"] is naive
    assert "2025/05/20 18:00:00 が 2025/05/20 17:00:00 より新しい" in _why(selection)


def test_every_department_is_looked_at_even_after_a_missing_one(plan: Plan) -> None:
    selection = select_files([Candidate(_file("b.xlsx"), "B課")], plan)
    assert selection.used == {"B課": selection.used["B課"]}
    assert [(f.rule, f.value, f.number, f.file) for f in selection.findings] == [
        ("B01", "A課", "", "")
    ]


def test_same_saved_and_file_time_say_the_path_decided() -> None:
    same = "2025-05-20T09:00:00Z"
    a, b = _file("a.xlsx", saved=same), _file("b.xlsx", saved=same)
    from pipeline.checks.files import _why as why

    assert why(b, a) == "保存日時が同じため、パス名の順で後のファイルを採用"


def test_unreported_looks_past_projects_of_departments_that_did_not_submit(plan: Plan) -> None:
    found = unreported(plan, 2024, set(), ["B課"])
    assert [(f.rule, f.number, f.value) for f in found] == [("B02", "1-(1)-3", "件数")]


def _read(path: str, year: str) -> FileReport:
    file = SubmittedFile(
        path=path, size=1, sha256="0" * 64, readable=True, meta=((L.META_YEAR, year),)
    )
    return FileReport(file, None, None, None, (), (), None)


def test_files_of_several_other_years_are_not_the_wrong_year() -> None:
    """A folder holding past years' files too (a parent folder given): no one other year is
    most of it, so B05 would name a year that is not the likely one; each file keeps its F08."""
    reports = [_read("a.xlsx", "2024"), _read("b.xlsx", "2023"), _read("c.xlsx", "2022")]
    f08 = [finding("F08", file=p) for p in ("b.xlsx", "c.xlsx")]
    other, kept = secretariat_mistakes("提出", 2024, reports, 3, 1, f08)
    assert other is None and kept == f08
    reports.append(_read("d.xlsx", "2023"))
    f08.append(finding("F08", file="d.xlsx"))
    reports = [r for r in reports if r.file.path != "a.xlsx"]  # 2023 is now most of the folder
    other, kept = secretariat_mistakes("提出", 2024, reports, 3, 0, f08)
    assert other == 2023 and [f.rule for f in kept][-1] == "B05"
