"""Every test gets its own history store, never the developer's output/shinchoku.sqlite3.

`make mutate` sets HYPOTHESIS_PROFILE=mutate: fewer, fixed examples per property, so that a
mutant's verdict does not depend on the luck of the draw."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# No per-example deadline: the 2-core machine is shared, and a loaded moment is not a slow test.
settings.register_profile("shared", deadline=None)
settings.register_profile("mutate", max_examples=30, derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "shared"))


@pytest.fixture(autouse=True)
def _own_history_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHINCHOKU_DB", str(tmp_path / "history.sqlite3"))


@pytest.fixture(scope="session")
def demo_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The committee workbook of `shinchoku demo` (the bundled Sendai plan, with history), made
    once for the tests that look at how it prints."""
    from pipeline.demo import run_demo
    from tests.runcache import cached

    made = cached(tmp_path_factory.mktemp("demo"), "demo", lambda folder: run_demo(folder)[1])
    assert made is not None
    return made
