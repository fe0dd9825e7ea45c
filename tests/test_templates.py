"""Department workbooks: what the department can edit, what it cannot, and how it prints."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from pipeline import TEMPLATE_VERSION
from pipeline import labels as L
from pipeline.fingerprint import expected_fingerprint
from pipeline.model import Plan
from pipeline.templates import HEADER_ROW, template_path, write_templates
from tests.builders import master_sheets, write_plan


@pytest.fixture(scope="module")
def plan_and_books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Plan, list[Path]]:
    tmp = tmp_path_factory.mktemp("templates")
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-①", "地域づくり支援事業", "1-(1)", "市民局/地域政策課", "新規", "", ""],
            ["1-(1)-②", "ごみ減量推進", "1-(1)", "環境局", "", "", ""],
            ["1-(1)-③", "対話の場", "1-(1)", "環境局", "", "", ""],
            ["1-(1)-④", "ごみ減量推進", "1-(1)", "", "", "1-(1)-②", ""],
        ],
        targets=[
            ["1-(1)-①", "支援件数", "件", "増加", "", "100", "110"],
            ["1-(1)-①", "満足度", "%", "増加", "60", "70", ""],
            ["1-(1)-②", "ごみ排出量", "g/人日", "減少", "900", "850", "800"],
            ["1-(1)-②", "指針の策定", "", "定性", "", "検討", "策定"],
        ],
        years=[2024, 2025],
    )
    _, plan = write_plan(sheets, tmp)
    return plan, write_templates(plan, 2025, tmp / "out")


def test_one_workbook_per_department_with_a_safe_name(plan_and_books) -> None:
    _, books = plan_and_books
    assert [b.name for b in books] == [
        "進捗状況_市民局＿地域政策課_2025年度.xlsx",
        "進捗状況_環境局_2025年度.xlsx",
    ]


def _rows(path: Path) -> tuple[dict[str, int], list[list[object]]]:
    sheet = load_workbook(path)[L.PROGRESS_SHEET]
    header = [c.value for c in sheet[HEADER_ROW]]
    columns = {label: i for i, label in enumerate(header) if label}
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=HEADER_ROW + 1)]
    return columns, rows


def test_rows_are_main_projects_and_targets_including_blank_ones(plan_and_books) -> None:
    _, books = plan_and_books
    columns, rows = _rows(books[1])
    listed = [(r[columns[L.NUMBER]], r[columns[L.TARGET_NAME]], r[columns[L.TARGET]]) for r in rows]
    # the re-listed 1-(1)-④ is not asked for; 1-(1)-③ has no target but still gets a row
    assert listed == [
        ("1-(1)-②", "ごみ排出量", 800),
        ("1-(1)-②", "指針の策定", "策定"),
        ("1-(1)-③", None, None),
    ]
    assert set(L.TEMPLATE_COLUMNS) <= set(columns)


def test_only_the_entry_cells_are_unlocked_and_the_sheet_is_protected(plan_and_books) -> None:
    _, books = plan_and_books
    sheet = load_workbook(books[0])[L.PROGRESS_SHEET]
    assert sheet.protection.sheet and not sheet.protection.password
    assert sheet.protection.autoFilter is False  # False = allowed in the OOXML sense
    header = {c.value: c.column_letter for c in sheet[HEADER_ROW] if c.value}
    row = HEADER_ROW + 1
    for label in L.EDITABLE_COLUMNS:
        assert sheet[f"{header[label]}{row}"].protection.locked is False, label
    for label in (*L.LOCKED_COLUMNS, L.RATE):
        assert sheet[f"{header[label]}{row}"].protection.locked is not False, label


def test_drop_downs_hold_the_plans_grades_and_the_outlook_choices(plan_and_books) -> None:
    _, books = plan_and_books
    sheet = load_workbook(books[0])[L.PROGRESS_SHEET]
    lists = {
        str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"
    }
    assert '"A,B,C"' in lists.values()
    assert '"' + ",".join(L.OUTLOOK_CHOICES) + '"' in lists.values()


def test_rate_is_a_live_formula_with_a_blank_cached_value(plan_and_books) -> None:
    _, books = plan_and_books
    formulas = load_workbook(books[0])[L.PROGRESS_SHEET]
    cached = load_workbook(books[0], data_only=True)[L.PROGRESS_SHEET]
    header = {c.value: c.column_letter for c in formulas[HEADER_ROW] if c.value}
    cell = f"{header[L.RATE]}{HEADER_ROW + 1}"
    assert str(formulas[cell].value).startswith("=IF(")
    assert cached[cell].value in ("", None)


def test_meta_is_hidden_and_carries_identity_and_fingerprint(plan_and_books) -> None:
    plan, books = plan_and_books
    book = load_workbook(books[1])
    meta = book[L.META_SHEET]
    assert meta.sheet_state == "hidden"
    values = {r[0]: r[1] for r in meta.iter_rows(values_only=True)}
    assert values[L.META_PLAN_ID] == plan.plan_id and values[L.META_YEAR] == 2025
    assert values[L.META_DEPARTMENT] == "環境局" and values[L.META_VERSION] == TEMPLATE_VERSION
    assert values[L.META_FINGERPRINT] == expected_fingerprint(plan, "環境局", 2025)


def test_prints_on_a4_landscape_fit_to_width_with_repeated_header(plan_and_books) -> None:
    _, books = plan_and_books
    sheet = load_workbook(books[0])[L.PROGRESS_SHEET]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1)  # 1 is the OOXML default, often omitted
    assert sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows.replace("$", "") == f"{HEADER_ROW}:{HEADER_ROW}"
    widths = {c: sheet.column_dimensions[c].width for c in "ABCK"}
    assert widths["K"] >= 40 and widths["B"] >= 16  # 取組内容 and 事業名 fit Japanese text


def test_template_path_uses_the_file_name_year() -> None:
    assert template_path(Path("d"), "A課", 2024).name == "進捗状況_A課_2024年度.xlsx"


def test_department_names_windows_cannot_hold_are_mapped_and_shown(tmp_path: Path) -> None:
    """担当課 names with : / ? a trailing dot, a device name and a case twin: every file the
    secretariat writes or sends back has a name valid on Windows, no two differ only by case,
    and the mapping is shown."""
    from click.testing import CliRunner

    from pipeline.cli import main
    from pipeline.samples import fill_template
    from tests.builders import windows_valid

    departments = ["総務局:総務課", "市民局/地域政策課", "環境局?", "財政課.", "CON"]
    departments += ["ABC課", "abc課"]
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            [f"1-(1)-{n}", f"事業{n}", "1-(1)", d, "", "", ""] for n, d in enumerate(departments, 1)
        ],
        targets=[[f"1-(1)-{n}", "件数", "件", "増加", "", "100"] for n in range(1, 8)],
        years=[2024],
    )
    master, plan = write_plan(sheets, tmp_path)
    result = CliRunner().invoke(
        main, ["templates", str(master), "--year", "2024", "--out", str(tmp_path / "配布")]
    )
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in (tmp_path / "配布").glob("*.xlsx"))
    assert len(names) == len(departments)
    assert all(windows_valid(n) for n in names), names
    assert len({n.casefold() for n in names}) == len(names)
    for department in ["総務局:総務課", "市民局/地域政策課", "環境局?", "財政課.", "CON", "abc課"]:
        part = plan.file_part(department)
        assert f"「{department}」はファイル名では「{part}」" in result.output
    assert "「ABC課」" not in result.output  # the first of the twins keeps its name
    # the departments fill in what they received; each is read back as its own department
    submissions = tmp_path / "提出"
    for department in departments:
        source = template_path(tmp_path / "配布", department, 2024, plan)
        fill_template(source, submissions / source.name, {}, writer="担当")
    out = tmp_path / "結果"
    result = CliRunner().invoke(
        main, ["validate", str(master), str(submissions), "--year", "2024", "--out", str(out)]
    )
    assert result.exit_code == 1, result.output  # the empty rows are errors
    feedback = sorted(p.name for p in (out / L.FEEDBACK_SHEET).iterdir())
    assert len(feedback) == len(departments) and all(windows_valid(n) for n in feedback)
    assert len({n.casefold() for n in feedback}) == len(feedback)
    assert all(windows_valid(p.name) for p in out.iterdir())
