"""The command line as the secretariat uses it: templates, validate, run, demo; exit codes 0/1/2."""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import pipeline
from pipeline import labels as L
from pipeline.cli import main
from pipeline.errors import ShinchokuError
from pipeline.samples import fill_template
from pipeline.templates import template_path
from pipeline.text import key
from tests.builders import complete_row, master_sheets, write_plan
from tests.conftest import DemoRun

YEAR = "令和6年度"


@pytest.fixture()
def folder(tmp_path: Path) -> tuple[Path, Path, Path]:
    sheets = master_sheets(
        tree=[["1", "分野一", "", "分野"], ["1-(1)", "施策一", "1", "施策"]],
        projects=[
            ["1-(1)-①", "支援事業", "1-(1)", "A課", "", "", ""],
            ["1-(1)-②", "対話事業", "1-(1)", "B課", "", "", ""],
            ["1-(1)-③", "交流事業", "1-(1)", "C課", "", "", ""],
        ],
        targets=[
            ["1-(1)-①", "件数", "件", "増加", "", "100"],
            ["1-(1)-②", "回数", "回", "増加", "", "10"],
            ["1-(1)-③", "人数", "人", "増加", "", "50"],
        ],
        years=[2024],
    )
    master, _ = write_plan(sheets, tmp_path)
    runner = CliRunner()
    result = runner.invoke(
        main, ["templates", str(master), "--year", YEAR, "--out", str(tmp_path / "t")]
    )
    assert result.exit_code == 0, result.output
    submissions = tmp_path / "in"
    injected = {**complete_row("A", "１２０件"), L.WORK_DONE: '=HYPERLINK("http://x","y")'}
    fill_template(
        template_path(tmp_path / "t", "A課", 2024),
        submissions / "A.xlsx",
        {(key("1-(1)-①"), key("件数")): injected},
    )
    fill_template(
        template_path(tmp_path / "t", "B課", 2024),
        submissions / "sub" / "B.xlsx",
        {(key("1-(1)-②"), key("回数")): complete_row("A", "未集計")},
    )
    (submissions / "~$A.xlsx").write_bytes(b"lock")
    return master, submissions, tmp_path / "out"


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


