"""Every rule of the message table (pipeline/messages.py) is produced by a test that asserts its
code and where it points (file, sheet, cell): the hostile corpus (tests/hostile.py) for the rules
it pins to a cell, and the scenarios here for the rest — file-level rules (no cell), the plan
master's rules, consistency warnings, and the gaps a trial of hand-made bugs found (an edited
基準値, the `_meta` fingerprint, C01 at two steps)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.batch import Options, check_folder
from pipeline.messages import RULES
from pipeline.model import Finding, Report
from pipeline.plan import PlanError, read_plan
from pipeline.plan_source import write_master
from tests.builders import complete_row, master_sheets, submit_all, write_plan
from tests.hostile import (
    CASES,
    MAIN,
    YEAR,
    Base,
    Build,
    case_by_name,
    edited,
    make_base,
    meta_cell,
    with_xml_cell,
)

META, SHEET = L.META_SHEET, L.PROGRESS_SHEET
Where = tuple[str, str, str, str]  # rule, file, sheet, cell


@dataclass(frozen=True)
class Scenario:
    build: Build
    expect: tuple[Where, ...]
    absent: tuple[Where, ...] = ()  # findings that must not be there
    says: tuple[str, ...] = ()  # what the first expected finding's message must contain


def _case(name: str) -> Build:
    return case_by_name(name).build


def _delete_data_rows(book) -> None:  # type: ignore[no-untyped-def]
    book[SHEET].delete_rows(7, 4)


def _long_text(length: int) -> bytes:
    return f'<c r="K7" t="inlineStr"><is><t>{"長" * length}</t></is></c>'.encode()


def _only_departments_a_file(base: Base, folder: Path) -> None:
    edited()(base, folder)


def _master_changed_after_templates(base: Base, folder: Path) -> None:
    """A template made from an earlier master (件数's target was 90), then the master changed."""
    from pipeline.samples import fill_template
    from pipeline.templates import template_path, write_templates
    from pipeline.text import key
    from tests.hostile import VALID, plan_sheets

    sheets = plan_sheets()
    sheets[L.MASTER_TARGET_SHEET][1][-1] = "90"
    earlier = read_plan(write_master(sheets, folder.parent / f"{folder.name}_earlier.xlsx"))
    write_templates(earlier, YEAR, folder.parent / f"{folder.name}_t")
    values = {(key(n), key(t)): v for (n, t), v in VALID.items()}
    source = template_path(folder.parent / f"{folder.name}_t", "A課", YEAR)
    fill_template(source, folder / MAIN, values, "検証 太郎")


def _templates_among_submissions(base: Base, folder: Path) -> None:
    """This year's templates, written by `shinchoku templates` into the submissions folder,
    beside A課's filled file: they are shinchoku's, not submissions (F23), and do not
    supersede the filled one."""
    from pipeline.templates import make_templates

    edited()(base, folder)
    make_templates(base.master, YEAR, folder / "様式")


XLSB = "進捗状況_A課_2025年度.xlsb"


def _corpus_file(name: str, as_name: str) -> Build:
    """A real file from tests/data/corpus/ submitted under `as_name`."""

    def build(base: Base, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        source = Path(__file__).parent / "data" / "corpus" / name
        (folder / as_name).write_bytes(source.read_bytes())

    return build


SCENARIOS: dict[str, Scenario] = {
    # --- file-level rules: they name the file and no cell
    "F01": Scenario(_case("corrupt_zip_deflate"), (("F01", MAIN, "", ""),)),
    "F02": Scenario(_case("zero_byte"), (("F02", MAIN, "", ""),)),
    "F03": Scenario(_case("encrypted_ole"), (("F03", MAIN, "", ""),)),
    "F04": Scenario(_case("csv_renamed"), (("F04", MAIN, "", ""),)),
    "F05": Scenario(_case("zip_bomb_ratio"), (("F05", MAIN, "", ""),)),
    "F06": Scenario(_case("renamed_sheet"), (("F06", MAIN, "", ""),)),
    "F07": Scenario(_case("meta_other_plan"), (("F07", MAIN, META, ""),)),
    "F08": Scenario(_case("last_years_template"), (("F08", MAIN, META, ""),)),
    "F09": Scenario(_case("renamed_header"), (("F09", MAIN, SHEET, "A6"),)),
    "F10": Scenario(_case("meta_removed"), (("F10", MAIN, "", ""),), says=("「A課」の様式",)),
    "F11": Scenario(_case("meta_removed_and_numbers_unknown"), (("F11", MAIN, "", ""),)),
    "F12": Scenario(_case("xlsm_with_macros"), (("F12", "進捗状況_A課_2025年度.xlsm", "", ""),)),
    "F13": Scenario(_case("older_template_version"), (("F13", MAIN, META, ""),)),
    "F14": Scenario(
        edited(mutate=meta_cell("B5", "0" * 64)),
        (("F14", MAIN, META, ""),),
        absent=(("I01", MAIN, SHEET, "G7"),),
    ),
    "F14 master changed": Scenario(
        _master_changed_after_templates, (("F14", MAIN, META, ""), ("I01", MAIN, SHEET, "G7"))
    ),
    "F14 quiet": Scenario(edited(), (), absent=(("F14", MAIN, META, ""),)),
    "F15": Scenario(_case("lock_file_and_text_file"), (("F15", "送付状.txt", "", ""),)),
    "F16": Scenario(
        _case("lock_file_and_text_file"), (("F16", "~$進捗状況_A課_2025年度.xlsx", "", ""),)
    ),
    "F19": Scenario(edited(mutate=_delete_data_rows), (("F19", MAIN, SHEET, ""),)),
    "F21": Scenario(_corpus_file("poi/Simple.xlsb", XLSB), (("F21", XLSB, "", ""),)),
    "F22": Scenario(_case("unused_wide_memo_sheet"), (("F22", MAIN, "メモ", ""),)),
    "F23": Scenario(
        _templates_among_submissions,
        (("F23", "様式/", "", ""),),
        absent=(("B03", MAIN, "", ""), ("F15", "様式/.shinchoku", "", "")),
        says=("このフォルダの 2 件は shinchoku が書き出したまま（shinchoku templates、",),
    ),
    # --- the rows: an edited 基準値 is an edited locked cell like any other
    "I01": Scenario(edited({"F7": 50}), (("I01", MAIN, SHEET, "F7"),)),
    "I03": Scenario(_case("deleted_row"), (("I03", MAIN, SHEET, ""),)),
    "V13": Scenario(with_xml_cell("K7", _long_text(32_768)), (("V13", MAIN, SHEET, "K7"),)),
    "V13 at the limit": Scenario(
        with_xml_cell("K7", _long_text(32_767)), (), absent=(("V13", MAIN, SHEET, "K7"),)
    ),
    "V05": Scenario(
        _case("grade_missing"), (("V05", MAIN, SHEET, "J7"),), says=("「A」「B」「C」 から",)
    ),
    "V06": Scenario(
        _case("grade_d"), (("V06", MAIN, SHEET, "J7"),), says=("「D」", "「A」「B」「C」 から")
    ),
    "V09": Scenario(
        _case("outlook_not_in_list"),
        (("V09", MAIN, SHEET, "M7"),),
        says=("「" + "」「".join(L.OUTLOOK_CHOICES) + "」 から",),
    ),
    "V12": Scenario(
        _case("outlook_missing"),
        (("V12", MAIN, SHEET, "M7"),),
        says=("「" + "」「".join(L.OUTLOOK_CHOICES) + "」 から",),
    ),
    "V14": Scenario(edited({"H7": "1e15"}), (("V14", MAIN, SHEET, "H7"),)),
    "V14 just below": Scenario(
        edited({"H7": "999999999999999"}), (), absent=(("V14", MAIN, SHEET, "H7"),)
    ),
    # --- the folder as a whole
    "B01": Scenario(_only_departments_a_file, (("B01", "", "", ""),)),
    "B02": Scenario(
        edited(mutate=lambda book: book[SHEET].delete_rows(7, 2)), (("B02", "", "", ""),)
    ),
    "B03": Scenario(_case("two_files_same_department"), (("B03", "旧/進捗状況_A課.xlsx", "", ""),)),
    "B04": Scenario(_case("meta_unknown_department"), (("B04", MAIN, META, ""),)),
    # the secretariat's mistakes: one finding for the folder (these run without B's file)
    "B05": Scenario(_case("last_years_template"), (("B05", "", "", ""), ("F08", MAIN, META, ""))),
    "B06": Scenario(lambda base, folder: None, (("B06", "", "", ""),), (("B01", "", "", ""),)),
    "B07": Scenario(_case("meta_other_plan"), (("B07", "", "", ""),)),
    "V15": Scenario(
        edited(mutate=lambda book: book[SHEET]["B3"].__setattr__("value", None)),
        (("V15", MAIN, SHEET, "B3"),),
    ),
    "V16": Scenario(
        edited(mutate=lambda book: book[SHEET]["E3"].__setattr__("value", None)),
        (("V16", MAIN, SHEET, "E3"),),
    ),
}
ALONE = ("B01", "B05", "B06", "B07")  # scenarios whose folder holds no other department's file


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _where_of(f: Finding) -> Where:
    return (f.rule, f.file, f.sheet, f.cell)


def _where(checked: Report) -> set[Where]:
    return {_where_of(f) for f in checked.finding_list}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_rule_is_produced_where_it_points(name: str, base: Base, tmp_path: Path) -> None:
    scenario = SCENARIOS[name]
    folder = tmp_path / "in"
    folder.mkdir()
    scenario.build(base, folder)
    if name not in ALONE:
        base_other = base.other.read_bytes()
        (folder / "B.xlsx").write_bytes(base_other)
    checked = check_folder(base.plan, folder, YEAR, Options(workers=1))
    seen = _where(checked)
    shown = "\n".join(sorted(map(str, seen)))
    for expected in scenario.expect:
        assert expected in seen, f"{expected} not found; found:\n{shown}"
    for unexpected in scenario.absent:
        assert unexpected not in seen, f"{unexpected} found"
    if scenario.says:
        first = scenario.expect[0]
        (message,) = [f.message for f in checked.finding_list if _where_of(f) == first]
        for text in scenario.says:
            assert text in message, message
    if name == "F10":  # its feedback goes to the department the rows belong to
        claimed = [r.claimed for r in checked.file_reports if r.file.path == MAIN]
        assert claimed == ["A課"]


# --- consistency (C): a plan with every direction ------------------------------------------------

CONSISTENCY_TARGETS = [
    ["1-(1)-1", "件数", "件", "増加", "", "100"],  # row 7
    ["1-(1)-2", "待機児童数", "人", "減少", "", "50"],  # row 8: target/actual
    ["1-(1)-3", "回数", "回", "増加", "", "10"],  # row 9
    ["1-(1)-4", "排出量", "g", "減少", "900", "800"],  # row 10
    ["1-(1)-5", "参加者", "人", "増加", "", "100"],  # row 11
    ["1-(1)-6", "相談", "件", "増加", "", "100"],  # row 12
]
CONSISTENCY_ROWS = {
    ("1-(1)-1", "件数"): complete_row("C", 120),  # suggested A, two steps away: C01
    ("1-(1)-2", "待機児童数"): complete_row("A", 0),  # denominator 0: C02
    ("1-(1)-3", "回数"): complete_row("A", None),  # grade without a number: C03
    ("1-(1)-4", "排出量"): complete_row("B", 820),  # 80.0 suggests B: nothing
    ("1-(1)-5", "参加者"): complete_row("B", 120),  # one step only: nothing
    ("1-(1)-6", "相談"): complete_row("A", Decimal("79.9")),  # suggested C, two steps: C01
}


@pytest.fixture(scope="module")
def consistency_findings(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    from pipeline.text import key

    tmp = tmp_path_factory.mktemp("consistency")
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[[t[0], f"事業{t[0]}", "1-(1)", "A課", "", "", ""] for t in CONSISTENCY_TARGETS],
        targets=CONSISTENCY_TARGETS,
        years=[2024],
    )
    _, plan = write_plan(sheets, tmp)
    values = {(key(n), key(t)): v for (n, t), v in CONSISTENCY_ROWS.items()}
    submissions = submit_all(plan, 2024, tmp, values)
    return list(check_folder(plan, submissions, 2024, Options(workers=1)).finding_list)


@pytest.fixture(scope="module")
def consistency(consistency_findings: list[Finding]) -> set[Where]:
    return {_where_of(f) for f in consistency_findings}


MAIN_C = "進捗状況_A課_2024年度.xlsx"


def test_consistency_warnings_quote_the_grade_rate_and_suggestion(
    consistency_findings: list[Finding],
) -> None:
    """What 検証結果 shows for each C warning: its 整理番号, the value quoted, the message."""
    shown = [
        (f.rule, f.cell, f.number, f.value, f.message)
        for f in consistency_findings
        if f.rule.startswith("C")
    ]
    gap = "と2段階以上離れています。評価の理由を取組内容に書くか、評価を見直してください。"
    assert sorted(shown) == [
        ("C01", "J12", "1-(1)-6", "A", f"自己評価「A」が達成率 79.9% の目安「C」{gap}"),
        ("C01", "J7", "1-(1)-1", "C", f"自己評価「C」が達成率 120.0% の目安「A」{gap}"),
        (
            "C02",
            "H8",
            "1-(1)-2",
            "0.0",  # the cell as read (a number cell holds 0.0)
            "目標値と基準値（または実績値）から分母が0になるため達成率を計算できません。"
            "達成率は空欄とします。",
        ),
        (
            "C03",
            "H9",
            "1-(1)-3",
            "A",
            "実績値が空欄（または「－」）のまま自己評価「A」が付いています。"
            "実績値を入力するか、未確定の理由を取組内容に書いてください。",
        ),
    ]
    assert {f.file for f in consistency_findings if f.rule.startswith("C")} == {MAIN_C}


@pytest.mark.parametrize(
    "where",
    [
        ("C01", MAIN_C, SHEET, "J7"),
        ("C02", MAIN_C, SHEET, "H8"),
        ("C03", MAIN_C, SHEET, "H9"),
        ("C01", MAIN_C, SHEET, "J12"),
    ],
)
def test_consistency_warning_points_at_its_cell(consistency: set[Where], where: Where) -> None:
    assert where in consistency


def test_consistent_rows_get_no_consistency_warning(consistency: set[Where]) -> None:
    for row in (10, 11):
        assert not [w for w in consistency if w[0].startswith("C") and w[3].endswith(str(row))]
    assert len([w for w in consistency if w[0].startswith("C")]) == 4


# --- the plan master (M): sheet and cell of the broken value --------------------------------------


def _master(**edits: Callable[[list[list[str]]], None]) -> dict[str, list[list[str]]]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-①", "事業A", "1-(1)", "A課", "", "", ""],
            ["1-(1)-②", "事業B", "1-(1)", "A課", "", "", ""],
        ],
        targets=[["1-(1)-①", "参加者数", "人", "増加", "", "100", "110"]],
        years=[2024, 2025],
    )
    for name, edit in edits.items():
        edit(sheets[name])
    return sheets


