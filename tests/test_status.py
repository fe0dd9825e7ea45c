"""`shinchoku status`: every department with 提出 / 未提出 / 要修正, writing nothing."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

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
