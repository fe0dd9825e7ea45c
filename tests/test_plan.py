"""The plan master: the bundled Sendai plan, its CSV source, and masters that must be refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.cli import main
from pipeline.demo import bundled_folder, bundled_master, bundled_names
from pipeline.plan import PlanError, read_plan
from pipeline.plan_source import cell_value, read_source
from tests.builders import master_sheets, write_plan

REPO = Path(__file__).resolve().parents[1]
BUNDLED = REPO / "pipeline" / "data" / "sendai2021_計画マスタ.xlsx"
SOURCE = REPO / "pipeline" / "data" / "sendai2021"


def test_bundled_sendai_plan_has_the_seeds_structure() -> None:
    plan = read_plan(BUNDLED)
    assert plan.levels == ("分野", "施策")
    assert [g.code for g in plan.grades] == ["A", "B", "C"]
    assert [n.code for n in plan.nodes if n.level == 0] == ["1", "2", "3"]
    assert sum(1 for n in plan.nodes if n.level == 1) == 13
    assert len(plan.projects) == 87
    relisted = [p for p in plan.projects if p.is_relisting]
    assert len(relisted) == 8
    assert all(plan.project(p.relisted_from or "") is not None for p in relisted)
    assert plan.project("1-(1)-①").department == "市民局地域政策課"  # from the seed's card
    assert "サンプル" in plan.note  # targets are illustrative, and the master says so


@pytest.mark.parametrize("bundled", bundled_names())
def test_bundled_master_agrees_with_its_csv_source(bundled: str) -> None:
    book = load_workbook(bundled_master(bundled), read_only=True)
    source = read_source(bundled_folder() / bundled)
    assert set(book.sheetnames) == set(source)
    for name in source:
        rows = [list(r) for r in book[name].iter_rows(values_only=True)]
        expected = [
            [cell_value(source[name][0][c], t) for c, t in enumerate(r)] for r in source[name]
        ]
        trimmed = [[v for v in row][: len(expected[0])] for row in rows]
        assert [r + [None] * (len(expected[0]) - len(r)) for r in expected] == trimmed, name


def _sheets(**changes: object) -> dict[str, list[list[str]]]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[["1-(1)-①", "事業A", "1-(1)", "A課", "新規", "", "内容"]],
        targets=[["1-(1)-①", "参加者数", "人", "増加", "", "100", "110"]],
        years=[2024, 2025],
    )
    for name, edit in changes.items():
        edit(sheets[name])  # type: ignore[operator]
    return sheets


def _refused(tmp_path: Path, **changes: object) -> list[tuple[str, str, str]]:
    with pytest.raises(PlanError) as raised:
        write_plan(_sheets(**changes), tmp_path)
    return [(f.sheet, f.cell, f.rule) for f in raised.value.findings]


def test_a_good_master_reads(tmp_path: Path) -> None:
    _, plan = write_plan(_sheets(), tmp_path)
    assert plan.targets[0].value_for(2025) == 110
    assert plan.departments() == ["A課"]


def test_missing_sheet_is_named(tmp_path: Path) -> None:
    sheets = _sheets()
    del sheets[L.MASTER_TARGET_SHEET]
    with pytest.raises(PlanError) as raised:
        write_plan(sheets, tmp_path)
    assert [(f.sheet, f.rule) for f in raised.value.findings] == [("指標", "M01")]


def test_missing_column_is_named(tmp_path: Path) -> None:
    def drop_department(rows: list[list[str]]) -> None:
        for row in rows:
            del row[3]

    assert _refused(tmp_path, 事業=drop_department) == [("事業", "A1", "M02")]


def test_bad_direction_names_its_cell(tmp_path: Path) -> None:
    def bad(rows: list[list[str]]) -> None:
        rows[1][3] = "上昇"

    assert _refused(tmp_path, 指標=bad) == [("指標", "D2", "M04")]


def test_unknown_policy_code_and_duplicate_number(tmp_path: Path) -> None:
    def bad(rows: list[list[str]]) -> None:
        rows.append(["1-(1)-①", "事業B", "9-(9)", "B課", "", "", ""])
        rows.append(["1-(1)-②", "事業C", "9-(9)", "B課", "", "", ""])

    assert _refused(tmp_path, 事業=bad) == [("事業", "A3", "M05"), ("事業", "C4", "M06")]


def test_relisting_must_point_to_a_main_entry(tmp_path: Path) -> None:
    def bad(rows: list[list[str]]) -> None:
        rows.append(["1-(1)-②", "事業A", "1-(1)", "", "", "1-(1)-⑨", ""])

    assert _refused(tmp_path, 事業=bad) == [("事業", "F3", "M06")]


def test_unreadable_year_is_refused(tmp_path: Path) -> None:
    def bad(rows: list[list[str]]) -> None:
        rows[3][1] = "来年"

    assert _refused(tmp_path, 計画=bad) == [("計画", "B4", "M07")]


def test_two_columns_for_one_year_are_refused_not_merged(tmp_path: Path) -> None:
    """令和7年度 beside 2025年度, or R6 twice: which one holds the target? Refused (M05)."""

    def other_spelling(rows: list[list[str]]) -> None:
        rows[0].append("令和7年度")
        rows[1].append("120")

    def same_label(rows: list[list[str]]) -> None:
        rows[0][5:7] = ["R6", "R6"]

    assert _refused(tmp_path / "a", 指標=other_spelling) == [("指標", "H1", "M05")]
    assert _refused(tmp_path / "b", 指標=same_label) == [("指標", "G1", "M05")]
    with pytest.raises(PlanError) as raised:
        write_plan(_sheets(指標=other_spelling), tmp_path / "c")
    assert (
        "「令和7年度」が重複しています（G1 と同じ2025年度の列）" in raised.value.findings[0].message
    )
    schedule = {L.MASTER_SCHEDULE_SHEET: lambda rows: rows[0].__setitem__(2, "R6")}
    found = _refused_sheets(tmp_path / "d", _project_graded(**schedule))
    assert (L.MASTER_SCHEDULE_SHEET, "C1", "M05") in found, found


def test_cli_refuses_a_broken_master_with_exit_2(tmp_path: Path) -> None:
    def bad(rows: list[list[str]]) -> None:
        rows[1][3] = "上昇"

    sheets = _sheets(指標=bad)
    from pipeline.plan_source import write_master

    master = write_master(sheets, tmp_path / "m.xlsx")
    result = CliRunner().invoke(
        main, ["templates", str(master), "--year", "2024", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "指標!D2" in result.output and "M04" in result.output
    assert "Traceback" not in result.output


def test_cli_refuses_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    master = tmp_path / "master.xlsx"
    master.write_text("計画ID,x\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["templates", str(master), "--year", "R6", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2 and "M08" in result.output


def _long_sheets() -> dict[str, list[list[str]]]:
    """Seven projects of two targets each: lists that a 4-row sheet cannot hold."""
    projects = [[f"1-(1)-{i}", f"事業{i}", "1-(1)", f"{i % 3}課", "", "", ""] for i in range(7)]
    targets = [
        [f"1-(1)-{i}", f"指標{t}", "件", "増加", "", "100", str(100 + i)]
        for i in range(7)
        for t in (1, 2)
    ]
    return master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=projects,
        targets=targets,
        years=[2024, 2025],
    )


def test_lists_longer_than_a_sheet_continue_on_numbered_sheets(tmp_path: Path) -> None:
    """A master whose 事業 and 指標 go on over 事業(2), 指標(2), … reads as the same plan."""
    from pipeline.plan_source import write_master

    whole = read_plan(write_master(_long_sheets(), tmp_path / "one.xlsx"))
    path = write_master(_long_sheets(), tmp_path / "split.xlsx", max_rows=4)
    names = load_workbook(path, read_only=True).sheetnames
    assert names[-5:] == ["指標", "指標(2)", "指標(3)", "指標(4)", "指標(5)"]
    assert "事業(3)" in names and "事業(4)" not in names
    split = read_plan(path)
    assert split.targets == whole.targets and split.projects == whole.projects
    assert split.fingerprint == whole.fingerprint
    assert len(split.targets) == 14


def test_a_finding_on_a_continuation_sheet_names_that_sheet(tmp_path: Path) -> None:
    from pipeline.plan_source import write_master

    sheets = _long_sheets()
    sheets[L.MASTER_TARGET_SHEET][8][3] = "上昇"  # the 8th target: 指標(3), its 3rd row
    with pytest.raises(PlanError) as raised:
        read_plan(write_master(sheets, tmp_path / "split.xlsx", max_rows=4))
    assert [(f.sheet, f.cell, f.rule) for f in raised.value.findings] == [("指標(3)", "D3", "M04")]


def test_a_continuation_sheet_must_repeat_the_header(tmp_path: Path) -> None:
    from openpyxl import load_workbook as open_book

    from pipeline.plan_source import write_master

    path = write_master(_long_sheets(), tmp_path / "split.xlsx", max_rows=4)
    book = open_book(path)
    book["指標(2)"]["G1"] = "備考"  # the 2025年度 column renamed: its targets would be lost
    book.save(path)
    with pytest.raises(PlanError) as raised:
        read_plan(path)
    assert [(f.sheet, f.cell, f.rule) for f in raised.value.findings] == [("指標(2)", "A1", "M02")]
    assert "2025年度" in raised.value.findings[0].message


def test_continuation_sheets_are_found_by_number_in_any_width() -> None:
    from pipeline.plan import continuation_sheets

    names = ["指標", "指標(10)", "指標（3）", "指標(2)", "指標2", "指標(1)", "事業(2)", "指標(x)"]
    assert continuation_sheets("指標", names) == ["指標(2)", "指標（3）", "指標(10)"]


def test_the_settings_sheet_does_not_continue(tmp_path: Path) -> None:
    """A leftover 計画(2) is not read: the plan's settings come from 計画 alone."""
    sheets = _sheets()
    sheets["計画(2)"] = [[L.PLAN_ITEM, L.PLAN_VALUE], [L.PLAN_ID, "other-plan"]]
    _, plan = write_plan(sheets, tmp_path)
    assert plan.plan_id == "test-plan"


