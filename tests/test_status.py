"""`shinchoku status`: every department with 提出 / 未提出 / 要修正, writing nothing."""

from __future__ import annotations

import csv
import hashlib
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from pipeline.cli import main
from pipeline.demo import BUNDLED_MASTER, make_sample_submissions
from pipeline.plan import read_plan
from pipeline.status import NEEDS_FIXING, collection_status
from pipeline.templates import write_templates

YEAR = 2024


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture(scope="module")
def collecting(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Mid-collection: the last department has not sent its file, one file has an エラー."""
    tmp = tmp_path_factory.mktemp("collect")
    plan = read_plan(BUNDLED_MASTER)
    write_templates(plan, YEAR, tmp / "t")
    make_sample_submissions(plan, YEAR, tmp / "t", tmp / "提出")
    return tmp


def test_status_lists_every_department_and_writes_nothing(
    collecting: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(collecting)  # where a default output/ or store would appear
    before = _tree(collecting)
    args = ["status", str(BUNDLED_MASTER), str(collecting / "提出"), "--year", "R6"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert _tree(collecting) == before
    plan = read_plan(BUNDLED_MASTER)
    lines = result.output.splitlines()
    assert lines[0].split("\t")[:4] == ["担当課", "状況", "ファイル", "保存日時"]
    rows = {line.split("\t")[0]: line.split("\t") for line in lines[1:] if "\t" in line}
    assert set(rows) == set(plan.departments())
    last, second = plan.departments()[-1], plan.departments()[1]
    assert rows[last][1] == "未提出" and rows[last][2] == ""
    assert rows[second][1] == NEEDS_FIXING
    assert rows[second][3].count(":") == 2  # 2025/06/02 19:00:00: Japan time, with seconds
    assert lines[-1] == f"担当課 {len(rows)} 課: 提出 {len(rows) - 2}、要修正 1、未提出 1"


def test_status_answers_quickly(collecting: Path) -> None:
    started = time.perf_counter()
    status = collection_status(BUNDLED_MASTER, collecting / "提出", YEAR)
    elapsed = time.perf_counter() - started
    assert status.count(NEEDS_FIXING) == 1
    assert elapsed < 5, elapsed  # about a second on a quiet machine; shared CI is slower


def test_status_of_an_empty_folder_says_so(tmp_path: Path) -> None:
    (tmp_path / "提出").mkdir()
    result = CliRunner().invoke(
        main, ["status", str(BUNDLED_MASTER), str(tmp_path / "提出"), "--year", "2024"]
    )
    assert "Excel ブック（.xlsx・.xlsm・.xls）が1件もありません" in result.output
    assert "未提出 25" in result.output


def _rename_heading(path: Path, old: str, new: str) -> None:
    book = load_workbook(path)
    sheet = book["進捗状況"]
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == old)
    cell.value = new
    book.save(path)


def test_a_file_with_a_renamed_heading_is_its_departments_rejected_submission(
    collecting: Path, tmp_path: Path
) -> None:
    """One explanation per mistake: F09 only, no 未提出 (B01) for the department that sent it."""
    folder = tmp_path / "提出"
    shutil.copytree(collecting / "提出", folder)
    files = list(folder.rglob("*.xlsx"))
    first = next(
        d
        for d in read_plan(BUNDLED_MASTER).departments()
        if [p.name for p in files if d in p.name] == [f"進捗状況_{d}_2024年度.xlsx"]
    )
    path = folder / f"進捗状況_{first}_2024年度.xlsx"
    _rename_heading(path, "課題", "課題等")
    args = [str(BUNDLED_MASTER), str(folder), "--year", "2024"]
    result = CliRunner().invoke(main, ["validate", *args, "--out", str(tmp_path / "v")])
    assert result.exit_code == 1, result.output
    with (tmp_path / "v" / "検証結果.csv").open(encoding="utf-8-sig") as f:
        found = list(csv.DictReader(f))
    codes = [r for r in found if path.name in r.get("ファイル", "") or first in str(r)]
    assert any("F09" in str(r) for r in codes)
    assert not any("B01" in str(r) for r in codes), codes
    with (tmp_path / "v" / "提出状況.csv").open(encoding="utf-8-sig") as f:
        states = [r for r in csv.DictReader(f) if first in str(r)]
    assert [(r["提出"], r["ファイル"]) for r in states] == [("提出", path.name)], states
    status = CliRunner().invoke(main, ["status", *args])
    row = next(line.split("\t") for line in status.output.splitlines() if line.startswith(first))
    assert row[1] == NEEDS_FIXING and row[2].endswith(path.name), status.output
