"""Hostile and messy submissions (tests/hostile.py): each one gives its findings and never a
traceback; a whole folder of them goes through `shinchoku run` with every row accounted for, the
inputs untouched and submitted text never turned into a formula; feedback can be acted on; and
arbitrary values typed into the yellow cells never break the row balance."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from pipeline import labels as L
from pipeline.batch import Options, check_folder, run
from pipeline.cli import main
from pipeline.ingest import Limits
from pipeline.ingest.reader import shown_path
from pipeline.messages import RULES
from pipeline.model import ACTUAL_VALUE, FILE, ROW, Report
from pipeline.report.feedback import feedback_path
from pipeline.text import key
from tests.hostile import (
    CASES,
    EDITABLE,
    INJECTION,
    MAIN,
    ROWS,
    YEAR,
    Base,
    Case,
    ErrorValue,
    Formula,
    edited,
    make_base,
    put,
)

HAS_SOFFICE = shutil.which("soffice") is not None
_CELL_ROW = re.compile(r"^[A-Z]+(\d+)$")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def corpus(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Callable[[Case], Path]:
    """The folder of a case, built once per module."""
    root = tmp_path_factory.mktemp("corpus")
    built: dict[str, Path] = {}

    def folder(case: Case) -> Path:
        if case.name not in built:
            path = root / case.name
            case.build(base, path)
            built[case.name] = path
        return built[case.name]

    return folder


def _anchor_of(sheet, ref: str):  # type: ignore[no-untyped-def]
    """A merged range carries its comment at its top-left cell."""
    for merged in sheet.merged_cells.ranges:
        if ref in merged:
            return sheet.cell(row=merged.min_row, column=merged.min_col)
    return sheet[ref]


def _marks(case: Case) -> list[pytest.MarkDecorator]:
    marks = []
    if case.needs_soffice:
        marks.append(
            pytest.mark.skipif(not HAS_SOFFICE, reason="LibreOffice (soffice) not installed")
        )
    if case.bug:
        marks.append(pytest.mark.xfail(reason=f"BUG: {case.bug}", raises=case.raises, strict=True))
    return marks


# --- one case at a time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    rule: str
    file: str
    cell: str
    severity: str


_ISOLATED = """
import json, sys
from pathlib import Path
from pipeline.batch import run
checked = run(Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
print(json.dumps([[f.rule, f.file, f.cell, f.severity] for f in checked.finding_list]))
"""


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (8 * 1024**3, 8 * 1024**3))


def _run_in_subprocess(base: Base, folder: Path, out: Path) -> list[Seen]:
    """For files that may abort the interpreter itself (a native reader running out of memory)."""
    done = subprocess.run(
        [sys.executable, "-c", _ISOLATED, str(base.master), str(folder), str(YEAR), str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
        preexec_fn=_limit_memory if sys.platform.startswith("linux") else None,
    )
    assert done.returncode == 0, f"the check died (exit {done.returncode}): {done.stderr[-600:]}"
    return [Seen(*row) for row in json.loads(done.stdout)]


def _seen(checked: Report) -> list[Seen]:
    return [Seen(f.rule, f.file, f.cell, f.severity) for f in checked.finding_list]


def _assert_expected(case: Case, seen: list[Seen]) -> None:
    shown = "\n".join(f"  {s.rule} {s.file} {s.cell} {s.severity}" for s in seen)
    for expect in case.expect:
        file = case.main if expect.file is None else expect.file  # '': a batch finding
        hits = [s for s in seen if s.rule == expect.rule and s.file == file]
        assert hits, f"{expect.rule} expected on {file}; found:\n{shown}"
        if expect.cell is not None:
            cells = [s.cell for s in hits]
            assert expect.cell in cells, f"{expect.rule} expected at {expect.cell}, got {cells}"
    if case.clean:
        errors = [s for s in seen if s.file == case.main and s.severity == L.ERROR]
        assert not errors, f"no エラー expected on {case.main}; found:\n{shown}"


def _row_of(cell: str) -> int | None:
    match = _CELL_ROW.match(cell)
    return int(match.group(1)) if match else None


def assert_no_lost_row(checked: Report) -> None:
    """rows read = counted + rejected per file; every rejected row of a file in use has an エラー
    on its own row (or the file one F09: headings changed); a file not in use says why
    (superseded, or an エラー of its own)."""
    status = {r.file: r for r in checked.file_rows if r.file}
    for file_report in checked.file_reports:
        path = file_report.file.path
        read = set(file_report.rows_read)
        assert len(read) == len(file_report.rows_read), f"{path}: a sheet row read twice"
        counted_frame = checked.counted[checked.counted[FILE] == path]
        counted = {int(r) for r in counted_frame[ROW]}
        assert len(counted) == len(counted_frame), f"{path}: a row counted twice"
        assert counted <= read
        row = status[path]
        assert (row.read, row.counted, row.rejected) == (
            len(read),
            len(counted),
            len(read) - len(counted),
        ), path
        own = [f for f in checked.finding_list if f.file == path]
        error_rows = {
            _row_of(f.cell)
            for f in own
            if f.severity == L.ERROR and f.sheet == L.PROGRESS_SHEET and _row_of(f.cell)
        }
        if row.status == L.SUBMITTED and any(f.rule == "F09" for f in own):
            # headings changed: the department's submission, every row rejected by that one エラー
            assert not counted, f"{path}: rows counted from a file without all its headings"
        elif row.status == L.SUBMITTED:
            silent = sorted(read - counted - error_rows)
            assert not silent, f"{path}: rows {silent} rejected without an エラー on their row"
            wrongly = sorted(counted & error_rows)
            assert not wrongly, f"{path}: rows {wrongly} counted despite an エラー"
        else:
            assert not counted, f"{path} is not in use, yet rows were counted"
            assert any(f.rule == "B03" or f.severity == L.ERROR for f in own), path
    assert checked.rows_read == checked.rows_counted + checked.rows_rejected


def _assert_values(case: Case, checked: Report) -> None:
    counted = checked.counted
    for sheet_row, expected in case.values.items():
        found = counted[(counted[FILE] == case.main) & (counted[ROW] == sheet_row)]
        assert len(found) == 1, f"row {sheet_row} of {case.main} not counted"
        assert found.iloc[0][ACTUAL_VALUE] == expected, (sheet_row, found.iloc[0][ACTUAL_VALUE])


_FORMULA = re.compile(rb"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>", re.DOTALL)


@functools.cache
def _formulas_of(content: bytes) -> frozenset[str]:
    """Formulas in a workbook's sheets, as openpyxl shows them ('=' + text), read from the XML
    without parsing it (some inputs are XML bombs) and without loading the workbook."""
    found: set[str] = set()
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for info in archive.infolist():
                sheet_like = info.filename.startswith("xl/") and info.filename.endswith(".xml")
                if sheet_like and info.file_size < 20 * 2**20:  # any part name (see renamed_part)
                    xml = archive.read(info)
                    found |= {"=" + html.unescape(m.decode()) for m in _FORMULA.findall(xml)}
    except Exception:  # not a zip, or a damaged one: it holds no formula anyone could copy
        pass
    return frozenset(found)


def assert_text_stays_text(outputs: list[Path], inputs: list[Path]) -> set[str]:
    """No output cell is a formula unless it is one the department's own sheet already held
    (the 達成率 column of a feedback copy); returns every text cell, for further checks."""
    allowed: set[str] | None = None
    text: set[str] = set()
    for path in outputs:
        book = load_workbook(path)
        for sheet in book.worksheets:
            # the cells that exist (iter_rows would walk a memo sheet's 1048576 x 16384 grid)
            for c in list(sheet._cells.values()):
                if c.data_type == "f":
                    if allowed is None:
                        allowed = set().union(*(_formulas_of(p.read_bytes()) for p in inputs))
                    where = f"{path.name}!{sheet.title}!{c.coordinate} {c.value!r}"
                    assert key(sheet.title) == key(L.PROGRESS_SHEET), where
                    assert c.value in allowed, where
                elif c.data_type == "s" and isinstance(c.value, str):
                    text.add(c.value)
    return text


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")  # <f>, <f t="shared" …>, <f/>; not <font>


def _holds_formula(path: Path) -> bool:
    """Whether a worksheet of the workbook has a formula element: openpyxl types a cell as a
    formula only from one, so a workbook without any (the committee workbook is written without)
    needs no loading to know that none of its cells is a formula."""
    with zipfile.ZipFile(path) as archive:
        return any(
            _FORMULA_TAG.search(archive.read(info))
            for info in archive.infolist()
            if "worksheets/" in info.filename and info.filename.endswith(".xml")
        )


def assert_no_formula_added(outputs: list[Path], inputs: list[Path]) -> None:
    """assert_text_stays_text for every output, loading only the workbooks that hold a formula
    (the feedback copies, with the sheet's own 達成率 column): the same verdict, a tenth of the
    time, for the checks that run once per hostile case or example."""
    assert_text_stays_text([p for p in outputs if _holds_formula(p)], inputs)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_csv_escaped(folder: Path) -> None:
    """OWASP CSV injection: a text field never starts with = + - @ tab or CR."""
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for value in row:
                    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                        assert _is_number(value), f"{path.name}: {value[:60]!r}"


def assert_feedback_marks(checked: Report, folder: Path, out: Path) -> None:
    """Every cell finding on a file in use is commented in the department's feedback copy."""
    status = {r.file: r.status for r in checked.file_rows if r.file}
    for file_report in checked.file_reports:
        file = file_report.file
        cells = {
            f.cell
            for f in checked.finding_list
            if f.file == file.path and f.sheet == L.PROGRESS_SHEET and f.cell
        }
        if not cells or status[file.path] != L.SUBMITTED or file.kind not in ("xlsx", "xlsm"):
            continue
        if not file.readable:  # headings changed (F09): its findings are listed, not marked
            continue
        try:
            load_workbook(file_report.source or folder / file.path)
        except Exception:  # openpyxl cannot copy it: the findings are listed only
            continue
        department = file_report.claimed or file_report.department or ""
        book = load_workbook(feedback_path(out / L.FEEDBACK_SHEET, department, YEAR))
        sheets = [ws for ws in book.worksheets if key(ws.title) == key(L.PROGRESS_SHEET)]
        assert sheets, f"no copy of the department's sheet in {book.sheetnames}"
        unmarked = sorted(c for c in cells if _anchor_of(sheets[0], c).comment is None)
        assert not unmarked, f"{file.path}: cells without a comment in the feedback copy"


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name, marks=_marks(c)) for c in CASES])
def test_hostile_submission(
    case: Case, base: Base, corpus: Callable[[Case], Path], tmp_path: Path
) -> None:
    folder, out = corpus(case), tmp_path / "out"
    if case.isolate:
        _assert_expected(case, _run_in_subprocess(base, folder, out))
        return
    before = _hashes(folder)
    outcome = run(base.master, folder, YEAR, out, Options(limits=case.limits or Limits()))
    checked = outcome
    _assert_expected(case, _seen(checked))
    _assert_values(case, checked)
    if case.check is not None:
        case.check(checked, case.main)
    assert_no_lost_row(checked)
    assert _hashes(folder) == before
    assert_csv_escaped(out)
    assert_no_formula_added(sorted(out.rglob("*.xlsx")), _files(folder))
    assert_feedback_marks(checked, folder, out)