def test_an_empty_continuation_sheet_is_ignored(tmp_path: Path) -> None:
    sheets = _sheets()
    sheets["指標(2)"] = [[]]
    _, plan = write_plan(sheets, tmp_path)
    assert len(plan.targets) == 1


# --- plans reviewed per project (seed 004, seed 003, and the master rules) -----------------

# 整理番号, 施策 code, 区分, 2024's schedule word, 市民等, 協働体, 市 (as the seed shows them)
SEED_004 = [
    ("①", "1-1", "拡充", "実施", "○", "○", "◎"),
    ("②", "1-1", "拡充", "実施", "○", "○", "◎"),
    ("③", "1-2", "拡充", "実施", "○", "○", "◎"),
    ("④", "1-2", "新規", "検討", "○", "◎", ""),
    ("⑤", "1-2", "新規", "実施", "◎", "○", "○"),
    ("⑥", "1-3", "継続", "実施", "", "", "◎"),
    ("⑦", "1-3", "新規", "実施", "", "", "◎"),
    ("⑧", "2-1", "新規", "実施", "○", "◎", "○"),
    ("⑨", "2-1", "継続", "実施", "○", "○", "◎"),
    ("⑩", "2-2", "継続", "実施", "◎", "", "○"),
    ("⑪", "2-2", "新規", "実施", "○", "◎", "○"),
    ("⑫", "3-1", "継続", "検討", "", "○", "◎"),
    ("⑬", "3-1", "継続", "実施", "", "○", "◎"),
    ("⑭", "3-2", "継続", "実施", "", "○", "◎"),
    ("⑮", "3-2", "継続", "実施", "", "○", "◎"),
    ("⑯", "3-3", "継続", "実施", "○", "○", "◎"),
    ("⑰", "3-4", "継続", "実施", "○", "○", "◎"),
    ("⑱", "3-5", "継続", "実施", "○", "○", "◎"),
    ("⑲", "3-5", "継続", "実施", "○", "◎", "○"),
]


