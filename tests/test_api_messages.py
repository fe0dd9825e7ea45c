"""The library face's messages (api.py): an error or a finding met through `pipeline.validate`
or `pipeline.run` names the argument a notebook user can change (`year=`, `store=`), the same
problem at the command line the option (`--year`, `--db`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import pipeline
from pipeline.cli import main
from tests.hostile import MAIN, YEAR, Base, make_base


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Base:
    return make_base(tmp_path_factory.mktemp("base"))


@pytest.fixture(scope="module")
def last_years(base: Base, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding only last year's filled workbook: the secretariat's wrong year (B05)."""
    folder = tmp_path_factory.mktemp("last") / "提出"
    folder.mkdir()
    shutil.copy(base.last_year, folder / MAIN)
    return folder


def _cli(*args: object) -> str:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code in (1, 2), result.output
    return result.output


def test_a_year_outside_the_plan_names_the_argument(base: Base, tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    folder.mkdir()
    with pytest.raises(pipeline.ShinchokuError) as raised:
        pipeline.validate(base.master, folder, 1990)
    assert str(raised.value).endswith("year= を確認してください。")
    output = _cli("validate", base.master, folder, "--year", 1990, "--out", tmp_path / "o")
    assert "--year を確認してください。" in output


def test_the_wrong_year_names_the_year_to_give(base: Base, last_years: Path) -> None:
    report = pipeline.validate(base.master, last_years, YEAR)
    (mistake,) = report.batch_errors
    assert mistake.rule == "B05"
    assert "year= の指定" in mistake.message and f"year={YEAR - 1} を指定" in mistake.message
    assert "--" not in mistake.message
    (shown,) = report.findings.loc[report.findings["規則"] == "B05", "メッセージ"]
    assert shown == mistake.message


def test_the_wrong_year_at_the_command_line_names_the_option(
    base: Base, last_years: Path, tmp_path: Path
) -> None:
    pipeline.validate(base.master, last_years, YEAR)  # the library's face ends with its call
    output = _cli("validate", base.master, last_years, "--year", YEAR, "--out", tmp_path / "v")
    assert "--year の指定" in output and f"--year {YEAR - 1} を指定" in output


def test_a_store_that_is_no_store_names_the_argument(base: Base, tmp_path: Path) -> None:
    folder = tmp_path / "提出"
    folder.mkdir()
    shutil.copy(base.filled, folder / MAIN)
    not_a_store = tmp_path / "h.sqlite3"
    not_a_store.write_text("履歴ではない" * 200, encoding="utf-8")
    with pytest.raises(pipeline.ShinchokuError) as raised:
        pipeline.run(base.master, folder, YEAR, store=not_a_store)
    assert "store= で別のファイルを指定" in str(raised.value)
    output = _cli(
        "run", base.master, folder, "--year", YEAR, "--out", tmp_path / "o", "--db", not_a_store
    )
    assert "--db で別のファイルを指定" in output


def test_help_names_plain_types() -> None:
    """help(pipeline.run) shows `str | Path`, not an alias a notebook user cannot look up."""
    import pydoc

    text = pydoc.render_doc(pipeline.run)
    assert "master: 'str | Path'" in text and "year: 'int | str'" in text
    assert "PathLike" not in text


def test_a_plans_repr_is_one_line(base: Base) -> None:
    """`plan` typed alone in a notebook: its id, name, period and sizes, not every target."""
    text = repr(pipeline.read_plan(base.master))
    assert text.startswith(f"<Plan {base.plan.plan_id} {base.plan.name}（")
    assert "担当課 2>" in text and "\n" not in text and len(text) < 200


@pytest.mark.parametrize("where", ["out", "store"])
def test_an_output_or_store_that_is_no_path_is_the_packages_error(
    base: Base, tmp_path: Path, where: str
) -> None:
    with pytest.raises(pipeline.ShinchokuError, match=f"（{where}）の場所を文字列か Path で"):
        if where == "out":
            pipeline.make_templates(base.master, YEAR, None)  # type: ignore[arg-type]
        else:
            pipeline.run(base.master, tmp_path, YEAR, store=3)  # type: ignore[arg-type]
