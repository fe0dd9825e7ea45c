"""`shinchoku doctor`: is this PC ready to run shinchoku, and if not, what to fix.

Checked: the Python version, every dependency importable at a version shinchoku accepts, the
bundled plan, write access to the output and store folders, and the store's integrity
(PRAGMA integrity_check). Nothing is changed: a test file is written and removed, the store is
opened read-only.
"""

from __future__ import annotations

import importlib
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.face import option

MIN_PYTHON = (3, 11)
TESTED_PYTHON = ((3, 11), (3, 12), (3, 13))
# distribution -> the module a command imports (pandera: its pandas flavour, as schemas/ does)
MODULES = {
    "pandas": "pandas",
    "pandera": "pandera.pandas",
    "openpyxl": "openpyxl",
    "xlsxwriter": "xlsxwriter",
    "python-calamine": "python_calamine",
    "defusedxml": "defusedxml",
    "click": "click",
    "tqdm": "tqdm",
    "packaging": "packaging.requirements",
}


@dataclass(frozen=True)
class Check:
    """One line of `shinchoku doctor`: what was looked at and whether it is usable."""

    item: str  # what was checked, as the user knows it
    ok: bool
    detail: str  # what was found; when not ok, what to do


def diagnose(out: Path, store: Path | None) -> list[Check]:
    """Every check, in the order a user would fix them."""
    checks = [_python(), *_dependencies()]
    checks.append(_guarded("同梱の計画マスタ", _bundled_plan))
    checks.append(_guarded("出力先フォルダ", _writable, out))
    if store is not None:
        checks.append(_guarded("履歴ファイルのフォルダ", _writable, store.parent))
        checks.append(_guarded("履歴ファイル", _integrity, store))
    return checks


def _guarded(item: str, check: Callable[..., Check], *args: Path) -> Check:
    """Doctor runs when something is broken: a check that fails unexpectedly (the bundled plan
    needs pandas, say) is reported as such rather than stopping the others."""
    try:
        return check(item, *args)
    except Exception as error:
        detail = f"確認できません（{type(error).__name__}: {error}）。{_REINSTALL}"
        return Check(item, False, detail)


def report(checks: list[Check]) -> list[str]:
    """The lines `shinchoku doctor` prints, ending in 問題なし or how many things to fix."""
    lines = [f"  {'[OK]' if c.ok else '[要対応]'} {c.item}: {c.detail}" for c in checks]
    failed = sum(1 for c in checks if not c.ok)
    lines.append(
        "問題なし" if not failed else f"要対応が {failed} 件あります。上の指示に従ってください。"
    )
    return lines


def _python() -> Check:
    found = sys.version_info[:2]
    shown = ".".join(map(str, sys.version_info[:3]))
    if found < MIN_PYTHON:
        return Check(
            "Python",
            False,
            f"{shown} は古すぎます。Python 3.11〜3.13 をインストールし、"
            "install.bat を実行し直してください。",
        )
    tested = found in TESTED_PYTHON
    return Check("Python", True, shown + ("" if tested else "（動作確認は 3.11〜3.13 で実施）"))


def _dependencies() -> list[Check]:
    try:
        required = [r for r in metadata.requires("shinchoku") or [] if "extra ==" not in r]
    except metadata.PackageNotFoundError:
        return [
            Check(
                "shinchoku", False, "インストールされていません。install.bat を実行してください。"
            )
        ]
    try:
        from packaging.requirements import Requirement
    except ImportError:  # the one dependency doctor itself needs to compare versions
        return [Check("packaging", False, "見つかりません。" + _REINSTALL)]

    checks = []
    for text in required:
        requirement = Requirement(text)
        name = requirement.name
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            checks.append(Check(name, False, "見つかりません。" + _REINSTALL))
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            wanted = str(requirement.specifier)
            checks.append(
                Check(name, False, f"{version} は対象外です（必要: {wanted}）。{_REINSTALL}")
            )
            continue
        module = MODULES.get(name.lower(), name.replace("-", "_"))
        try:
            importlib.import_module(module)
        except Exception as error:  # a broken binary raises ImportError or OSError: report either
            detail = f"{version} を読み込めません（{type(error).__name__}: {error}）。{_REINSTALL}"
            checks.append(Check(name, False, detail))
            continue
        checks.append(Check(name, True, version))
    return checks


_REINSTALL = "配布フォルダの install.bat を実行し直してください。"


def _bundled_plan(item: str) -> Check:
    from pipeline.demo import bundled_master
    from pipeline.errors import ShinchokuError

    try:
        master = bundled_master()
    except ShinchokuError as error:
        return Check(item, False, str(error))
    return Check(item, True, master.name)


def _writable(item: str, folder: Path) -> Check:
    """Write and remove a file in `folder`, or in its nearest existing parent (a folder that
    does not exist yet is made by the first run)."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return Check(
            item, False, f"「{existing}」はフォルダではありません。別の場所を指定してください。"
        )
    try:
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as error:
        return Check(
            item,
            False,
            f"「{existing}」に書き込めません（{error.strerror or type(error).__name__}）。"
            "書き込める場所（例: ドキュメント フォルダ）を指定してください。",
        )
    return Check(item, True, f"{folder} に書き込めます")


def _integrity(item: str, store: Path) -> Check:
    """PRAGMA integrity_check on the store opened read-only (Store's read copy: nothing on disk
    changes); a store that cannot be opened at all says why in the store's own words."""
    if not store.exists():
        return Check(item, True, f"{store} はまだありません（最初の run で作成されます）")
    from pipeline.errors import StoreError
    from pipeline.store import Store

    try:
        with Store(store, readonly=True) as history:
            result = history.integrity()
    except StoreError as error:
        return Check(item, False, str(error))
    if result:
        restore = f"バックアップから戻すか、{option('db')} で新しい履歴ファイルを指定してください。"
        return Check(item, False, f"{store} が壊れています（{'; '.join(result[:3])}）。{restore}")
    return Check(item, True, f"{store}（整合性チェック ok）")
