"""`shinchoku doctor`: 問題なし on a working PC; otherwise each problem named with its fix."""

from __future__ import annotations

import importlib
import sqlite3
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.store import SCHEMA_VERSION, Store


def _doctor(tmp_path: Path, store: Path | None = None) -> Any:
    store = store or tmp_path / "履歴 フォルダ" / "shinchoku.sqlite3"
    return CliRunner().invoke(
        main, ["doctor", "--out", str(tmp_path / "出力 先"), "--db", str(store)]
    )


def test_a_working_installation_is_reported_as_such(tmp_path: Path) -> None:
    result = _doctor(tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[-1] == "問題なし"
    for item in ("Python", "pandas", "pandera", "python-calamine", "openpyxl", "同梱の計画マスタ"):
        assert any(line.startswith(f"  [OK] {item}:") for line in lines), item
    assert "出力先フォルダ" in result.output and "履歴ファイル" in result.output
    assert not (tmp_path / "出力 先").exists()  # doctor changes nothing


def test_a_healthy_store_passes_the_integrity_check(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite3"
    Store(store).close()
    result = _doctor(tmp_path, store)
    assert result.exit_code == 0 and "整合性チェック ok" in result.output


def test_a_damaged_store_is_named_with_what_to_do(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite3"
    with Store(store) as history:
        history.db.execute("CREATE TABLE filler (x TEXT)")
        history.db.executemany("INSERT INTO filler VALUES (?)", [("x" * 500,)] * 400)
        history.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(store.read_bytes())
    data[4096 * 3 : 4096 * 3 + 200] = b"\xff" * 200  # a page in the middle is overwritten
    store.write_bytes(bytes(data))
    result = _doctor(tmp_path, store)
    assert result.exit_code == 1
    assert "[要対応] 履歴ファイル" in result.output and "バックアップ" in result.output
    assert result.output.splitlines()[-1].startswith("要対応が 1 件")


def test_a_store_from_a_newer_shinchoku_is_reported(tmp_path: Path) -> None:
    store = tmp_path / "new.sqlite3"
    db = sqlite3.connect(store)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()
    result = _doctor(tmp_path, store)
    assert result.exit_code == 1 and "更新してください" in result.output


def test_an_output_folder_that_is_a_file_or_not_writable_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "出力 先").write_text("", encoding="utf-8")
    result = _doctor(tmp_path)
    assert result.exit_code == 1 and "はフォルダではありません" in result.output
    (tmp_path / "出力 先").unlink()

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", refuse)
    result = _doctor(tmp_path)
    assert result.exit_code == 1
    assert "[要対応] 出力先フォルダ" in result.output and "書き込めません" in result.output


def test_a_dependency_at_a_wrong_version_or_broken_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_version, real_import = metadata.version, importlib.import_module
    monkeypatch.setattr(
        metadata, "version", lambda name: "2.0.0" if name == "pandas" else real_version(name)
    )

    def broken(name: str, *args: Any) -> Any:
        if name == "python_calamine":
            raise ImportError("DLL load failed while importing _python_calamine")
        return real_import(name, *args)

    monkeypatch.setattr(importlib, "import_module", broken)
    result = _doctor(tmp_path)
    assert result.exit_code == 1
    assert "[要対応] pandas: 2.0.0 は対象外です（必要: ==3.1.1）" in result.output
    assert "[要対応] python-calamine" in result.output and "DLL load failed" in result.output
    assert "install.bat" in result.output


def test_a_check_that_fails_unexpectedly_is_reported_and_the_others_still_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.demo

    def broken() -> Path:
        raise ImportError("numpy.core.multiarray failed to import")

    monkeypatch.setattr(pipeline.demo, "bundled_master", broken)
    result = _doctor(tmp_path)
    assert result.exit_code == 1
    assert "[要対応] 同梱の計画マスタ: 確認できません（ImportError" in result.output
    assert "[OK] 出力先フォルダ" in result.output and "[OK] 履歴ファイル:" in result.output