def _set(row: int, column: int, value: str) -> Callable[[list[list[str]]], None]:
    def edit(rows: list[list[str]]) -> None:
        rows[row][column] = value

    return edit


MASTER_CASES = {
    "M02": ({"事業": lambda rows: [r.pop(3) for r in rows]}, ("M02", "事業", "A1")),
    "M03": ({"事業": _set(1, 1, "")}, ("M03", "事業", "B2")),
    "M04": ({"指標": _set(1, 3, "上昇")}, ("M04", "指標", "D2")),
    "M05": ({"事業": _set(2, 0, "1-(1)-①")}, ("M05", "事業", "A3")),
    "M06": ({"事業": _set(1, 2, "9-(9)")}, ("M06", "事業", "C2")),
    "M07": ({"計画": _set(3, 1, "来年")}, ("M07", "計画", "B4")),
    # a column of ◎/○ for an actor that 取組主体 does not declare
    "M09": (
        {"事業": lambda rows: [r.append(v) for r, v in zip(rows, ["企業", "", "◎"], strict=True)]},
        ("M09", "事業", "H3"),
    ),
}


@pytest.mark.parametrize("code", list(MASTER_CASES))
def test_a_broken_master_names_sheet_and_cell(code: str, tmp_path: Path) -> None:
    edits, expected = MASTER_CASES[code]
    path = write_master(_master(**edits), tmp_path / "計画マスタ.xlsx")
    with pytest.raises(PlanError) as raised:
        read_plan(path)
    found = {(f.rule, f.sheet, f.cell) for f in raised.value.findings}
    assert expected in found, found


