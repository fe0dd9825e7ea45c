"""Every word the command line prints is Japanese, click's own texts included."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from pipeline.cli import main

# Words that are names, not English prose: the program, commands, options and their values,
# environment variables, formats and file names users type or see.
ALLOWED = {
    "shinchoku",
    "main",
    "SHINCHOKU",
    "DB",
    "ID",
    "SQLite",
    "sqlite",
    "CSV",
    "PDF",
    "Markdown",
    "Excel",
    "Python",  # doctor checks its version: a name, like Excel
    "UUID",
    "FY",
    "output",
    "sqlite3",
    "csv",
    "xlsx",
    "xlsm",
    "xls",
    "half",
    "up",
    "largest",
    "remainder",
    "sendai",
    "demo",
}


def _names() -> set[str]:
    """The commands, option names and choice values shinchoku defines (they are names)."""
    words: set[str] = set()
    group = main
    assert isinstance(group, click.Group)
    for name, command in [("", group), *group.commands.items()]:
        words |= set(re.findall(r"[A-Za-z]+", name))
        for param in command.params:
            for opt in getattr(param, "opts", []):
                words |= set(re.findall(r"[A-Za-z]+", opt))
            if isinstance(param.type, click.Choice):
                for choice in param.type.choices:
                    words |= set(re.findall(r"[A-Za-z]+", str(choice)))
    return words


def english_words(text: str, paths: tuple[str, ...] = ()) -> list[str]:
    for path in paths:  # what the user typed, shown back
        text = text.replace(path, "")
    allowed = ALLOWED | _names()
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in allowed]


def _commands() -> list[str]:
    assert isinstance(main, click.Group)
    return sorted(main.commands)


@pytest.mark.parametrize("command", ["", *_commands()])
def test_help_pages_have_no_english_word(command: str) -> None:
    result = CliRunner().invoke(main, [*command.split(), "--help"] if command else ["--help"])
    assert result.exit_code == 0, result.output
    assert "使い方:" in result.output and "オプション" in result.output
    assert english_words(result.output) == [], result.output


def usage_errors(tmp_path: Path) -> list[list[str]]:
    master = tmp_path / "計画マスタ.xlsx"
    master.write_bytes(b"x")
    return [
        [],
        ["runn"],
        ["run"],
        ["run", str(master), str(tmp_path), "--out", str(tmp_path / "o")],
        ["run", str(master), str(tmp_path), "--year"],
        ["run", str(master), str(tmp_path), "--year", "来年", "--out", "o"],
        ["run", str(master), str(tmp_path), "--year", "2024", "--out", "o", "--percent", "x"],
        ["run", str(master), str(tmp_path), "--year", "2024", "--out", "o", "--bogus"],
        ["run", str(master), str(tmp_path), "extra", "--year", "2024", "--out", "o"],
        ["validate", str(master)],
        ["status", str(master), str(tmp_path)],
        ["templates", str(master), "--year", "2024"],
        ["history", "--official", "x"],
        ["demo", "--plan"],
        ["--bogus"],
    ]


def test_usage_errors_have_no_english_word(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import entry

    for args in usage_errors(tmp_path):
        monkeypatch.setattr(sys, "argv", ["shinchoku", *args])
        with pytest.raises(SystemExit) as exited:
            entry()
        captured = capsys.readouterr()
        output = captured.out + captured.err
        assert exited.value.code == 2, (args, output)
        assert "使い方" in output, (args, output)
        typed = set(re.findall(r"[A-Za-z]{2,}", " ".join(args)))  # echoed back: fine
        words = english_words(output, (str(tmp_path),))
        assert [w for w in words if w not in typed] == [], (args, output)


@pytest.mark.parametrize(
    ("args", "message", "command"),
    [
        (["run", "M", "S", "--year"], "オプション「--year」には値が必要です。", "shinchoku run"),
        (["status", "M", "S"], "必要なオプションがありません: '--year'。", "shinchoku status"),
        (["--bogus"], "オプション「--bogus」はありません。", "shinchoku"),
    ],
)
def test_a_usage_error_points_to_the_help_of_the_command_typed(
    args: list[str],
    message: str,
    command: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from pipeline.cli import entry

    (tmp_path / "M").write_bytes(b"")  # MASTER and SUBMISSIONS exist: the option is missing
    (tmp_path / "S").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", ["shinchoku", *args])
    with pytest.raises(SystemExit):
        entry()
    lines = capsys.readouterr().err.splitlines()
    assert lines == [
        f"使い方が正しくありません: {message}",
        f"「{command} --help」で使い方を表示します。",
    ]


def test_shinchoku_alone_shows_its_help_without_calling_it_a_mistake(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli import entry

    monkeypatch.setattr(sys, "argv", ["shinchoku"])
    with pytest.raises(SystemExit) as exited:
        entry()
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.startswith("使い方: shinchoku [オプション] コマンド") and "コマンド:" in err
    assert "正しくありません" not in err and err.count("使い方") == 1
