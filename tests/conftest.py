"""Every test gets its own history store, never the developer's output/shinchoku.sqlite3.

`make mutate` sets HYPOTHESIS_PROFILE=mutate: fewer, fixed examples per property, so that a
mutant's verdict does not depend on the luck of the draw."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

settings.register_profile("mutate", max_examples=30, derandomize=True, deadline=None)
if os.environ.get("HYPOTHESIS_PROFILE"):
    settings.load_profile(os.environ["HYPOTHESIS_PROFILE"])


@pytest.fixture(autouse=True)
def _own_history_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHINCHOKU_DB", str(tmp_path / "history.sqlite3"))