def test_bundled_seed_004_plan_agrees_with_the_seed() -> None:
    plan = read_plan(bundled_master("ichinoseki2024"))
    assert (plan.start_year, plan.end_year, plan.levels) == (2024, 2028, ("基本方針", "施策"))
    assert plan.by_project and plan.actors == ("市民等", "協働体", "市")
    assert plan.schedule_words == ("検討", "実施") and plan.targets == ()
    assert [n.name for n in plan.nodes if n.level == 0] == [
        "人づくり",
        "環境づくり",
        "仕組みづくり",
    ]
    assert len([n for n in plan.nodes if n.level == 1]) == 10
    got = [
        (p.number, p.node, p.category, plan.schedule_of(p, 2024), *p.marks) for p in plan.projects
    ]
    assert got == SEED_004
    for p in plan.projects:  # from 2025 on every project is 実施
        assert [plan.schedule_of(p, y) for y in range(2025, 2029)] == ["実施"] * 4
    assert plan.project("⑲").name == "地域による市民センターの管理"
    assert "サンプル" in plan.note  # departments and grade wording are illustrative


def test_bundled_seed_003_plan_has_five_goals_and_their_measures() -> None:
    plan = read_plan(bundled_master("shiminkyodo2"))
    assert plan.levels == ("目標",) and plan.by_project and plan.has_schedule
    per_goal = [sum(1 for p in plan.projects if p.node == n.code) for n in plan.nodes]
    assert per_goal == [3, 5, 4, 3, 5]
    assert "サンプル" in plan.note


