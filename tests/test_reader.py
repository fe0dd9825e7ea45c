"""What scan_folder (ingest/reader.py) reads of a folder of submissions that also holds what
shinchoku wrote itself — a previous run's outputs, its feedback workbooks, this year's templates:
those are skipped, one F23 per folder says so, and anything else there is read as before."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import labels as L
from pipeline.batch import Options, check_folder, validate
from pipeline.ingest import scan_folder
from pipeline.model import Finding
from pipeline.outdir import MARKER
from pipeline.templates import make_templates, template_path
from tests.hostile import MAIN, YEAR, Base, edited, make_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _previous_run(base: Base, out: Path) -> list[str]:
    """A real `validate` of A課's file (a grade not in the list: feedback for A課) and B課's,
    written into `out`; the files it wrote."""
    submissions = out.parent / f"{out.name}-提出"
    submissions.mkdir()
    edited({"J7": "D"})(base, submissions)
    shutil.copy(base.other, submissions / "B.xlsx")
    validate(base.master, submissions, YEAR, out, Options(workers=1))
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())


def _shown(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def _f23(notes: list[Finding]) -> list[Finding]:
    return [n for n in notes if n.rule == "F23"]


def test_a_previous_runs_outputs_are_skipped_and_named_once(base: Base, tmp_path: Path) -> None:
    root = tmp_path / "令和7年度"
    root.mkdir()
    shutil.copy(base.filled, root / MAIN)
    written = _previous_run(base, root / "前回")
    assert any(f.startswith("指摘事項/") and f.endswith(".xlsx") for f in written)  # workbooks
    shutil.rmtree(root / "前回-提出")

    workbooks, notes = scan_folder(root)

    assert _shown(workbooks, root) == [MAIN]
    (note,) = _f23(notes)
    assert (note.file, note.sheet, note.cell, note.severity) == ("前回/", "", "", L.INFO)
    assert note.value == "shinchoku validate"
    assert f"このフォルダの {len(written) - 1} 件は shinchoku が書き出したまま" in note.message
    assert [n.rule for n in notes] == ["F23"]  # the marker is not listed as a file (F15)


def test_a_file_put_into_an_output_folder_afterwards_is_read(base: Base, tmp_path: Path) -> None:
    root = tmp_path / "提出"
    root.mkdir()
    _previous_run(base, root / "前回")
    shutil.rmtree(root / "前回-提出")
    shutil.copy(base.other, root / "前回" / "B課_再提出.xlsx")

    workbooks, notes = scan_folder(root)

    assert _shown(workbooks, root) == ["前回/B課_再提出.xlsx"]
    assert [(n.rule, n.file) for n in notes] == [("F23", "前回/")]


def test_templates_are_skipped_until_filled_in_place(base: Base, tmp_path: Path) -> None:
    root = tmp_path / "提出"
    made = make_templates(base.master, YEAR, root / "様式")
    assert len(made.paths) == 2
    filled_in_place = template_path(root / "様式", "A課", YEAR, base.plan)
    shutil.copy(base.filled, filled_in_place)

    workbooks, notes = scan_folder(root)

    assert workbooks == [filled_in_place]
    (note,) = _f23(notes)
    assert note.file == "様式/" and "このフォルダの 1 件は" in note.message
    assert note.value == "shinchoku templates"


def test_templates_written_again_keep_the_earlier_ones_listed(base: Base, tmp_path: Path) -> None:
    folder = tmp_path / "様式"
    make_templates(base.master, YEAR, folder)
    make_templates(base.master, YEAR - 1, folder)
    workbooks, notes = scan_folder(tmp_path)
    assert workbooks == []
    assert "このフォルダの 4 件は" in _f23(notes)[0].message


def test_an_output_folder_given_as_the_submissions_is_said_to_be_one(
    base: Base, tmp_path: Path
) -> None:
    out = tmp_path / "検証"
    _previous_run(base, out)
    report = check_folder(base.plan, out, YEAR, Options(workers=1))
    rules = {(f.rule, f.file) for f in report.finding_list}
    assert ("F23", str(out)) in rules  # SUBMISSIONS itself, named as given
    assert ("B06", "") in rules  # no workbook to read: the secretariat's mistake, one error
    assert report.exit_code == 1


def test_a_file_named_like_the_marker_but_not_one_is_listed_as_before(
    base: Base, tmp_path: Path
) -> None:
    (tmp_path / MARKER).write_text("メモ", encoding="utf-8")
    shutil.copy(base.filled, tmp_path / MAIN)
    workbooks, notes = scan_folder(tmp_path)
    assert _shown(workbooks, tmp_path) == [MAIN]
    assert [(n.rule, n.file) for n in notes] == [("F15", MARKER)]


def test_the_skipped_folder_is_a_line_of_the_status(base: Base, tmp_path: Path) -> None:
    """提出状況 lists the folder (対象外, no rows): every entry of SUBMISSIONS is accounted for."""
    root = tmp_path / "提出"
    make_templates(base.master, YEAR, root / "様式")
    shutil.copy(base.filled, root / MAIN)
    shutil.copy(base.other, root / "B.xlsx")
    report = check_folder(base.plan, root, YEAR, Options(workers=1))
    lines = {(f.file, f.status, f.read) for f in report.file_rows}
    assert ("様式/", L.OUT_OF_PLAN, 0) in lines
    assert {f.rule for f in report.finding_list if f.rule.startswith("B")} == set()


def test_the_summary_counts_the_skipped_folders_apart(base: Base, tmp_path: Path) -> None:
    """The command line's first line: a folder skipped is not one of the 対象外のファイル."""
    from click.testing import CliRunner

    from pipeline.cli import main

    root = tmp_path / "提出"
    make_templates(base.master, YEAR, root / "様式")
    shutil.copy(base.filled, root / MAIN)
    (root / "送付状.txt").write_text("よろしく", encoding="utf-8")
    report = check_folder(base.plan, root, YEAR, Options(workers=1))
    assert (report.own_folders, report.other_files, report.workbooks) == (1, 1, 1)
    args = ["validate", str(base.master), str(root), "--year", str(YEAR)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "検証")])
    first = result.output.splitlines()[0]
    assert first.endswith(
        "、対象外のファイル 1 件、shinchoku が書き出したフォルダ 1 件（読み取らず）"
    )
