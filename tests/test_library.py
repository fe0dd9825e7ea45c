"""The library face (SPEC "Python library") as a notebook uses it: `import pipeline`, then
`pipeline.validate` / `pipeline.run` on the demo's folder; the Report's figures and frames agree
with what the command line writes, `run` without `out` writes nothing, errors are Japanese."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import pipeline
from pipeline import labels as L
from pipeline.cli import main
from pipeline.demo import DEFAULT_PLAN, demo_master, demo_years, run_demo
from pipeline.errors import ShinchokuError
from pipeline.years import era_name


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    """The demo's master, its folder of (deliberately messy) submissions, and its year."""
    out = tmp_path_factory.mktemp("library") / "demo"
    run_demo(out)
    master = demo_master(out, DEFAULT_PLAN)
    year, _ = demo_years(pipeline.read_plan(master))
    return master, out / "提出", year


@pytest.fixture(scope="module")
def cli_out(demo: tuple[Path, Path, int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What `shinchoku run … --no-db` writes for the demo's folder."""
    master, submissions, year = demo
    out = tmp_path_factory.mktemp("cli") / "out"
    args = ["run", str(master), str(submissions), "--year", str(year), "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--no-db"])
    assert result.exit_code == 1, result.output  # the demo has mistakes on purpose
    return out


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, encoding="utf-8-sig")


def test_validate_accounts_for_every_row_read(demo: tuple[Path, Path, int]) -> None:
    master, submissions, year = demo
    report = pipeline.validate(str(master), str(submissions), era_name(year))  # text year, str
    assert report.rows_read == report.rows_counted + report.rows_rejected
    assert report.rows_counted > 0 and report.rows_rejected > 0  # the demo rejects some rows
    assert report.exit_code == 1  # it has errors on purpose
    assert report.tables == {}  # figures only after run
    assert len(report.findings) == len(report.finding_list) > 0


def test_findings_and_files_have_the_columns_of_their_csv_files(
    demo: tuple[Path, Path, int], cli_out: Path
) -> None:
    master, submissions, year = demo
    report = pipeline.validate(master, submissions, year)
    findings, files = _csv(cli_out / "検証結果.csv"), _csv(cli_out / "提出状況.csv")
    assert list(report.findings.columns) == list(findings.columns)
    assert list(report.files.columns) == list(files.columns)
    assert len(report.findings) == len(findings) and len(report.files) == len(files)
    assert list(report.findings[L.FINDING_RULE]) == list(findings[L.FINDING_RULE])
    assert list(report.files[L.STATUS_COUNTED].fillna(-1)) == list(
        files[L.STATUS_COUNTED].fillna(-1)
    )


def test_run_tables_equal_the_csv_files_of_the_command_line(
    demo: tuple[Path, Path, int], cli_out: Path
) -> None:
    master, submissions, year = demo
    report = pipeline.run(master, submissions, year)
    assert report.rows_read == report.rows_counted + report.rows_rejected
    written = sorted(p.stem for p in cli_out.glob("*.csv"))
    assert sorted(report.tables) == written
    pd.testing.assert_frame_equal(report.tables["概要"], _csv(cli_out / "概要.csv"))
    for name in written:
        pd.testing.assert_frame_equal(report.tables[name], _csv(cli_out / f"{name}.csv"))


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


def test_a_year_is_an_int_or_any_accepted_text(demo: tuple[Path, Path, int]) -> None:
    master, submissions, year = demo
    as_int = pipeline.validate(master, submissions, year)
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


def test_validate_is_callable_whichever_module_was_imported_first() -> None:
    """`pipeline.validate` is also the name of the validation stage's package."""
    code = (
        "import pipeline.validate.files, pipeline, sys;"
        "print(callable(pipeline.validate), pipeline.validate.files.__name__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "pipeline.validate.files"]


def test_import_pipeline_is_cheap() -> None:
    """`import pipeline` loads neither pandas nor the stages: the library is imported on use."""
    heavy = "('pandas', 'pipeline.batch', 'pipeline.plan')"
    code = f"import pipeline, sys; print(sorted(m for m in {heavy} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_command_lines_summary_is_the_reports(
    demo: tuple[Path, Path, int], tmp_path: Path
) -> None:
    """The CLI only formats: its counts are the Report's, for the same folder."""
    master, submissions, year = demo
    report = pipeline.validate(master, submissions, year)
    args = ["validate", str(master), str(submissions), "--year", str(year)]
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path / "v")])
    assert result.exit_code == report.exit_code
    rows = f"行: 読込 {report.rows_read} = 集計 {report.rows_counted} + 除外 {report.rows_rejected}"
    assert rows in result.output
    errors = f"指摘: エラー {report.count(L.ERROR)} 件、警告 {report.count(L.WARNING)} 件"
    assert errors in result.output
    used = f"（使用 {report.departments_used} / {report.departments_expected} 課）"
    assert used in result.output
