"""The published pages in a real browser (headless Chromium driven by Playwright): they render the
figures with no console error, every link is reached from the keyboard, axe-core finds no serious
or critical WCAG 2.1 A/AA violation, and the phone-width page does not scroll sideways.

Set up with `make browser` (Playwright into .venv, axe-core into .browser/); Chromium is the
system's (Debian package chromium, or the CHROMIUM environment variable). Skipped otherwise."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.batch import Options, publish
from tests.seedplan import seed_submissions

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / ".browser" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (make browser)"
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("browser")
    typed = {("1-(1)-1", 1): {"取組内容・実績": "<script>document.title='x'</script>"}}
    master, submissions = seed_submissions(tmp, 2019, typed=typed)
    options = Options(store=tmp / "history.sqlite3")  # a store: the trend section shows
    publish(master, submissions, 2019, tmp / "site", options)
    return tmp / "site"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


def _open(browser: Any, path: Path, viewport: dict[str, int]) -> tuple[Any, list[str]]:
    page = browser.new_page(viewport=viewport)
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in {"error", "warning"} else None
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    return page, problems


PAGES = ["index.html", "entry-1.html", "entry-2.html", "entry-3.html"]


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_without_errors_on_desktop_and_phone(
    browser: Any, site: Path, name: str, tmp_path: Path
) -> None:
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page, problems = _open(browser, site / name, viewport)
        assert page.evaluate("document.documentElement.lang") == "ja"
        assert problems == []
        page.screenshot(path=str(tmp_path / f"{name}-{label}.png"), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} scrolls sideways at {viewport['width']} px"
        assert page.title() != "x"  # submitted script did not run
        page.close()


def test_index_shows_the_seed_figures_and_labelled_charts(browser: Any, site: Path) -> None:
    page, _ = _open(browser, site / "index.html", DESKTOP)
    text = page.inner_text("main")
    assert "76" in text and "77.6%" in text and "推移" in text
    charts = page.locator("svg[role=img]")
    assert charts.count() == 4  # 概要, 施策別, 区分別, 推移
    for i in range(charts.count()):
        labelled = charts.nth(i).get_attribute("aria-labelledby") or ""
        names = [page.locator(f"[id='{part}']").text_content() or "" for part in labelled.split()]
        assert names[0].startswith("評価区分の割合") and "%" in names[1]
    assert page.locator("table:not(:has(caption))").count() == 0
    page.close()


@pytest.mark.parametrize("name", ["index.html", "entry-1.html"])
def test_keyboard_reaches_every_link(browser: Any, site: Path, name: str) -> None:
    page, _ = _open(browser, site / name, DESKTOP)
    links = page.locator("a[href]").count()
    regions = page.locator("[tabindex='0']").count()
    reached: set[str] = set()
    for _ in range(links + regions + 5):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.outerHTML.slice(0, 200)"))
    hrefs = page.evaluate(
        "[...document.querySelectorAll('a[href]')].map(a => a.outerHTML.slice(0, 200))"
    )
    assert set(hrefs) <= reached
    page.close()


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (make browser)")
@pytest.mark.parametrize(
    ("name", "viewport"),
    [
        ("index.html", DESKTOP),
        ("index.html", PHONE),
        ("entry-1.html", DESKTOP),
        ("entry-3.html", PHONE),
    ],
)
def test_axe_finds_no_serious_violation(
    browser: Any, site: Path, name: str, viewport: dict[str, int]
) -> None:
    page, _ = _open(browser, site / name, viewport)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert result["passes"]  # axe did run its checks
    assert serious == []
    page.close()