def test_the_corpus_is_large_and_names_real_rules() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)
    for case in CASES:
        assert case.expect or case.values or case.check, case.name
        assert all(e.rule in RULES for e in case.expect), case.name


# --- the whole corpus through the command line ----------------------------------------------------


def _in_folder_run(case: Case) -> bool:
    """Known bugs stay out (each has its strict xfail above): the rest must pass as a whole."""
    return not case.bug and (HAS_SOFFICE or not case.needs_soffice)


def _hashes(folder: Path) -> dict[str, str]:
    return {
        shown_path(p, folder): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class WholeRun:
    root: Path
    before: dict[str, str]
    after: dict[str, str]
    first: Result
    second: Result
    out: Path
    again: Path


@pytest.fixture(scope="module")
def whole(
    base: Base, corpus: Callable[[Case], Path], tmp_path_factory: pytest.TempPathFactory
) -> WholeRun:
    work = tmp_path_factory.mktemp("whole")
    root = work / "提出"
    for case in filter(_in_folder_run, CASES):
        shutil.copytree(corpus(case), root / case.name)
    before = _hashes(root)
    args = ["run", str(base.master), str(root), "--year", "令和7年度", "--out"]
    first = CliRunner().invoke(main, [*args, str(work / "out")])
    second = CliRunner().invoke(main, [*args, str(work / "again")])
    return WholeRun(root, before, _hashes(root), first, second, work / "out", work / "again")


def test_whole_corpus_runs_to_exit_1_without_traceback(whole: WholeRun) -> None:
    for result in (whole.first, whole.second):
        assert result.exit_code == 1, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        assert re.search(r"行: 読込 \d+ = 集計 \d+ \+ 除外 \d+", result.output)


def _unescaped(value: str) -> str:
    return value[1:] if value[:2] in ("'=", "'+", "'-", "'@") else value


def test_whole_corpus_every_file_listed_and_every_row_accounted_for(whole: WholeRun) -> None:
    status = _csv(whole.out / "提出状況.csv")
    listed = {_unescaped(r[L.STATUS_FILE]) for r in status if r[L.STATUS_FILE]}
    assert listed == set(whole.before), set(whole.before) ^ listed
    for row in status:
        if not row[L.STATUS_FILE]:
            continue
        read, counted, rejected = (
            int(row[c]) for c in (L.STATUS_READ, L.STATUS_COUNTED, L.STATUS_REJECTED)
        )
        assert read == counted + rejected, row


def test_whole_corpus_inputs_untouched_and_csv_identical_on_rerun(whole: WholeRun) -> None:
    assert whole.after == whole.before
    names = sorted(p.name for p in whole.out.glob("*.csv"))
    assert {"概要.csv", "提出状況.csv", "検証結果.csv", "事業一覧.csv"} <= set(names)
    for name in names:
        assert (whole.out / name).read_bytes() == (whole.again / name).read_bytes(), name


def test_whole_corpus_outputs_hold_submitted_text_as_text(whole: WholeRun) -> None:
    outputs = sorted(whole.out.rglob("*.xlsx"))
    assert any(p.parent.name == L.FEEDBACK_SHEET for p in outputs)
    text = assert_text_stays_text(outputs, _files(whole.root))
    # the newest A課 file (formula_injection_text) is the one in use: its text shows as text
    for payload in INJECTION.values():
        assert any(payload in t for t in text), payload
    assert_csv_escaped(whole.out)


def test_whole_corpus_outputs_never_contain_an_external_entity(whole: WholeRun) -> None:
    secret = Path("/etc/passwd")
    first_line = secret.read_text().splitlines()[0].encode() if secret.exists() else b"root:x:0:0"
    for path in whole.out.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                blobs = [archive.read(i) for i in archive.infolist()]
        elif path.is_file():
            blobs = [path.read_bytes()]
        else:
            continue
        assert not any(first_line in blob for blob in blobs), path


# --- feedback round trip --------------------------------------------------------------------------

_FIXES: dict[str, object] = {"V01": 120, "V05": "A", "V06": "B", "V07": "実施した。", "V09": "継続"}


def test_fixing_the_highlighted_cells_clears_the_findings(base: Base, tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    mistakes = {"H7": "未集計", "J7": None, "J8": "D", "K9": None, "M10": "様子見"}
    edited(mistakes)(base, folder)
    args = ["validate", str(base.master), str(folder), "--year", "2025", "--out"]
    first = CliRunner().invoke(main, [*args, str(tmp_path / "out1")])
    assert first.exit_code == 1, first.output

    sent = feedback_path(tmp_path / "out1" / L.FEEDBACK_SHEET, "A課", YEAR)
    feedback = load_workbook(sent)
    listing = [[c.value for c in r] for r in feedback[L.FEEDBACK_SHEET].iter_rows()]
    top = next(i for i, r in enumerate(listing) if r[0] == L.FINDING_SEVERITY)
    header = listing[top]
    rows = [dict(zip(header, r, strict=True)) for r in listing[top + 1 :]]
    flagged = {
        (r[L.FINDING_RULE], r[L.FINDING_CELL])
        for r in rows
        if r[L.FINDING_SEVERITY] == L.ERROR and r[L.FINDING_CELL]
    }
    assert flagged == {("V01", "H7"), ("V05", "J7"), ("V06", "J8"), ("V07", "K9"), ("V09", "M10")}
    copy = feedback[L.PROGRESS_SHEET]
    for _, cell in flagged:
        assert copy[cell].comment is not None and copy[cell].fill.fgColor.rgb.endswith("FFC7CE")

    book = load_workbook(folder / MAIN)  # the department fixes its own file
    sheet = book[L.PROGRESS_SHEET]
    for rule, cell in flagged:
        put(sheet[cell], _FIXES[rule])
    book.save(folder / MAIN)

    second = CliRunner().invoke(main, [*args, str(tmp_path / "out2")])
    assert second.exit_code == 0, second.output
    left = [r for r in _csv(tmp_path / "out2" / "検証結果.csv") if r[L.FINDING_FILE] == MAIN]
    assert left == []
    assert not (tmp_path / "out2" / L.FEEDBACK_SHEET / sent.name).exists()


# --- arbitrary values in the yellow cells ---------------------------------------------------------

_CHARS = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
_TEXT = st.text(_CHARS, max_size=24)
_LEADING = st.builds(
    lambda lead, rest: lead + rest, st.sampled_from(["=", "+", "-", "@", "＝", "'", "\t"]), _TEXT
)
_TYPED = st.sampled_from(
    [
        "A",
        "Ｂ",
        "c評価",
        "D",
        "継続",
        "改善･見直し",
        "－",
        "1.2万",
        "１，２００件",
        "△5",
        "未集計",
        "70%",
        "1e400",
        "NaN",
        "-inf",
        "#DIV/0!",
        " ",
    ]
)
_TYPED_TEXT = _TYPED
_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**18), max_value=10**18),
    st.floats(allow_nan=False, allow_infinity=False),
    _TEXT,
    _LEADING,
    _TYPED,
    st.builds(lambda rest: Formula("=" + rest), _TEXT),
    st.sampled_from([ErrorValue(e) for e in ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?")]),
    st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 1, 1)),
)
_CELLS = [f"{column}{row}" for row in ROWS.values() for column in EDITABLE.values()]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from(["template", "filled"]),
    cells=st.dictionaries(st.sampled_from(_CELLS), _VALUE, max_size=len(_CELLS)),
)
def test_any_values_in_the_yellow_cells_keep_every_row_accounted_for(
    base: Base, start: str, cells: dict[str, object]
) -> None:
    with tempfile.TemporaryDirectory(dir=base.root) as scratch:
        folder = Path(scratch)
        edited(cells, source=start)(base, folder)
        checked = check_folder(base.plan, folder, YEAR)
        assert checked.rows_read == len(ROWS)
        assert_no_lost_row(checked)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.dictionaries(st.sampled_from(_CELLS), st.one_of(_LEADING, _TYPED_TEXT), min_size=1))
