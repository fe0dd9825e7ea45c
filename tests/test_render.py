"""Render the committee workbook with LibreOffice, as a committee member would see it printed.

Skipped where LibreOffice or poppler is not installed (install: apt-get install
libreoffice-calc-nogui fonts-noto-cjk poppler-utils).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.batch import run
from pipeline.text import key
from tests.builders import complete_row, master_sheets, submit_all, write_plan

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice and poppler-utils are needed to render",
)


def test_committee_workbook_renders_with_charts_and_japanese_text(tmp_path: Path) -> None:
    sheets = master_sheets(
        tree=[["1", "市民活動の促進", "", "分野"], ["1-(1)", "環境の整備", "1", "施策"]],
        projects=[["1-(1)-①", "支援事業", "1-(1)", "A課", "", "", ""]],
        targets=[["1-(1)-①", "件数", "件", "増加", "", "100"]],
        years=[2024],
    )
    master, plan = write_plan(sheets, tmp_path)
    submissions = submit_all(
        plan, 2024, tmp_path, {(key("1-(1)-①"), key("件数")): complete_row("B", 90)}
    )
    outcome = run(master, submissions, 2024, tmp_path / "out")
    workbook = outcome.outputs[0]
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path / "pdf"),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = tmp_path / "pdf" / workbook.with_suffix(".pdf").name
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "進捗状況の集計" in text and "令和6年度（2024年度）" in text
    assert "評価区分の割合" in text  # the native chart's title, drawn by LibreOffice
    assert "市民活動の促進" in text and "90.0%" in text
    assert "1 / " in text  # page numbers in the footer
