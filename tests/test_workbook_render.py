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
from tests.pdfwords import pages, share_at_least, smallest, visible_text

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
    pdf = _to_pdf(outcome.outputs[0], tmp_path / "pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "進捗状況の集計" in text and "令和6年度（2024年度）" in text
    assert "評価区分の割合" in text  # the native chart's title, drawn by LibreOffice
    assert "市民活動の促進" in text and "90.0%" in text
    assert "1 / " in text  # page numbers in the footer


def test_demo_workbook_prints_readably(demo_workbook: Path, tmp_path: Path) -> None:
    """The bundled Sendai plan (87 projects, long names and 取組内容, the trend): at least 95 %
    of the printed words at 8 pt or more (事業一覧 goes on A3), and every chart whole on its page
    (a chart cut at a page edge loses its axis labels or its last bars)."""
    words = pages(_to_pdf(demo_workbook, tmp_path / "pdf"))
    assert share_at_least(words, 8.0) >= 0.95, smallest(words)
    charts = [page for page in visible_text(words) if "評価区分の割合" in page]
    assert len(charts) >= 5  # 概要, 分野別, 施策別 (two charts), 推移
    for page in charts:  # the whole axis and the legend on the chart's page
        assert "0%" in page and "100%" in page and "C（進捗が遅れている）" in page


def _to_pdf(workbook: Path, folder: Path) -> Path:
    """Converted from a copy: LibreOffice leaves a lock file beside what it opens, and the demo's
    folder is shared by the session's tests (tests/conftest.py)."""
    folder.mkdir(parents=True, exist_ok=True)
    workbook = Path(shutil.copy(workbook, folder))
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(workbook),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return folder / workbook.with_suffix(".pdf").name
