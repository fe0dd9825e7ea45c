"""The paths a user gives (plan master, submissions folder, history store), checked before any
work starts, with one message for the command line and the library alike: what is missing and
where to look. Light on purpose: the command line checks its arguments with it while parsing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pipeline import face
from pipeline.errors import UsageError

MASTER = "計画マスタ"
SUBMISSIONS = "提出フォルダ"
STORE = "履歴ファイル"
_FILE, _FOLDER = "ファイル", "フォルダ"


def as_path(value: object, what: str) -> Path:
    """`value` as a Path; anything else (None, a number, "") as a UsageError naming `what`."""
    if not isinstance(value, str | Path) or not str(value):
        raise UsageError(f"{what}の場所を文字列か Path で指定してください（{value!r}）。")
    return Path(value)


def master(value: object) -> Path:
    """The plan master: an existing file."""
    return _existing(as_path(value, MASTER), Path.is_file, MASTER, _FILE)


def submissions(value: object) -> Path:
    """The submissions folder: an existing folder."""
    return _existing(as_path(value, SUBMISSIONS), Path.is_dir, SUBMISSIONS, _FOLDER)


def store(value: object) -> Path:
    """A history store that must be there already (history, export): it is made by the first
    recorded run, so a missing one names the option that chooses it and the run that makes it."""
    where = f"{face.option('db')} で場所を指定するか、先に run で記録してください"
    return _existing(as_path(value, STORE), Path.is_file, STORE, _FILE, where)


def _existing(
    path: Path, exists: Callable[[Path], bool], what: str, kind: str, fix: str = ""
) -> Path:
    """`path` when it is there and of its kind; else a UsageError naming it and the fix (not a
    traceback later)."""
    if exists(path):
        return path
    if path.exists():
        other = _FOLDER if path.is_dir() else _FILE
        raise UsageError(f"{what}「{path}」は{other}です。{kind}を指定してください。")
    fix = fix or f"{kind}の場所を確認してください"
    raise UsageError(f"{what}「{path}」が見つかりません。{fix}。")
