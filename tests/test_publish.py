"""shinchoku publish on the Sendai seed's FY2019 figures (76 targets, 77.6 % A): the web pages,
the PDF report and the open data carry the same figures, and text typed by a department shows as
text everywhere."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import labels as L
from pipeline.batch import Options, publish
from pipeline.cli import main
from pipeline.errors import OutputError
from pipeline.outdir import FolderError
from pipeline.text import key
from tests.builders import write_plan
from tests.pdfwords import pages, share_at_least, smallest
from tests.seedplan import seed_submissions

SCRIPT = "<script>alert('x')</script>"
FORMULA = '=HYPERLINK("http://example.invalid","押して")'
LONG = "長い取組の説明。" * 1500 + "終わり"  # 13,500 characters, no spaces
RUN_AT = datetime(2020, 6, 30, 8, 0, 5, tzinfo=UTC)  # 17:00:05 in Japan
RUN_SHOWN = "集計日時 2020/06/30 17:00:05"  # as every output shows a time


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("publish")
    typed = {
        ("1-(1)-1", 1): {L.WORK_DONE: SCRIPT, L.ISSUES: FORMULA},
        ("2-(1)-1", 1): {L.WORK_DONE: LONG},
    }
    master, submissions = seed_submissions(tmp, 2019, typed=typed)
    out = tmp / "公表"
    options = Options(store=tmp / "history.sqlite3")  # with a store: the trend is published
    outcome = publish(master, submissions, 2019, out, options, run_at=RUN_AT)
    assert outcome.exit_code == 0
    return out


class _Page(HTMLParser):
    """What a reader's browser builds: elements with their attributes, and the visible text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_index_page_shows_the_seed_figures_accessibly(published: Path) -> None:
    page = _parse(published / "index.html")
    text = "".join(page.text)
    assert ("html", {"lang": "ja"}) in page.tags
    assert "設定目標数 76" in " ".join(text.split()) and "77.6%" in text
    svgs = [attrs for tag, attrs in page.tags if tag == "svg"]
    assert len(svgs) == 4  # a chart per level (概要: 全体 and each 分野; 施策別), 区分別, the trend
    titles = {attrs.get("id") for tag, attrs in page.tags if tag == "title"}
    for attrs in svgs:  # every chart named for screen readers by its own title and description
        assert attrs["role"] == "img"
        assert all(
            part in titles or part.endswith("-desc") for part in attrs["aria-labelledby"].split()
        )
    tables = sum(1 for tag, _ in page.tags if tag == "table")
    assert tables == sum(1 for tag, _ in page.tags if tag == "caption") == 4
    assert "令和元年度" in text  # the trend's year
    assert all(attrs.get("scope") in {"col", "row"} for tag, attrs in page.tags if tag == "th")
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    for link in links:  # every link leads to a file of the publication
        target = link.split("#")[0]
        assert not target or (published / target).exists(), link


def test_entry_pages_list_projects_grades_and_work_done(published: Path) -> None:
    first = _parse(published / "entry-1.html")
    text = "".join(first.text)
    assert "1-(1)-1" in text and "分野1の事業1" in text and "取組内容・実績" in text
    assert "実施した。" in text
    entries = sorted(published.glob("entry-*.html"))
    assert len(entries) == 3  # one per 分野


