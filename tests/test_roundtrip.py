"""Reading a filled template back gives exactly what was typed — also after Excel/LibreOffice
re-saves it (cached formula values, new styles and shared strings must not create findings)."""

from __future__ import annotations

import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import labels as L
from pipeline.batch import check_folder, run
from pipeline.ingest import read_submission
from pipeline.model import Plan
from pipeline.samples import fill_template
from pipeline.templates import template_path, write_templates
from pipeline.text import key
from tests.builders import master_sheets, write_plan

YEAR = 2025


def _plan(tmp: Path) -> tuple[Path, Plan]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-①", "支援事業", "1-(1)", "環境局", "", "", ""],
            ["1-(1)-②", "対話事業", "1-(1)", "環境局", "", "", ""],
        ],
        targets=[
            ["1-(1)-①", "支援件数", "件", "増加", "", "100", "1000"],
            ["1-(1)-①", "満足度", "%", "増加", "", "60", "70"],
            ["1-(1)-①", "ごみ排出量", "g/人日", "減少", "900", "850", "800"],
            ["1-(1)-②", "指針の策定", "", "定性", "", "検討", "策定"],
        ],
        years=[2024, YEAR],
    )
    return write_plan(sheets, tmp)


TYPED = {
    ("1-(1)-1", "支援件数"): {
        L.ACTUAL: "１，２００件",
        L.GRADE: "Ａ",
        L.OUTLOOK: "拡充",
        L.WORK_DONE: '=HYPERLINK("http://example.com","x")',
    },
    ("1-(1)-1", "満足度"): {
        L.ACTUAL: 72.5,
        L.GRADE: "a評価",
        L.OUTLOOK: "継続",
        L.WORK_DONE: "@SUM(A1)",
    },
    ("1-(1)-1", "ごみ排出量"): {
        L.ACTUAL: 820,
        L.GRADE: "B",
        L.OUTLOOK: "改善･見直し",
        L.WORK_DONE: "-分別の徹底",
        L.ISSUES: "+周知",
    },
    ("1-(1)-2", "指針の策定"): {
        L.ACTUAL: "策定",
        L.GRADE: "A",
        L.OUTLOOK: "完了",
        L.WORK_DONE: "策定した。",
    },
}


@pytest.fixture()
def filled(tmp_path: Path) -> tuple[Path, Plan, Path]:
    master, plan = _plan(tmp_path)
    write_templates(plan, YEAR, tmp_path / "t")
    folder = tmp_path / "in"
    fill_template(
        template_path(tmp_path / "t", "環境局", YEAR),
        template_path(folder, "環境局", YEAR),
        {(key(a), key(b)): v for (a, b), v in TYPED.items()},
        writer="環境 花子",
    )
    return master, plan, folder


def test_reading_back_gives_what_was_typed(filled) -> None:
    _, _, folder = filled
    path = next(folder.iterdir())
    submission = read_submission(path, folder)
    assert submission.findings == ()
    assert submission.file.writer == "環境 花子"
    for record in submission.rows.to_dict("records"):
        typed = TYPED[key(record[L.NUMBER]), record[L.TARGET_NAME]]
        for label, value in typed.items():
            assert record[label] == value or float(record[label]) == value, label


def test_typed_values_become_the_right_figures(filled, tmp_path: Path) -> None:
    master, _, folder = filled
    outcome = run(master, folder, YEAR, tmp_path / "out")
    assert outcome.exit_code == 0
    got = {
        (r.project.number, r.target.name if r.target else ""): r for r in outcome.figures.listing
    }
    assert got["1-(1)-①", "支援件数"].actual == Decimal(1200)
    assert got["1-(1)-①", "支援件数"].rate == Decimal("120.0")
    assert got["1-(1)-①", "満足度"].rate == Decimal("103.6")
    assert got["1-(1)-①", "ごみ排出量"].rate == Decimal("80.0")  # (900-820)/(900-800)
    assert got["1-(1)-①", "ごみ排出量"].outlook == "改善・見直し"
    assert got["1-(1)-②", "指針の策定"].grade == "A" and got["1-(1)-②", "指針の策定"].rate is None


def _resave_with_libreoffice(folder: Path, tmp: Path) -> Path:
    out = tmp / "resaved"
    source = next(folder.iterdir())
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return out


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_a_libreoffice_resave_changes_nothing(filled, tmp_path: Path) -> None:
    master, plan, folder = filled
    before = check_folder(plan, folder, YEAR)
    resaved = _resave_with_libreoffice(folder, tmp_path)
    after = check_folder(plan, resaved, YEAR)
    assert [(f.rule, f.cell) for f in after.finding_list] == [
        (f.rule, f.cell) for f in before.finding_list
    ]
    assert after.rows_counted == before.rows_counted == 4
    a = run(master, folder, YEAR, tmp_path / "a")
    b = run(master, resaved, YEAR, tmp_path / "b")
    assert [r.rate for r in a.figures.listing] == [r.rate for r in b.figures.listing]
    assert (tmp_path / "a" / "概要.csv").read_bytes() == (tmp_path / "b" / "概要.csv").read_bytes()


_XML_TEXT = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"),
    min_size=1,
    max_size=60,
).filter(lambda s: s.strip() != "")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(work=_XML_TEXT, actual=st.integers(min_value=-(10**9), max_value=10**9))
def test_any_text_and_number_round_trip(filled, tmp_path: Path, work: str, actual: int) -> None:
    _, _, folder = filled
    path = next(folder.iterdir())
    dest = tmp_path / "h" / path.name
    values = {(key("1-(1)-①"), key("支援件数")): {L.WORK_DONE: work, L.ACTUAL: f"{actual:,}"}}
    fill_template(path, dest, values)
    submission = read_submission(dest, dest.parent)
    first = submission.rows.iloc[0]
    assert first[L.WORK_DONE] == work
    assert first[L.ACTUAL] == f"{actual:,}"
    assert len(submission.rows) == 4


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_a_project_graded_workbook_survives_a_libreoffice_resave(tmp_path: Path) -> None:
    """A plan graded per project: the locked 今年度の予定 and actors' marks keep the `_meta`
    fingerprint valid after a re-save, and 協働の相手 is read back as typed."""
    from tests.test_figures import project_sheets

    _, plan = write_plan(project_sheets(), tmp_path)
    write_templates(plan, 2025, tmp_path / "t")
    folder = tmp_path / "in"
    typed = {L.GRADE: "Ａ", L.WORK_DONE: "実施した。", L.OUTLOOK: "継続", L.PARTNERS: "=町内会"}
    fill_template(
        template_path(tmp_path / "t", "環境課", 2025),
        template_path(folder, "環境課", 2025),
        {(key(n), ""): typed for n in ("P4", "P5", "P7")},
        writer="環境 花子",
        contact="1234",
    )
    before = check_folder(plan, folder, 2025)
    resaved = _resave_with_libreoffice(folder, tmp_path)
    after = check_folder(plan, resaved, 2025)
    rules = sorted({f.rule for f in after.finding_list})
    assert (
        rules == sorted({f.rule for f in before.finding_list}) == ["B01"]
    )  # 2 departments missing
    assert after.rows_counted == before.rows_counted == 3
    assert list(after.counted[L.PARTNERS]) == ["=町内会"] * 3