def _project_graded(**changes: object) -> dict[str, list[list[str]]]:
    sheets = _sheets()
    sheets[L.MASTER_PLAN_SHEET] += [[L.PLAN_UNIT, "事業"], [L.PLAN_ACTORS, "住民;行政"]]
    sheets[L.MASTER_PROJECT_SHEET][0] += ["住民", "行政"]
    sheets[L.MASTER_PROJECT_SHEET][1] += ["◎", "○"]
    sheets[L.MASTER_SCHEDULE_SHEET] = [
        ["整理番号", "令和6年度", "2025年度"],
        ["1-(1)-①", "検討", ""],
    ]
    for name, edit in changes.items():
        edit(sheets[name])  # type: ignore[operator]
    return sheets


def _refused_sheets(
    tmp_path: Path, sheets: dict[str, list[list[str]]]
) -> list[tuple[str, str, str]]:
    with pytest.raises(PlanError) as raised:
        write_plan(sheets, tmp_path)
    return [(f.sheet, f.cell, f.rule) for f in raised.value.findings]


def test_a_project_graded_master_reads(tmp_path: Path) -> None:
    _, plan = write_plan(_project_graded(), tmp_path)
    project = plan.projects[0]
    assert project.marks == ("◎", "○")
    assert (plan.schedule_of(project, 2024), plan.schedule_of(project, 2025)) == ("検討", None)
    assert plan.targets_shown("1-(1)-①", 2024) == "参加者数 100人"  # shown, not graded


def test_targets_of_a_project_graded_plan_are_shown_not_graded(tmp_path: Path) -> None:
    from pipeline.batch import run
    from pipeline.text import key
    from tests.builders import submit_all

    master, plan = write_plan(_project_graded(), tmp_path)
    row = {L.GRADE: "B", L.WORK_DONE: "検討した。", L.OUTLOOK: "継続", L.PARTNERS: "住民"}
    submissions = submit_all(plan, 2024, tmp_path, {(key("1-(1)-①"), ""): row})
    template = load_workbook(next((tmp_path / "templates").iterdir()))[L.PROGRESS_SHEET]
    header = [c.value for c in template[6]]
    at = header.index(L.TARGETS_SHOWN)
    assert template.cell(7, at + 1).value == "参加者数 100人" and L.TARGET not in header
    outcome = run(master, submissions, 2024, tmp_path / "out")
    assert outcome.exit_code == 0, [f.message for f in outcome.finding_list]
    line = outcome.figures.listing[0]
    assert (line.grade, line.target, line.schedule) == ("B", None, "検討")


