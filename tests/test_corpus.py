"""Real files from other readers' test suites (tests/data/corpus/, licences noted there) dropped
beside genuine submissions: the batch finishes (exit 1, no traceback), every file is listed in
提出状況.csv with the finding that names what is wrong with it, the genuine figures are exactly
those of a run without them, and no message speaks a library's language."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline import labels as L
from pipeline.cli import main
from tests.hostile import YEAR, Base, make_base

CORPUS = Path(__file__).parent / "data" / "corpus"
SPREADSHEETS = (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods")

FUZZ = "poi/clusterfuzz-testcase-minimized-"
EXPECTED: dict[str, tuple[str, ...]] = {
    "calamine/OOM_alloc3.xls": ("F01",),  # a broken sector chain
    "calamine/any_sheets.ods": ("F21",),
    "calamine/any_sheets.xlsb": ("F21",),
    "calamine/any_sheets.xlsx": ("F06",),
    "calamine/biff5-rich-text-string.xls": ("F06",),
    "calamine/capitalized_wbook_stream.xls": ("F06",),
    "calamine/date.xls": ("F06",),  # read, but no 進捗状況: no F17 「値は読み取りました」
    "calamine/empty_sheet.xlsx": ("F06",),
    "calamine/errors.xlsx": ("F06",),
    "calamine/inlineStr_cdata.xlsx": ("F06",),
    "calamine/issue_594_dos.ods": ("F21",),
    "calamine/issue_646_unsupported_formula_function.xls": ("F06",),
    "calamine/issue_666_lost_sheets.xlsb": ("F21",),
    "calamine/issue_666_panic.xlsb": ("F21",),
    "calamine/malformed_format.xls": ("F06",),
    "calamine/nonstandard-xml-ns-prefix.xlsx": ("F06",),
    "calamine/pass_protected.ods": ("F21",),
    "calamine/pass_protected.xlsb": ("F03",),
    "calamine/pass_protected.xlsx": ("F03",),
    "calamine/ptgexp-truncated-operand.xls": ("F06",),
    "calamine/sst_continue.xls": ("F06",),
    "calamine/strict_iso_paths.xlsx": ("F06",),
    "calamine/too_small.xls": ("F04",),
    "calamine/vba.xlsm": ("F06", "F12"),
    "phpspreadsheet/HiddenSheet.xls": ("F06",),
    "phpspreadsheet/WholeRowAndColumn.xls": ("F06",),
    "phpspreadsheet/bug1505.xls": ("F06",),
    "phpspreadsheet/oleloop.xls": ("F01",),  # once: a reader looping to 8.5 GB
    "phpspreadsheet/pwtest.xls": ("F03",),
    "phpspreadsheet/sample.xls": ("F06",),
    "poi/51535.xls": ("F05",),  # 41 KB, one sheet of 65,536 x 256 cells
    "poi/Simple.xlsb": ("F21",),
    "poi/SimpleStrict.xlsx": ("F06",),
    "poi/password.xls": ("F03",),
    "poi/sample.strict.xlsx": ("F06",),
    "poi/xor-encryption-abc.xls": ("F03",),
    FUZZ + "POIFuzzer-5040805309710336.xlsx": ("F01",),
    FUZZ + "POIHSSFFuzzer-4819588401201152.xls": ("F01",),
    FUZZ + "POIHSSFFuzzer-5816431116615680.xls": ("F01",),  # once: a Rust panic, a traceback
    FUZZ + "POIHSSFFuzzer-5889658057523200.xls": ("F01",),
    FUZZ + "POIHSSFFuzzer-6137883240824832.xls": ("F01",),
    FUZZ + "POIHSSFFuzzer-6537773940867072.xls": ("F03",),
    FUZZ + "POIXSSFFuzzer-6123461607817216.xlsx": ("F01",),
    FUZZ + "XLSX2CSVFuzzer-5636439151607808.xlsx": ("F01",),
    FUZZ + "XLSX2CSVFuzzer-6594557414080512.xlsx": ("F01",),
}
# what a clerk must never read: a library's or a file format's inner words
LIBRARY_WORDS = re.compile(
    r"Error|Exception|Panic|Traceback|BadZip|Calamine|calamine|openpyxl|olefile|_rels|\.rels"
    r"|\.xml|xl/|Cfb|BIFF|pyo3|Errno"
)


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() in SPREADSHEETS)


def test_every_corpus_file_has_its_expectation_and_the_corpus_stays_small() -> None:
    names = {p.relative_to(CORPUS).as_posix() for p in corpus_files()}
    assert names == set(EXPECTED)
    assert sum(p.stat().st_size for p in CORPUS.rglob("*")) < 3 * 1024 * 1024
    for folder in ("calamine", "phpspreadsheet", "poi"):
        assert any(p.name.startswith("LICENSE") for p in (CORPUS / folder).iterdir()), folder


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


def _run(base: Base, folder: Path, out: Path) -> tuple[int, str]:
    result = CliRunner().invoke(
        main,
        ["run", str(base.master), str(folder), "--year", str(YEAR), "--out", str(out), "--no-db"],
    )
    assert not isinstance(result.exception, Exception), result.output
    return result.exit_code, result.output


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def runs(base: Base, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, int]:
    root = tmp_path_factory.mktemp("corpus_run")
    genuine, mixed = root / "genuine", root / "mixed"
    for folder in (genuine, mixed):
        folder.mkdir()
        shutil.copy(base.filled, folder / "進捗状況_A課_2025年度.xlsx")
        shutil.copy(base.other, folder / "進捗状況_B課_2025年度.xlsx")
    for path in corpus_files():
        target = mixed / "受信" / path.relative_to(CORPUS)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    code_genuine, _ = _run(base, genuine, root / "out_genuine")
    assert code_genuine == 0
    code, output = _run(base, mixed, root / "out_mixed")
    assert "Traceback" not in output
    return genuine, root / "out_genuine", root / "out_mixed", code


def test_the_batch_finishes_with_exit_1_and_writes_every_output(runs) -> None:  # type: ignore[no-untyped-def]
    _, _, out, code = runs
    assert code == 1
    for name in ("検証結果.csv", "提出状況.csv", "概要.csv", "事業一覧.csv"):
        assert (out / name).exists(), name
    assert list(out.glob("集計結果_*.xlsx"))


def test_every_corpus_file_is_listed_with_the_finding_that_names_it(runs) -> None:  # type: ignore[no-untyped-def]
    _, _, out, _ = runs
    listed = {row["ファイル"] for row in _csv(out / "提出状況.csv")}
    found: dict[str, set[str]] = {}
    for row in _csv(out / "検証結果.csv"):
        found.setdefault(row["ファイル"], set()).add(row["規則"])
    for name, rules in EXPECTED.items():
        shown = f"受信/{name}"
        assert shown in listed, shown
        assert found.get(shown, set()) == set(rules), shown


def test_genuine_figures_are_unchanged_by_the_corpus(runs) -> None:  # type: ignore[no-untyped-def]
    _, alone, mixed, _ = runs
    for name in ("概要.csv", "事業一覧.csv", "分野別.csv"):
        assert (mixed / name).read_bytes() == (alone / name).read_bytes(), name
    rows = {r["ファイル"]: r for r in _csv(mixed / "提出状況.csv")}
    assert rows["進捗状況_A課_2025年度.xlsx"]["提出"] == L.SUBMITTED


def test_no_message_speaks_a_librarys_language(runs) -> None:  # type: ignore[no-untyped-def]
    _, _, out, _ = runs
    for row in _csv(out / "検証結果.csv"):
        assert not LIBRARY_WORDS.search(row["メッセージ"]), row["メッセージ"]