def test_any_text_in_the_yellow_cells_stays_text_in_every_output(
    base: Base, cells: dict[str, object]
) -> None:
    with tempfile.TemporaryDirectory(dir=base.root) as scratch:
        folder, out = Path(scratch) / "in", Path(scratch) / "out"
        edited(cells)(base, folder)
        outcome = run(base.master, folder, YEAR, out)
        assert_no_lost_row(outcome)
        assert_csv_escaped(out)
        assert_no_formula_added(sorted(out.rglob("*.xlsx")), _files(folder))


def test_whole_corpus_read_by_a_process_pool_gives_the_same_result(
    whole: WholeRun, base: Base
) -> None:
    """Two worker processes (each reading, identifying and matching files) find exactly what one
    process finds, in the same order: parallel ingest changes speed, never results."""
    alone = check_folder(base.plan, whole.root, YEAR, Options(workers=1))
    shared = check_folder(base.plan, whole.root, YEAR, Options(workers=2))
    assert shared.finding_list == alone.finding_list
    assert shared.file_rows == alone.file_rows
    assert [r.rows_read for r in shared.file_reports] == [r.rows_read for r in alone.file_reports]
    assert shared.counted.equals(alone.counted)
    assert shared.state == alone.state


def test_a_cp932_console_never_crashes_on_messy_submissions(
    base: Base, corpus: Callable[[Case], Path], tmp_path: Path
) -> None:
    """As on Windows: the console (or a redirect) encodes in cp932. What cp932 cannot show
    (𠮷, 🍚) is replaced, never a UnicodeEncodeError traceback."""
    root = tmp_path / "提出 𠮷野家🍚"
    for case in CASES:
        if not (case.needs_soffice or case.isolate):
            shutil.copytree(corpus(case), root / case.name)
    odd = root / "𠮷🍚.xlsx"
    shutil.copy(base.filled, odd)
    out = tmp_path / "結果 𠮷🍚"
    env = {**os.environ, "PYTHONIOENCODING": "cp932"}
    command = [sys.executable, "-m", "pipeline", "validate", str(base.master), str(root)]
    done = subprocess.run(
        [*command, "--year", str(YEAR), "--out", str(out)], env=env, capture_output=True
    )
    stderr = done.stderr.decode("cp932")
    assert done.returncode == 1, stderr
    assert "Traceback" not in stderr and "UnicodeEncodeError" not in stderr
    stdout = done.stdout.decode("cp932")
    assert "指摘: エラー" in stdout and "結果 ??" in stdout  # the path, with 𠮷🍚 replaced
    assert (out / "検証結果.csv").is_file()
    broken = tmp_path / "𠮷 計画マスタ.xlsx"
    broken.write_bytes(b"not a workbook")
    done = subprocess.run(
        [*command[:4], str(broken), str(root), "--year", str(YEAR), "--out", str(out)],
        env=env,
        capture_output=True,
    )
    stderr = done.stderr.decode("cp932")
    assert done.returncode == 2 and "[M08]" in stderr and "Traceback" not in stderr