def test_years_typed_as_numbers_head_the_schedule(tmp_path: Path) -> None:
    """Excel stores a heading typed as 2024 as the number 2024.0: still the year 2024."""
    from pipeline.plan_source import write_master

    path = write_master(_project_graded(), tmp_path / "m.xlsx")
    book = load_workbook(path)
    book[L.MASTER_SCHEDULE_SHEET]["B1"], book[L.MASTER_SCHEDULE_SHEET]["C1"] = 2024, 2025
    book.save(path)
    assert read_plan(path).projects[0].schedule == ((2024, "検討"),)


def _set(sheet: str, row: int, col: int, value: str):  # type: ignore[no-untyped-def]
    def edit(rows: list[list[str]]) -> None:
        rows[row][col] = value

    return {sheet: edit}


def test_broken_schedules_and_marks_are_refused_with_sheet_cell_and_rule(tmp_path: Path) -> None:
    cases = [
        (_set(L.MASTER_SCHEDULE_SHEET, 1, 1, "着手"), (L.MASTER_SCHEDULE_SHEET, "B2", "M04")),
        (_set(L.MASTER_SCHEDULE_SHEET, 0, 2, "2030年度"), (L.MASTER_SCHEDULE_SHEET, "C1", "M04")),
        (_set(L.MASTER_SCHEDULE_SHEET, 1, 0, "9-9"), (L.MASTER_SCHEDULE_SHEET, "A2", "M06")),
        (_set(L.MASTER_PROJECT_SHEET, 1, 7, "×"), (L.MASTER_PROJECT_SHEET, "H2", "M04")),
        (_set(L.MASTER_PROJECT_SHEET, 0, 8, "企業"), (L.MASTER_PROJECT_SHEET, "I2", "M09")),
        (_set(L.MASTER_PLAN_SHEET, 8, 1, "施策"), (L.MASTER_PLAN_SHEET, "B9", "M04")),
        (_set(L.MASTER_PLAN_SHEET, 9, 1, "住民;住民"), (L.MASTER_PLAN_SHEET, "B10", "M04")),
    ]
    no_years = {L.MASTER_SCHEDULE_SHEET: lambda rows: rows.__setitem__(0, ["整理番号", "x", "y"])}
    cases.append((no_years, (L.MASTER_SCHEDULE_SHEET, "A1", "M02")))
    for n, (change, expected) in enumerate(cases):
        sheets = _project_graded(**change)
        found = _refused_sheets(tmp_path / str(n), sheets)
        assert expected in found, (expected, found)


# --- a broken 計画 sheet hides nothing else: every sheet is checked in the same run ---------


def _more_targets(rows: list[list[str]]) -> None:
    """Three more targets of the same project, the last (row 5) with a direction not allowed."""
    rows += [
        ["1-(1)-①", "開催回数", "回", "増加", "", "5", "6"],
        ["1-(1)-①", "満足度", "%", "定性", "", "高い", "高い"],
        ["1-(1)-①", "相談件数", "件", "上昇", "", "10", "12"],
    ]


def test_a_broken_start_year_and_a_bad_direction_are_listed_in_one_run(tmp_path: Path) -> None:
    """計画!B4 unreadable used to hide 指標!D5 until B4 was fixed."""
    start = _set(L.MASTER_PLAN_SHEET, 3, 1, "令和x年度")
    found = _refused_sheets(tmp_path, _sheets(**start, 指標=_more_targets))
    assert found == [(L.MASTER_PLAN_SHEET, "B4", "M07"), (L.MASTER_TARGET_SHEET, "D5", "M04")]


def test_without_levels_the_other_sheets_are_still_checked_but_not_against_levels(
    tmp_path: Path,
) -> None:
    """階層 broken: the 体系 levels and the 事業's link to the lowest level cannot be checked (no
    finding for them), while a repeated code, a bad 区分 and a bad direction still are."""

    def tree(rows: list[list[str]]) -> None:
        rows.append(["1", "分野二", "", "なんでも"])  # code used twice; its level is not judged

    def projects(rows: list[list[str]]) -> None:
        rows.append(["1-(1)-②", "事業B", "9-(9)", "B課", "再開", "", ""])  # no such 施策; 区分

    sheets = _sheets(
        **_set(L.MASTER_PLAN_SHEET, 5, 1, "分野;分野"),
        体系=tree,
        事業=projects,
        指標=_more_targets,
    )
    found = _refused_sheets(tmp_path, sheets)
    assert found == [
        (L.MASTER_PLAN_SHEET, "B6", "M04"),
        (L.MASTER_TREE_SHEET, "A4", "M05"),
        (L.MASTER_PROJECT_SHEET, "E3", "M04"),
        (L.MASTER_TARGET_SHEET, "D5", "M04"),
    ]