def test_submitted_text_shows_as_text_in_every_page_and_file(published: Path) -> None:
    page = _parse(published / "entry-1.html")
    assert not [attrs for tag, attrs in page.tags if tag == "script"]  # nothing runs
    text = "".join(page.text)
    assert SCRIPT in text and FORMULA in text
    long_page = "".join(_parse(published / "entry-2.html").text)
    assert LONG in long_page  # whole, not cut
    pdf_text = _pdftotext(_pdf(published))
    assert "<script>alert('x')</script>" in "".join(pdf_text.split())
    assert "=HYPERLINK(" in pdf_text
    assert "終わり" in pdf_text or "以下省略" in pdf_text  # the long text runs over pages
    with (published / "opendata" / f"{L.LISTING_SHEET}.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    cells = {row[L.WORK_DONE] for row in rows} | {row[L.ISSUES] for row in rows}
    assert SCRIPT in cells and "'" + FORMULA in cells and LONG in cells  # a formula is defused


def _pdf(published: Path) -> Path:
    return published / "seed_2019年度.pdf"


def _pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils (pdftotext) is needed to read the PDF's text")
    return subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_pages_and_pdf_show_the_run_time_in_japan_time(published: Path) -> None:
    assert RUN_SHOWN in "".join(_parse(published / "index.html").text)
    assert RUN_SHOWN in " ".join(w.text for w in pages(_pdf(published))[0])


def test_pdf_report_is_a4_with_selectable_figures_at_9_points(published: Path) -> None:
    pdf = _pdf(published)
    text = _pdftotext(pdf)
    assert "76" in text and "77.6%" in text and "事業一覧" in text
    assert "分野1の事業1" in text  # the project list, under its 分野
    words = pages(pdf)
    assert share_at_least(words, 9.0) >= 0.95, smallest(words)
    last = "".join(w.text for w in words[-1])
    assert f"{len(words)}/{len(words)}" in last  # page numbers
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_open_data_package_validates(published: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    package_path = published / "opendata" / "datapackage.json"
    report = frictionless.validate(str(package_path))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads(package_path.read_text(encoding="utf-8"))
    titles = [r["title"] for r in package["resources"]]
    assert titles == [L.SUMMARY_SHEET, "分野別", "施策別", "区分別", L.TREND_SHEET, L.LISTING_SHEET]
    assert {f["name"] for f in package["resources"][0]["schema"]["fields"]} >= {
        L.TARGETS_SET,
        "A割合",
    }
    with (published / "opendata" / f"{L.SUMMARY_SHEET}.csv").open(encoding="utf-8-sig") as f:
        total = next(csv.DictReader(f))
    assert (total[L.TARGETS_SET], total["A割合"]) == ("76", "77.6")
    assert not (published / "opendata" / f"{L.FINDINGS_SHEET}.csv").exists()  # internal


def test_publish_replaces_an_earlier_publication_and_refuses_other_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    master, submissions = seed_submissions(tmp_path, 2019)
    out = tmp_path / "site"
    publish(master, submissions, 2019, out, run_at=RUN_AT)
    first = sorted(p.name for p in out.rglob("*"))
    publish(master, submissions, 2019, out, run_at=RUN_AT)  # an earlier publication: replaced
    assert sorted(p.name for p in out.rglob("*")) == first

    import pipeline.publish.pdf as pdf_module

    def broken(*args: object) -> Path:
        raise OSError("disk full")

    monkeypatch.setattr(pdf_module, "write_pdf", broken)
    with pytest.raises(OutputError, match="前回のまま"):  # the disk's refusal, said in Japanese
        publish(master, submissions, 2019, out, run_at=RUN_AT)
    assert sorted(p.name for p in out.rglob("*")) == first  # the earlier one stays whole
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site")] == []

    (out / "memo.txt").write_text("keep", encoding="utf-8")  # someone else's file in DIR
    with pytest.raises(FolderError, match=r"memo\.txt"):
        publish(master, submissions, 2019, out, run_at=RUN_AT)
    assert (out / "memo.txt").read_text(encoding="utf-8") == "keep"


def test_cli_publish(tmp_path: Path) -> None:
    master, submissions = seed_submissions(tmp_path, 2019)
    out = tmp_path / "公表"
    runner = CliRunner()
    result = runner.invoke(
        main, ["publish", str(master), str(submissions), "--year", "R1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "公表用ページ" in result.output and (out / "index.html").exists()
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "x.txt").write_text("x", encoding="utf-8")
    refused = runner.invoke(
        main,
        [
            "publish",
            str(master),
            str(submissions),
            "--year",
            "2019",
            "--out",
            str(tmp_path / "busy"),
        ],
    )
    assert refused.exit_code == 2 and "x.txt" in refused.output


def test_publish_knows_nothing_of_sendai(tmp_path: Path) -> None:
    """Three levels (基本目標;施策;取組), four grades S/A/B/C: pages per 基本目標, the 施策 named on
    the way to each 取組, four-grade charts, a valid package."""
    from tests.builders import complete_row, submit_all
    from tests.test_batch_agnostic import _plan

    master, plan = _plan(tmp_path)
    values = {
        (key("101"), key("訓練参加者数")): complete_row("S", 1250),
        (key("201"), key("案内所利用者数")): complete_row("C", 150),
    }
    submissions = submit_all(plan, 2026, tmp_path, values)
    out = tmp_path / "site"
    publish(master, submissions, 2026, out, run_at=RUN_AT)
    index = "".join(_parse(out / "index.html").text)
    assert "S（大きく進んだ）" in index and "取組別" in index
    entry = "".join(_parse(out / "entry-1.html").text)
    assert "安心して暮らせるまち" in entry and "防災 ＞ G1-1-a" in entry and "防災訓練" in entry
    assert (out / "other-city_2026年度.pdf").stat().st_size > 5000
    frictionless = pytest.importorskip("frictionless")
    assert frictionless.validate(str(out / "opendata" / "datapackage.json")).valid


def test_a_plan_graded_per_project_publishes_its_breakdowns(tmp_path: Path) -> None:
    """No targets: 評価対象事業数 instead of 設定目標数, the breakdowns (区分別, 予定別, 取組主体別)
    as charts and tables, each project's 区分, 予定 and grade on its page and in the PDF."""
    from tests.builders import submit_all
    from tests.test_figures import _review_row, project_sheets

    master, plan = write_plan(project_sheets(), tmp_path)
    values = {
        (key("P1"), ""): _review_row("S"),
        (key("P2"), ""): _review_row("A"),
        (key("P7"), ""): _review_row("B"),
    }
    submissions = submit_all(plan, 2025, tmp_path, values)
    out = tmp_path / "site"
    publish(master, submissions, 2025, out, run_at=RUN_AT)
    page = _parse(out / "index.html")
    text = " ".join("".join(page.text).split())
    assert "評価対象事業数 5" in text  # P1, P2, P4, P5, P7 are planned in 2025
    for name in ("区分別", "予定別", "取組主体別"):
        assert f"{name}の状況" in text
    assert sum(1 for tag, _ in page.tags if tag == "svg") == 5  # 概要, 取組別 and 3 breakdowns
    entry = "".join(_parse(out / "entry-1.html").text)
    assert "見守り活動" in entry and "今年度の予定" in entry and "町内会" in entry
    pdf_text = "".join(_pdftotext(out / "kita-kyosei_2025年度.pdf").split())
    assert "取組主体別の状況" in pdf_text and "見守り活動" in pdf_text
    frictionless = pytest.importorskip("frictionless")
    assert frictionless.validate(str(out / "opendata" / "datapackage.json")).valid
