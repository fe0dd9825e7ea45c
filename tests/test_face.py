"""One message, two faces (face.py): what a message tells the user to change is named as the
command line spells it (`--year 2022`) or as the library does (`year=2022`), from one text."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pipeline
from pipeline import face
from pipeline.messages import RULES, finding, rules_markdown

OPTION = re.compile(r"--[a-z]")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def test_an_option_is_spelt_for_the_face_it_is_read_through() -> None:
    assert (face.option("year"), face.option("year", 2022)) == ("--year", "--year 2022")
    with face.library():
        assert (face.option("year"), face.option("db")) == ("year=", "store=")
        assert face.option("year", 2022) == "year=2022"
    assert face.option("db") == "--db"  # the command line again once the block ends


def test_the_face_is_the_command_line_again_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), face.library():
        1 / 0  # noqa: B018
    assert face.option("year") == "--year"


def _b05() -> str:
    return finding(
        "B05", value="令和4年度", readable=3, other=2, expected="令和6年度", year=2022
    ).message


def test_the_wrong_year_finding_names_the_option_or_the_argument() -> None:
    assert "--year の指定（令和6年度）" in _b05() and "には --year 2022 を指定" in _b05()
    with face.library():
        library = _b05()
    assert "year= の指定（令和6年度）" in library and "には year=2022 を指定" in library
    assert not OPTION.search(library)


def test_the_rules_page_shows_the_command_lines_spelling() -> None:
    """docs/rules.md is read by the secretariat at the command line, whatever face makes it."""
    with face.library():
        page = rules_markdown()
    assert "--year の指定（{expected}）" in page and "--year {year} を指定" in page
    assert "{option" not in page


@given(st.sampled_from(sorted(RULES)), st.text(max_size=20).filter(lambda t: "--" not in t))
def test_no_rule_names_an_option_in_the_library_face(code: str, text: str) -> None:
    fields = {name: text for name in ("column", "reason", "expected", "other", "grades")}
    with face.library():
        message = finding(code, value=text, year=2022, **fields).message
    assert not OPTION.search(message), message


# Texts that may spell an option as the command line does: they speak of the command line only.
COMMAND_LINE_ONLY = {
    "cli.py",  # the command line itself
    "cli_ja.py",
}
COMMAND_LINE_TEXTS = (
    "「shinchoku history --year」",  # Store.make_official: the history command's own error
    "--plan で計画IDを指定",  # Store.only_plan: only the history command leaves out --plan
)


def test_no_message_outside_the_command_line_spells_an_option_itself() -> None:
    """Every Japanese text in pipeline/ that names an option asks face.option (or a message
    field) for its spelling, so that a notebook user is told the argument to change."""
    root = Path(pipeline.__file__).parent
    found = []
    for path in sorted(root.rglob("*.py")):
        if path.name in COMMAND_LINE_ONLY:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Expr)}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            if id(node) in docstrings:
                continue
            text = node.value
            allowed = any(t in text for t in COMMAND_LINE_TEXTS)
            if JAPANESE.search(text) and OPTION.search(text) and not allowed:
                found.append(f"{path.relative_to(root)}: {text[:60]}")
    assert found == []
