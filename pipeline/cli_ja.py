"""click in Japanese: its own usage, option, help and error texts, and the classes that use them.

click marks its texts for gettext (`_()`, `ngettext()`); installing `translate` in their place
in click's modules — before any option is declared, as some texts are taken at declaration —
gives every one of them in Japanese. Placeholders keep their names; an English text not listed
here is shown as it is (tests/test_cli.py checks that none appears on any help page or usage
error of shinchoku).
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from pipeline.text import display_width

TEXTS: dict[str, str] = {
    # help pages
    "Usage:": "使い方:",
    "Options": "オプション",
    "Commands": "コマンド",
    "Positional arguments": "引数",
    "required": "必須",
    "default: {default}": "既定値: {default}",
    "env var: {var}": "環境変数: {var}",
    "(dynamic)": "（実行時に決定）",
    "deprecated": "非推奨",
    "Show this message and exit.": "この説明を表示して終了します。",
    "Show the version and exit.": "バージョンを表示して終了します。",
    "%(prog)s, version %(version)s": "%(prog)s バージョン %(version)s",
    # errors
    "Error: {message}": "エラー: {message}",
    "Try '{command} {option}' for help.": "「{command} {option}」で使い方を表示します。",
    "Invalid value: {message}": "値が正しくありません: {message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} の値が正しくありません: {message}",
    "Missing argument": "必要な引数がありません:",
    "Missing option": "必要なオプションがありません:",
    "Missing parameter": "必要な指定がありません:",
    "Missing {param_type}": "必要な{param_type}がありません:",
    "Missing command.": "コマンドを指定してください。",
    "Missing parameter: {param_name}": "必要な指定がありません: {param_name}",
    "No such command {name!r}.": "コマンド「{name}」はありません。",
    "No such option {name!r}.": "オプション「{name}」はありません。",
    "No such option: {name}": "オプション「{name}」はありません。",
    "Did you mean {possibility}?": "{possibility} のことですか？",
    "(Possible options: {possibilities})": "（候補: {possibilities}）",
    "(Did you mean one of: {possibilities}?)": "（候補: {possibilities}）",
    "Option {name!r} requires an argument.": "オプション「{name}」には値が必要です。",
    "Option {name!r} requires {nargs} arguments.": (
        "オプション「{name}」には値が {nargs} 個必要です。"
    ),
    "Option {name!r} does not take a value.": "オプション「{name}」は値をとりません。",
    "Got unexpected extra argument ({args})": "余分な引数があります（{args}）",
    "Got unexpected extra arguments ({args})": "余分な引数があります（{args}）",
    "Argument {name!r} takes {nargs} values.": "引数「{name}」は値を {nargs} 個とります。",
    "Takes {nargs} values but 1 was given.": "値を {nargs} 個とりますが 1 個しかありません。",
    "Takes {nargs} values but {len} were given.": "値を {nargs} 個とりますが {len} 個です。",
    "{value!r} is not {choice}.": "「{value}」は指定できません（{choice} のみ）。",
    "{value!r} is not one of {choices}.": "「{value}」は指定できません（{choices} のいずれか）。",
    "Choose from:\n\t{choices}": "次から選んでください:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "「{value}」は数ではありません。",
    "integer": "整数",
    "float": "数値",
    "{value} is not in the range {range}.": "{value} は範囲 {range} の外です。",
    "{value!r} is not a valid boolean. Recognized values: {states}": (
        "「{value}」は真偽値ではありません（{states}）。"
    ),
    "{value!r} is not a valid UUID.": "「{value}」は UUID ではありません。",
    "{value!r} does not match the format {format}.": "「{value}」は形式 {format} と合いません。",
    "{value!r} does not match the formats {formats}.": "「{value}」は形式 {formats} と合いません。",
    "file": "ファイル",
    "directory": "フォルダ",
    "path": "パス",
    "{name} {filename!r} does not exist.": "{name}「{filename}」がありません。",
    "{name} {filename!r} is a file.": (
        "{name}「{filename}」はファイルです（フォルダを指定してください）。"
    ),
    "{name} {filename!r} is a directory.": (
        "{name}「{filename}」はフォルダです（ファイルを指定してください）。"
    ),
    "{name} {filename!r} is not readable.": "{name}「{filename}」を読めません。",
    "{name} {filename!r} is not writable.": "{name}「{filename}」に書き込めません。",
    "{name} {filename!r} is not executable.": "{name}「{filename}」は実行できません。",
    "Could not open file {filename!r}: {message}": "ファイル「{filename}」を開けません: {message}",
    "Value must be an iterable.": "値の並びを指定してください。",
    "Aborted!": "中断しました。",
    "Do you want to continue?": "続けますか？",
    "unknown error": "不明なエラー",
}


def translate(message: str) -> str:
    """click's English text in Japanese (unknown texts pass through unchanged)."""
    return TEXTS.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """ngettext for click: Japanese has one form, so both English forms map to one text."""
    return translate(singular if n == 1 else plural)


_MODULES = (
    "core",
    "decorators",
    "exceptions",
    "formatting",
    "parser",
    "types",
    "termui",
    "shell_completion",
)


def _term_width(text: str) -> int:
    """click's column width, counting Japanese characters double so help columns line up."""
    return display_width(click.unstyle(text))


def install() -> None:
    """Put `translate` in place of gettext in click's modules (idempotent), and a width that
    knows Japanese characters in place of click's len()."""
    formatting = importlib.import_module("click.formatting")
    formatting.term_len = _term_width  # type: ignore[attr-defined]
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]  # click's own gettext alias
        if hasattr(module, "ngettext"):
            module.ngettext = translate_plural  # type: ignore[attr-defined]


install()  # before any click option is declared: click.Path names itself at declaration

OPTIONS_METAVAR = "[オプション]"


_TYPE_METAVARS = {
    "integer": "整数",
    "float": "数値",
    "path": "パス",
    "file": "ファイル",
    "directory": "フォルダ",
}


class Command(click.Command):
    """A click command whose usage line reads `[オプション]` instead of `[OPTIONS]`, and whose
    options without a metavar of their own show a Japanese one (`値`, not click's `TEXT`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)
        for param in self.params:
            if (
                isinstance(param, click.Option)
                and not param.is_flag
                and param.metavar is None
                and not isinstance(param.type, click.Choice)
            ):
                name = param.type.name  # click.Path names itself through `translate`
                param.metavar = _TYPE_METAVARS.get(name, name if not name.isascii() else "値")


class Group(click.Group):
    """A click group of `Command`s, with `コマンド [引数]...` in its usage line."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", "コマンド [引数]...")
        super().__init__(*args, **kwargs)
