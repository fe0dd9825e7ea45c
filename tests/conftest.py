"""Every test gets its own history store, never the developer's output/shinchoku.sqlite3."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _own_history_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHINCHOKU_DB", str(tmp_path / "history.sqlite3"))
