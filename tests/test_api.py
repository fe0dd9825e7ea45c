"""The library face (SPEC "Python library") as a notebook uses it: `import pipeline`, then
`pipeline.validate` / `pipeline.run` on the demo's folder; the Report's figures and frames agree
with what the command line writes, `run` without `out` writes nothing, errors are Japanese."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline
from pipeline import labels as L
from pipeline.cli import main
from pipeline.demo import DEFAULT_PLAN, demo_master, demo_years
from pipeline.errors import ShinchokuError
from pipeline.store import MIGRATIONS
from pipeline.years import era_name
from tests.conftest import DemoRun


@pytest.fixture(scope="module")
def demo(demo_run: DemoRun) -> tuple[Path, Path, int]:
    """The demo's master, its folder of (deliberately messy) submissions, and its year (the
    session's demo run, tests/conftest.py: read, never written)."""
    master = demo_master(demo_run.out, DEFAULT_PLAN)
    year, _ = demo_years(pipeline.read_plan(master))
    return master, demo_run.out / "提出", year


@pytest.fixture(scope="module")
def cli_out(demo: tuple[Path, Path, int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `shinchoku run … --no-db` writes for the demo's folder."""
    master, submissions, year = demo
    out = tmp_path_factory.mktemp("cli") / "out"
    args = ["run", str(master), str(submissions), "--year", str(year), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--no-db"])
    assert result.exit_code == 1, result.output  # the demo has mistakes on purpose
    return out


@pytest.fixture(scope="module")
def validated(demo: tuple[Path, Path, int]) -> pipeline.Report:
    """`pipeline.validate` of the demo's folder, for the tests that only read the report."""
    return pipeline.validate(*demo)


@pytest.fixture(scope="module")
def ran(demo: tuple[Path, Path, int]) -> pipeline.Report:
    """`pipeline.run` of the demo's folder without `out`, for the tests that only read it."""
    return pipeline.run(*demo)


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


def test_validate_accounts_for_every_row_read(demo: tuple[Path, Path, int]) -> None:
    master, submissions, year = demo
    report = pipeline.validate(str(master), str(submissions), era_name(year))  # text year, str
    assert report.rows_read == report.rows_counted + report.rows_rejected  # summed per file
    assert report.rows_counted > 0 and report.rows_rejected > 0  # the demo rejects some rows
    assert report.rows_with_errors > 0 and report.rows_unused > 0
    assert report.rows_rejected == report.rows_with_errors + report.rows_unused
    assert report.rows_read == sum(f.read or 0 for f in report.file_rows)
    assert report.rows_counted == sum(f.counted or 0 for f in report.file_rows)
    assert report.exit_code == 1  # it has errors on purpose
    assert report.tables == {}  # figures only after run
    assert len(report.findings) == len(report.finding_list) > 0


def test_findings_and_files_have_the_columns_of_their_csv_files(
    validated: pipeline.Report, cli_out: Path
) -> None:
    report = validated
    findings, files = _csv(cli_out / "検証結果.csv"), _csv(cli_out / "提出状況.csv")
    assert list(report.findings.columns) == list(findings.columns)
    assert list(report.files.columns) == list(files.columns)
    assert len(report.findings) == len(findings) and len(report.files) == len(files)
    assert list(report.findings[L.FINDING_RULE]) == list(findings[L.FINDING_RULE])
    assert list(report.files[L.STATUS_COUNTED].fillna(-1)) == list(
        files[L.STATUS_COUNTED].fillna(-1)
    )


def test_run_tables_equal_the_csv_files_of_the_command_line(
    ran: pipeline.Report, cli_out: Path
) -> None:
    report = ran
    assert report.rows_read == report.rows_counted + report.rows_rejected
    written = sorted(p.stem for p in cli_out.glob("*.csv"))
    assert sorted(report.tables) == written
    for name in written:
        frame = report.tables[name]
        pd.testing.assert_frame_equal(_as_read(frame), _csv_as(cli_out / f"{name}.csv", frame))


def _as_read(frame: pd.DataFrame) -> pd.DataFrame:
    """A typed frame with its figures as float64 (NaN for none), as read_csv reads them."""
    return frame.astype({c: "float64" for c in frame.columns if _is_figure(frame[c])})


def _is_figure(column: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(column.dtype)


def _csv_as(path: Path, frame: pd.DataFrame) -> pd.DataFrame:
    """The CSV file read with `frame`'s text columns as text, its formula guard taken off."""
    text = [c for c in frame.columns if not _is_figure(frame[c])]
    read = pd.read_csv(path, encoding="utf-8-sig", dtype=dict.fromkeys(text, str))
    for column in text:
        if frame[column].dtype == object and frame[column].map(type).eq(float).any():
            read[column] = pd.Series([_figure(v) for v in read[column]], dtype=object)
        else:
            read[column] = [_unguarded(v) for v in read[column].fillna("")]
    return read.astype({c: "float64" for c in read.columns if c not in text})


def _figure(cell: object) -> object:
    """A cell of a figure column mixed with text, as the frame holds it."""
    if not isinstance(cell, str):
        return None
    try:
        return float(cell)
    except ValueError:
        return _unguarded(cell)


def _unguarded(text: str) -> str:
    return text[1:] if text[:1] == "'" and text[1:2] in ("=", "+", "-", "@", "\t", "\r") else text


def test_run_without_out_writes_nothing_anywhere(
    demo: tuple[Path, Path, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    master, submissions, year = demo
    monkeypatch.chdir(tmp_path)  # a stray relative path would land here
    watched = [tmp_path, submissions.parent]

    def every_file() -> set[Path]:
        return {p for folder in watched for p in folder.rglob("*")}

    before = every_file()
    report = pipeline.run(master, submissions, year, percent="largest-remainder")
    assert every_file() == before
    assert report.outputs == () and report.recorded is None
    assert not Path(os.environ["SHINCHOKU_DB"]).exists()  # the command line's store untouched
    assert len(report.tables["概要"]) > 0


def test_run_without_out_reads_a_store_and_leaves_it_as_it_was(
    demo: tuple[Path, Path, int], tmp_path: Path
) -> None:
    """Last year's figures and the trend come from the store; nothing is recorded in it."""
    master, submissions, year = demo
    store = tmp_path / "h.sqlite3"
    shutil.copyfile(submissions.parent / "shinchoku.sqlite3", store)
    before = store.read_bytes()
    report = pipeline.run(master, submissions, year, store=store)
    assert "推移" in report.tables and report.figures is not None and report.figures.with_past
    assert store.read_bytes() == before and sorted(tmp_path.iterdir()) == [store]
    assert report.recorded is None


def _v2_store(path: Path) -> None:
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0] + MIGRATIONS[1])
    db.execute("PRAGMA user_version=2")
    db.commit()
    db.close()


@pytest.mark.parametrize("kind", ["v2", "empty", "read-only folder"])
def test_run_without_out_leaves_any_store_byte_for_byte(
    demo: tuple[Path, Path, int], tmp_path: Path, kind: str
) -> None:
    """An older store is read as if migrated, an empty file as an empty store, a store in a
    folder nobody may write to is read: none gains a byte, a migration or a -wal/-shm file."""
    master, submissions, year = demo
    folder = tmp_path / "history"
    folder.mkdir()
    store = folder / "h.sqlite3"
    if kind == "v2":
        _v2_store(store)
    elif kind == "empty":
        store.touch()
    else:
        shutil.copyfile(submissions.parent / "shinchoku.sqlite3", store)
        folder.chmod(0o555)
    before, mtime = store.read_bytes(), folder.stat().st_mtime_ns
    try:
        report = pipeline.run(master, submissions, year, store=store)
    finally:
        folder.chmod(0o755)
    assert store.read_bytes() == before and list(folder.iterdir()) == [store]
    assert folder.stat().st_mtime_ns == mtime
    assert report.recorded is None and len(report.tables["概要"]) > 0
    trend = report.tables["推移"]  # this year only, unless the store holds earlier years
    assert (trend.iloc[:, 0].nunique() > 1) == (kind == "read-only folder"), trend


def test_run_with_out_writes_what_the_command_line_writes(
    demo: tuple[Path, Path, int], cli_out: Path, tmp_path: Path
) -> None:
    master, submissions, year = demo
    report = pipeline.run(master, submissions, year, tmp_path / "out")
    assert {p.name for p in report.outputs} >= {"概要.csv", "検証結果.csv", "提出状況.csv"}
    for name in ("概要.csv", "検証結果.csv", "事業一覧.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (cli_out / name).read_bytes()


def test_a_missing_master_raises_the_packages_error_in_japanese(
    demo: tuple[Path, Path, int], tmp_path: Path
) -> None:
    _, submissions, year = demo
    with pytest.raises(ShinchokuError) as raised:
        pipeline.validate(tmp_path / "ない.xlsx", submissions, year)
    assert "計画マスタ" in str(raised.value) and "見つかりません" in str(raised.value)
    assert raised.value.exit_code == 2
    with pytest.raises(pipeline.ShinchokuError):
        pipeline.run(tmp_path / "ない.xlsx", submissions, year)
    with pytest.raises(pipeline.ShinchokuError, match="提出フォルダ"):
        pipeline.validate(demo[0], tmp_path / "ない", year)


def test_a_year_is_an_int_or_any_accepted_text(
    demo: tuple[Path, Path, int], validated: pipeline.Report
) -> None:
    master, submissions, year = demo
    as_int = validated
    as_era = pipeline.validate(master, submissions, era_name(year))
    assert as_int.finding_list == as_era.finding_list
    with pytest.raises(ShinchokuError, match="年度「来年」を読み取れません"):
        pipeline.validate(master, submissions, "来年")
    with pytest.raises(ShinchokuError, match="計画の期間"):
        pipeline.validate(master, submissions, 1990)
    with pytest.raises(ShinchokuError, match="percent"):
        pipeline.run(master, submissions, year, percent="banker")  # type: ignore[arg-type]


def test_read_plan_and_make_templates(demo: tuple[Path, Path, int], tmp_path: Path) -> None:
    master, _, year = demo
    plan = pipeline.read_plan(str(master))
    paths = pipeline.make_templates(master, str(year), tmp_path / "t")
    assert len(paths) == len(plan.departments(year)) and all(p.is_file() for p in paths)


def test_validate_is_a_function_help_shows_and_dir_lists_the_library() -> None:
    """`pipeline.validate` is the function (the stage package is pipeline.checks), also after
    the stage was imported; dir() lists the library's names; a Report's repr is one short line."""
    code = (
        "import pipeline.checks.files, pipeline, pydoc;"
        "print(pipeline.validate.__module__, pipeline.validate.__name__);"
        "print(' '.join(n for n in dir(pipeline) if not n.startswith('_')));"
        "print('Check a folder' in pydoc.render_doc(pipeline.validate))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0] == "pipeline.api validate"
    assert set(pipeline.__all__) <= set(lines[1].split())
    assert not {"Any", "importlib", "TYPE_CHECKING", "annotations"} & set(lines[1].split())
    assert lines[2] == "True"


def test_a_reports_repr_is_short(validated: pipeline.Report) -> None:
    report = validated
    text = repr(report)
    assert len(text) < 200 and report.plan.plan_id in text and "exit_code=1" in text, text


def test_import_pipeline_is_cheap() -> None:
    """`import pipeline` loads neither pandas nor the stages: the library is imported on use."""
    heavy = "('pandas', 'pipeline.batch', 'pipeline.plan')"
    code = f"import pipeline, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_command_lines_summary_is_the_reports(
    demo: tuple[Path, Path, int], validated: pipeline.Report, tmp_path: Path
) -> None:
    """The CLI only formats: its counts are the Report's, for the same folder."""
    master, submissions, year = demo
    report = validated
    args = ["validate", str(master), str(submissions), "--year", str(year)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "v")])
    assert result.exit_code == report.exit_code
    rows = f"行: 読込 {report.rows_read} = 集計 {report.rows_counted} + 除外 {report.rows_rejected}"
    assert rows in result.output
    errors = f"指摘: エラー {report.count(L.ERROR)} 件、警告 {report.count(L.WARNING)} 件"
    assert errors in result.output
    used = f"（使用 {report.departments_used} / {report.departments_expected} 課）"
    assert used in result.output


def test_a_cell_typed_like_a_formula_is_in_the_frame_as_typed_and_guarded_in_the_csv(
    demo: tuple[Path, Path, int], tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    master, submissions, year = demo
    folder = tmp_path / "提出"
    shutil.copytree(submissions, folder)
    typed = "-研修は中止、=次年度に延期"
    before = pipeline.run(master, folder, year).tables["事業一覧"]
    old = next(v for v in before["取組内容・実績"] if v)
    for path in sorted(folder.rglob("*.xlsx")):
        book = load_workbook(path)
        cells = [c for s in book for r in s.iter_rows() for c in r if c.value == old]
        if cells:
            cells[0].value = typed
            book.save(path)
            break
    report = pipeline.run(master, folder, year, tmp_path / "out")
    listing = report.tables["事業一覧"]
    assert typed in list(listing["取組内容・実績"])
    assert f"'{typed}" not in list(listing["取組内容・実績"])
    text = (tmp_path / "out" / "事業一覧.csv").read_text("utf-8-sig")
    assert f"'{typed}" in text
    assert list(report.tables["分野別"]["コード"])[1:] == ["1", "2", "3"]  # text, not 1.0


def test_findings_and_files_are_the_frames_of_their_tables(ran: pipeline.Report) -> None:
    """One representation: the same dtypes and '' (not NaN) for an empty text cell."""
    report = ran
    pd.testing.assert_frame_equal(report.findings, report.tables["検証結果"])
    pd.testing.assert_frame_equal(report.files, report.tables["提出状況"])
    assert not report.findings.isna().any().any()
    assert str(report.files[L.STATUS_COUNTED].dtype) == "Int64"


def test_messages_name_the_problem_in_japanese(
    demo: tuple[Path, Path, int], tmp_path: Path
) -> None:
    """str(PlanError) lists its problems; a folder for a file (and back) says so; a None
    master is a ShinchokuError; sqlite's and the Excel reader's English stays out."""
    master, submissions, year = demo
    submission = next(submissions.rglob("*.xlsx"))
    with pytest.raises(ShinchokuError) as raised:
        pipeline.read_plan(submission)
    assert len(str(raised.value).splitlines()) > 1 and "[M" in str(raised.value)
    with pytest.raises(ShinchokuError, match="はフォルダです。ファイルを指定"):
        pipeline.validate(submissions, submissions, year)
    with pytest.raises(ShinchokuError, match="はファイルです。フォルダを指定"):
        pipeline.validate(master, master, year)
    with pytest.raises(ShinchokuError, match="計画マスタの場所"):
        pipeline.validate(None, submissions, year)  # type: ignore[arg-type]
    not_a_book = tmp_path / "計画マスタ.xlsx"
    not_a_book.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(ShinchokuError) as raised:
        pipeline.read_plan(not_a_book)
    assert "Excel ブック" in str(raised.value) and "Error" not in str(raised.value)
    not_a_store = tmp_path / "h.sqlite3"
    not_a_store.write_text("これは履歴ファイルではない" * 100, "utf-8")
    with pytest.raises(ShinchokuError) as raised:
        pipeline.run(master, submissions, year, store=not_a_store)
    assert "SQLite" in str(raised.value) and "database" not in str(raised.value)
