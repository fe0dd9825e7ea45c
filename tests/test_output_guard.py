"""The guard of tests/output_guard.py, and the stores tests/conftest.py gives each scope."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.cli import DEFAULT_DB
from tests.conftest import REPO

pytest_plugins = ["pytester"]
AT_IMPORT = os.environ.get("SHINCHOKU_DB")  # as a module that copies os.environ sees it


def test_a_module_copying_the_environment_when_imported_gets_a_store_outside() -> None:
    assert AT_IMPORT is not None
    assert not Path(AT_IMPORT).resolve().is_relative_to(REPO), AT_IMPORT


@pytest.fixture(scope="module")
def module_store() -> str:
    """What a module fixture sees (test_hostile's `whole` ran `run` with no --db here)."""
    return os.environ["SHINCHOKU_DB"]


def test_a_module_fixture_has_its_own_store_outside_the_checkout(module_store: str) -> None:
    store = Path(module_store).resolve()
    assert not store.is_relative_to(REPO), store
    assert store != (REPO / DEFAULT_DB).resolve()


def test_a_test_has_its_own_store_not_its_modules(module_store: str) -> None:
    assert os.environ["SHINCHOKU_DB"] != module_store


def test_a_session_that_writes_into_output_fails_and_names_the_file(
    pytester: pytest.Pytester,
) -> None:
    (pytester.path / "output").mkdir()
    (pytester.path / "output" / "README.md").write_text("kept")
    pytester.makepyfile(
        test_writes="""
        from pathlib import Path

        def test_passes_but_leaves_a_store():
            Path("output/shinchoku.sqlite3").write_bytes(b"x")
        """
    )
    result = pytester.runpytest("-p", "tests.output_guard")
    result.assert_outcomes(passed=1)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*The tests changed*output*", "  + shinchoku.sqlite3"])


def test_a_session_that_leaves_output_alone_passes(pytester: pytest.Pytester) -> None:
    (pytester.path / "output").mkdir()
    pytester.makepyfile(test_reads="def test_nothing():\n    assert True\n")
    result = pytester.runpytest("-p", "tests.output_guard")
    assert result.ret == pytest.ExitCode.OK