def test_a_missing_master_sheet_is_named(tmp_path: Path) -> None:
    sheets = _master()
    del sheets["体系"]
    path = write_master(sheets, tmp_path / "計画マスタ.xlsx")
    with pytest.raises(PlanError) as raised:
        read_plan(path)
    assert {(f.rule, f.sheet, f.cell) for f in raised.value.findings} == {("M01", "体系", "")}


def test_an_unreadable_master_says_so(tmp_path: Path) -> None:
    path = tmp_path / "計画マスタ.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    with pytest.raises(PlanError) as raised:
        read_plan(path)
    assert [(f.rule, f.cell) for f in raised.value.findings] == [("M08", "")]


def test_a_department_workbook_given_as_master_is_one_finding(base: Base) -> None:
    with pytest.raises(PlanError) as raised:
        read_plan(base.other)
    assert [(f.rule, f.sheet, f.cell) for f in raised.value.findings] == [("M10", "", "")]


# --- the registry: no rule without a test ---------------------------------------------------------


def _covered() -> set[str]:
    pinned = {e.rule for c in CASES if not c.bug for e in c.expect if e.cell is not None}
    here = {where[0] for s in SCENARIOS.values() for where in s.expect}
    consistency = {"C01", "C02", "C03"}
    master = {code for code, _ in MASTER_CASES.items()} | {"M01", "M08", "M10"}
    legacy = {"F17"}  # tests/test_hostile.py legacy_xls (needs LibreOffice to make an .xls)
    isolated = {"F20"}  # tests/test_pool.py: workers that abort, panic, hoard memory or hang
    return pinned | here | consistency | master | legacy | isolated