def test_every_problem_of_the_settings_sheet_is_listed_with_the_others(tmp_path: Path) -> None:
    """A missing name no longer stops the settings' own checks (an ID with a space), nor the
    schedule's words, the marks and the targets; the period unknown, the schedule's years are
    not judged against it (2030年度 gets no finding)."""

    def settings(rows: list[list[str]]) -> None:
        rows[1][1], rows[2][1], rows[4][1] = "test plan", "", "R1"  # ID, no name, end < start

    def schedule(rows: list[list[str]]) -> None:
        rows[0][2], rows[1][1] = "2030年度", "着手"

    sheets = _project_graded(
        計画=settings,
        予定=schedule,
        事業=_set(L.MASTER_PROJECT_SHEET, 1, 7, "×")[L.MASTER_PROJECT_SHEET],
        指標=_more_targets,
    )
    found = _refused_sheets(tmp_path, sheets)
    assert found == [
        (L.MASTER_PLAN_SHEET, "B3", "M03"),
        (L.MASTER_PLAN_SHEET, "B2", "M04"),
        (L.MASTER_PLAN_SHEET, "B5", "M04"),
        (L.MASTER_PROJECT_SHEET, "H2", "M04"),
        (L.MASTER_SCHEDULE_SHEET, "B2", "M04"),
        (L.MASTER_TARGET_SHEET, "D5", "M04"),
    ]


def test_refused_actors_leave_the_marks_unjudged_and_the_rest_checked(tmp_path: Path) -> None:
    def actors(rows: list[list[str]]) -> None:
        rows[9][1] = "住民;住民"

    sheets = _project_graded(
        計画=actors,
        事業=_set(L.MASTER_PROJECT_SHEET, 1, 7, "×")[L.MASTER_PROJECT_SHEET],
        指標=_more_targets,
    )
    found = _refused_sheets(tmp_path, sheets)
    assert found == [(L.MASTER_PLAN_SHEET, "B10", "M04"), (L.MASTER_TARGET_SHEET, "D5", "M04")]


def test_a_missing_sheet_or_heading_skips_only_the_checks_that_read_it(tmp_path: Path) -> None:
    """No 体系 sheet: the 事業's 施策 cannot be looked up (no finding for it), its 区分 still
    is; a 事業 sheet without its 担当課 heading: the 指標's 整理番号 cannot be looked up, the
    direction still is; 計画 without its 値 heading: the rest as if no setting were known."""

    def category(rows: list[list[str]]) -> None:
        rows[1][4] = "再開"

    sheets = _sheets(事業=category, 指標=_more_targets)
    del sheets[L.MASTER_TREE_SHEET]
    assert _refused_sheets(tmp_path / "a", sheets) == [
        (L.MASTER_TREE_SHEET, "", "M01"),
        (L.MASTER_PROJECT_SHEET, "E2", "M04"),
        (L.MASTER_TARGET_SHEET, "D5", "M04"),
    ]

    def no_department(rows: list[list[str]]) -> None:
        for row in rows:
            del row[3]

    sheets = _sheets(事業=no_department, 指標=_more_targets)
    assert _refused_sheets(tmp_path / "b", sheets) == [
        (L.MASTER_PROJECT_SHEET, "A1", "M02"),
        (L.MASTER_TARGET_SHEET, "D5", "M04"),
    ]
    sheets = _sheets(**_set(L.MASTER_PLAN_SHEET, 0, 1, "内容"), 指標=_more_targets)
    assert _refused_sheets(tmp_path / "c", sheets) == [
        (L.MASTER_PLAN_SHEET, "A1", "M02"),
        (L.MASTER_TARGET_SHEET, "D5", "M04"),
    ]