def test_run_reports_errors_with_exit_1_and_counts_every_row(folder) -> None:
    master, submissions, out = folder
    before = _hashes(submissions)
    result = CliRunner().invoke(
        main, ["run", str(master), str(submissions), "--year", YEAR, "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert "読込 2 = 集計 1 + 除外 1" in result.output
    assert _hashes(submissions) == before  # inputs are never modified
    status = {
        r[L.STATUS_DEPARTMENT]: r for r in _csv(out / "提出状況.csv") if r[L.STATUS_DEPARTMENT]
    }
    assert status["A課"][L.STATUS] == "提出" and status["C課"][L.STATUS] == "未提出"
    assert status["B課"][L.STATUS_REJECTED] == "1" and status["B課"][L.STATUS_ERRORS] == "1"
    findings = _csv(out / "検証結果.csv")
    v01 = next(f for f in findings if f[L.FINDING_RULE] == "V01")
    assert (v01[L.FINDING_FILE], v01[L.FINDING_CELL], v01[L.FINDING_VALUE]) == (
        "sub/B.xlsx",
        "H7",
        "未集計",
    )
    assert any(f[L.FINDING_RULE] == "F16" for f in findings)  # the lock file, noted
    assert any(f[L.FINDING_RULE] == "B01" and "C課" in f[L.FINDING_MESSAGE] for f in findings)


def test_csv_files_follow_the_contract_and_are_byte_identical_on_rerun(folder) -> None:
    master, submissions, out = folder
    args = ["run", str(master), str(submissions), "--year", YEAR]
    CliRunner().invoke(main, [*args, "--out", str(out)])
    CliRunner().invoke(main, [*args, "--out", str(out.with_name("again"))])
    for name in ("概要", "分野別", "施策別", "事業一覧", "提出状況", "検証結果"):
        first = (out / f"{name}.csv").read_bytes()
        assert first == (out.with_name("again") / f"{name}.csv").read_bytes(), name
        assert first.startswith("\ufeff".encode()) and b"\r\n" in first and b"nan" not in first
    header = (out / "概要.csv").read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    assert header == [
        "区分",
        "コード",
        "設定目標数",
        "目標設定事業数",
        "A",
        "A割合",
        "B",
        "B割合",
        "C",
        "C割合",
        "未評価",
        "平均達成率",
        "平均対象数",
    ]
    status_header = (out / "提出状況.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert status_header == "担当課,提出,ファイル,SHA256,読込行数,集計行数,除外行数,エラー,警告"


def test_submitted_text_never_becomes_a_formula(folder) -> None:
    master, submissions, out = folder
    CliRunner().invoke(
        main, ["run", str(master), str(submissions), "--year", YEAR, "--out", str(out)]
    )
    listing = (out / "事業一覧.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in listing
    book = load_workbook(next(out.glob("集計結果_*.xlsx")))
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in cells)
    assert any(c.value == '=HYPERLINK("http://x","y")' and c.data_type == "s" for c in cells)
    feedback = load_workbook(out / "指摘事項" / "指摘事項_B課_2024年度.xlsx")
    assert feedback.sheetnames[0] == L.FEEDBACK_SHEET
    assert feedback[L.PROGRESS_SHEET]["H7"].comment is not None


def test_validate_writes_findings_status_and_feedback(folder) -> None:
    master, submissions, out = folder
    result = CliRunner().invoke(
        main, ["validate", str(master), str(submissions), "--year", "2024", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert (out / "検証結果.csv").exists() and (out / "提出状況.csv").exists()
    assert [p.name for p in (out / "指摘事項").iterdir()] == ["指摘事項_B課_2024年度.xlsx"]
    assert not list(out.glob("集計結果_*.xlsx"))


def test_clean_folder_exits_0(folder, tmp_path: Path) -> None:
    master, submissions, out = folder
    (submissions / "sub" / "B.xlsx").unlink()
    result = CliRunner().invoke(
        main, ["run", str(master), str(submissions), "--year", "R6", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output


def test_bad_year_is_a_usage_error_without_traceback(folder) -> None:
    master, submissions, out = folder
    result = CliRunner().invoke(
        main, ["run", str(master), str(submissions), "--year", "来年", "--out", str(out)]
    )
    assert result.exit_code == 2 and "年度" in result.output and "Traceback" not in result.output


def test_percent_option_gives_rows_summing_to_100(folder) -> None:
    master, submissions, out = folder
    result = CliRunner().invoke(
        main,
        [
            "run",
            str(master),
            str(submissions),
            "--year",
            YEAR,
            "--out",
            str(out),
            "--percent",
            "largest-remainder",
        ],
    )
    assert result.exit_code == 1
    total = _csv(out / "概要.csv")[0]
    assert total[L.SCOPE] == L.TOTAL and total["A割合"] == "100.0"


def test_demo_runs_end_to_end(demo_run: DemoRun) -> None:
    """`shinchoku demo` (run once for the session: tests/conftest.py)."""
    assert demo_run.returncode == 0, demo_run.stderr
    workbook = demo_run.out / "集計結果" / "集計結果_sendai-kyodo-2021_2024年度.xlsx"
    assert str(workbook) in demo_run.stdout
    sample = demo_run.out / "sendai2021_計画マスタ.xlsx"  # a master to start one's own from
    assert str(sample) in demo_run.stdout
    assert load_workbook(sample).sheetnames[:2] == ["計画", "体系"]
    book = load_workbook(workbook)
    assert book.sheetnames[:3] == ["概要", "分野別", "施策別"]
    assert {"事業一覧", "提出状況", "検証結果"} <= set(book.sheetnames)
    assert book["概要"]._charts and book["分野別"]._charts


def test_demo_list_names_every_bundled_plan_sendai_first() -> None:
    result = CliRunner().invoke(main, ["demo", "--list"])
    assert result.exit_code == 0, result.output
    names = [line.split("\t")[0] for line in result.output.splitlines()]
    assert names[0].startswith("sendai") and len(names) >= 3
    assert {"ichinoseki2024", "shiminkyodo2"} <= set(names)


@pytest.mark.parametrize("name", ["ichinoseki2024", "shiminkyodo2"])
def test_demo_runs_each_project_graded_plan(name: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--plan", name, "--out", str(tmp_path / name)])
    assert result.exit_code == 0, result.output
    out = tmp_path / name / "集計結果"
    assert (out / "区分別.csv").exists() and (out / "予定別.csv").exists()
    assert (out / "取組主体別.csv").exists() == (name == "ichinoseki2024")
    total = _csv(out / "概要.csv")[0]
    assert L.PROJECTS_EVALUATED in total and L.TARGETS_SET not in total
    trend = _csv(out / "推移.csv")
    assert len({r[L.YEAR] for r in trend}) >= 2  # earlier years recorded: the trend shows
    book = load_workbook(next(out.glob("集計結果_*.xlsx")))
    assert book["区分別"]._charts and book["予定別"]._charts


def test_demo_of_an_unknown_plan_names_the_choices(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["demo", "--plan", "nagoya", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "sendai2021" in result.output


def test_year_outside_the_plan_is_refused(folder, tmp_path: Path) -> None:
    master, submissions, out = folder
    for args in (["templates", str(master)], ["run", str(master), str(submissions)]):
        result = CliRunner().invoke(main, [*args, "--year", "令和99年度", "--out", str(out)])
        assert result.exit_code == 2 and "計画の期間" in result.output


def test_output_inside_the_submissions_folder_is_refused(folder) -> None:
    master, submissions, _ = folder
    out = submissions / "out"
    result = CliRunner().invoke(
        main, ["validate", str(master), str(submissions), "--year", YEAR, "--out", str(out)]
    )
    assert result.exit_code == 2 and not out.exists()


def test_unsubmitted_department_is_one_warning_not_one_per_project(folder) -> None:
    master, submissions, out = folder
    CliRunner().invoke(
        main, ["validate", str(master), str(submissions), "--year", YEAR, "--out", str(out)]
    )
    rules = [(f[L.FINDING_RULE], f[L.FINDING_MESSAGE]) for f in _csv(out / "検証結果.csv")]
    assert [r for r, m in rules if "C課" in m] == ["B01"]
    assert not any(r == "B02" for r, _ in rules)


def test_no_output_ever_shows_nan(demo_run: DemoRun) -> None:
    out = demo_run.out / "集計結果"
    tables = sorted(out.glob("*.csv"))
    books = [*out.glob("*.xlsx"), *(out / "指摘事項").glob("*.xlsx")]
    assert len(tables) >= 5 and len(books) >= 2  # the committee workbook and feedback
    for path in tables:
        assert "nan" not in path.read_text(encoding="utf-8-sig").lower(), path.name
    for path in books:
        book = load_workbook(path, read_only=True)  # values only: what a reader sees
        values = [v for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r]
        book.close()
        assert not any(isinstance(v, str) and v.lower() == "nan" for v in values), path.name


POSIX_ONLY_MODULES = {"fcntl", "pwd", "grp", "resource", "termios", "tty", "posix", "syslog"}
POSIX_ONLY_CALLS = {"fork", "forkpty", "getuid", "geteuid", "getgid", "setsid", "killpg"}
POSIX_ONLY_CALLS |= {"chown", "lchown", "symlink", "link", "mkfifo", "getpgid", "nice"}
POSIX_ONLY_CALLS |= {"alarm", "setitimer", "pthread_kill", "sigwait"}
POSIX_ONLY_CALLS |= {f"SIG{name}" for name in ("KILL", "HUP", "QUIT", "USR1", "USR2", "ALRM")}
POSIX_ONLY_CALLS |= {f"SIG{name}" for name in ("CHLD", "PIPE", "STOP", "CONT", "TSTP")}


def test_no_posix_only_call_on_any_command_path() -> None:
    """Everything a command runs is in pipeline/ and schemas/: none of it may need POSIX
    (Windows has no fcntl, fork, getuid or SIGKILL; SIGINT and SIGTERM it has);
    sched_getaffinity only behind a hasattr check."""
    import ast

    repo = Path(__file__).resolve().parents[1]
    found = []
    for path in [*(repo / "pipeline").rglob("*.py"), *(repo / "schemas").rglob("*.py")]:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in tree.body:  # at import time; a lazy import behind a guard is fine
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
                names += [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                found += [f"{path.name}: import {n}" for n in names if n in POSIX_ONLY_MODULES]
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in POSIX_ONLY_CALLS:
                found.append(f"{path.name}: {node.attr}")
        if "sched_getaffinity(" in source:
            assert 'hasattr(os, "sched_getaffinity")' in source, path.name
    assert found == []


def _library_says(call: Callable[[], object]) -> str:
    with pytest.raises(ShinchokuError) as raised:
        call()
    return str(raised.value)


def test_a_missing_master_or_folder_gets_the_librarys_message_and_exit_2(folder) -> None:
    """The command line's message is the library's, word for word: what is missing, and where
    to look (click's own check said only 「フォルダ「…」がありません」)."""
    master, submissions, out = folder
    gone, year = master.parent / "ない.xlsx", ["--year", YEAR]
    cases = [
        (
            ["run", gone, submissions, *year, "--out", out],
            lambda: pipeline.run(gone, submissions, 2024),
        ),
        (
            ["templates", gone, *year, "--out", out],
            lambda: pipeline.make_templates(gone, 2024, out),
        ),
        (
            ["validate", master, submissions / "提出なし", *year, "--out", out],
            lambda: pipeline.validate(master, submissions / "提出なし", 2024),
        ),
        (["status", submissions, submissions, *year], lambda: pipeline.read_plan(submissions)),
        (
            ["publish", master, master, *year, "--out", out],
            lambda: pipeline.validate(master, master, 2024),
        ),
    ]
    for args, library in cases:
        result = CliRunner().invoke(main, [str(a) for a in args])
        said = _library_says(library)
        assert result.exit_code == 2, result.output
        assert result.output == f"{said}\n", (args, result.output)
        assert (
            "見つかりません" in said and "場所を確認してください" in said
        ) or "を指定してください" in said
    assert not out.exists()


def test_a_missing_history_store_names_the_option_and_the_run_that_makes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHINCHOKU_DB")  # the default store, output/shinchoku.sqlite3, here
    gone = tmp_path / "履歴" / "h.sqlite3"
    for args, store in (
        (["history"], Path("output") / "shinchoku.sqlite3"),
        (["history", "--db", str(gone)], gone),
        (["export", "--db", str(gone), "--out", str(tmp_path / "csv")], gone),
    ):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 2, result.output
        assert result.output == (
            f"履歴ファイル「{store}」が見つかりません。--db で場所を指定するか、先に run で記録して"
            "ください。\n"
        )
    assert list(tmp_path.iterdir()) == []  # nothing made: no store, no CSV folder