def test_every_rule_in_the_table_is_produced_by_a_test() -> None:
    assert sorted(set(RULES) - _covered()) == []
    assert sorted(_covered() - set(RULES)) == []


def test_value_findings_quote_value_and_number_in_row_order(base: Base, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    # row 10 (a project without a target) first in the file's cells, then rows 8 and 7
    edited({"M10": "様子見", "J8": "C", "L8": None, "J7": "D", "M7": None, "K7": None})(
        base, folder
    )
    checked = check_folder(base.plan, folder, YEAR, Options(workers=1))
    values = [
        (f.cell, f.rule, f.number, f.value)
        for f in checked.finding_list
        if f.file == MAIN and f.rule.startswith("V")
    ]
    assert values == [
        ("J7", "V06", "1-(1)-①", "D"),
        ("K7", "V07", "1-(1)-①", ""),
        ("M7", "V12", "1-(1)-①", ""),
        ("L8", "V08", "1-(1)-①", ""),
        ("M10", "V09", "1-(1)-③", "様子見"),
    ]
    messages = {f.cell: f.message for f in checked.finding_list if f.file == MAIN}
    assert "自己評価「D」は評価区分にありません" in messages["J7"]
    assert "自己評価が「C」のときは" in messages["L8"]
    assert "今後の方向性「様子見」は選択肢にありません" in messages["M10"]
