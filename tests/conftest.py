"""Every test, every test module and each test process get their own history store, never
the developer's output/shinchoku.sqlite3 (a module fixture runs before a test's own fixtures:
without a store of its own it reached the default one); tests/output_guard.py fails the
session if anything under the checkout's output/ changed all the same.

`make mutate` sets HYPOTHESIS_PROFILE=mutate: fewer, fixed examples per property, so that a
mutant's verdict does not depend on the luck of the draw.

`demo_run` is `shinchoku demo` run once for the whole session (across pytest-xdist's workers,
under a file lock): the tests that only look at the demo's outputs share it instead of each
running the demo again (~6 s of CPU a run)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

REPO = Path(__file__).resolve().parents[1]
pytest_plugins = ["tests.output_guard"]

# No per-example deadline: the 2-core machine is shared, and a loaded moment is not a slow test.
settings.register_profile("shared", deadline=None)
settings.register_profile("mutate", max_examples=30, derandomize=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "shared"))


@contextmanager
def _history_store_in(folder: Path) -> Iterator[None]:
    """SHINCHOKU_DB (the command line's --db) set to a store in `folder` while inside."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHINCHOKU_DB", str(folder / "history.sqlite3"))
        yield


_PROCESS_STORE = pytest.StashKey[tuple[Path, str | None]]()  # its folder; SHINCHOKU_DB before


def pytest_configure(config: pytest.Config) -> None:
    """Before anything is collected (a module that copies os.environ when imported, the
    session's fixtures): the process's own store, in a temporary folder of its own."""
    folder = Path(tempfile.mkdtemp(prefix="shinchoku-tests-store-"))
    config.stash[_PROCESS_STORE] = (folder, os.environ.get("SHINCHOKU_DB"))
    os.environ["SHINCHOKU_DB"] = str(folder / "history.sqlite3")


def pytest_unconfigure(config: pytest.Config) -> None:
    folder, before = config.stash[_PROCESS_STORE]
    shutil.rmtree(folder, ignore_errors=True)
    if before is None:
        os.environ.pop("SHINCHOKU_DB", None)
    else:
        os.environ["SHINCHOKU_DB"] = before


@pytest.fixture(scope="module", autouse=True)
def _module_history_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """For a module's fixtures (test_hostile's whole-corpus `run`): one store a module, so that
    what one module records is never seen by another, whichever xdist worker runs them."""
    with _history_store_in(tmp_path_factory.mktemp("module-store")):
        yield


@pytest.fixture(autouse=True)
def _own_history_store(tmp_path: Path) -> Iterator[None]:
    with _history_store_in(tmp_path):
        yield


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` between the processes of one session (POSIX; elsewhere,
    where tests run on one process, no lock is needed)."""
    try:
        import fcntl
    except ImportError:  # Windows: no xdist workers sharing a folder there
        yield
        return
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def made_once(factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """`make(folder)` once per test session, whichever xdist worker asks first; the others wait
    for it and get the same folder (the session's temporary root, shared by the workers). A
    folder left half made by a failed `make` is made again. Users of the folder only read it."""
    root = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # popen-gwN's parent: one per session, the same for every worker
    folder, done = root / name, root / f"{name}.done"
    with _locked(root / f"{name}.lock"):
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            done.touch()
    return folder


@dataclass(frozen=True)
class DemoRun:
    """`shinchoku demo --out OUT` run as a user runs it, its output through a pipe."""

    out: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def workbook(self) -> Path:
        return next((self.out / "集計結果").glob("集計結果_*.xlsx"))


def _demo(folder: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    env.pop("SHINCHOKU_DB", None)
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "demo", "--out", str(folder / "demo")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=600,
    )
    (folder / "returncode").write_text(str(done.returncode))
    (folder / "stdout").write_text(done.stdout, encoding="utf-8")
    (folder / "stderr").write_text(done.stderr, encoding="utf-8")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """The bundled Sendai plan's demo (with history), run once for the session; its outputs
    are only read by the tests that share it."""
    folder = made_once(tmp_path_factory, "demo-run", _demo)
    return DemoRun(
        folder / "demo",
        int((folder / "returncode").read_text()),
        (folder / "stdout").read_text(encoding="utf-8"),
        (folder / "stderr").read_text(encoding="utf-8"),
    )


@pytest.fixture(scope="session")
def demo_workbook(demo_run: DemoRun) -> Path:
    """The committee workbook of `shinchoku demo`, for the tests that look at how it prints."""
    assert demo_run.returncode == 0, demo_run.stderr
    return demo_run.workbook


# The test files that take longest (CPU seconds, or waiting on LibreOffice, a subprocess or a
# worker pool), run first: pytest-xdist (`--dist loadfile --no-loadscope-reorder`, make test)
# hands each worker a whole file at a time in this order, so the two workers end together
# instead of one waiting on a slow file handed out last. test_api first: it makes the
# session's shared demo run (demo_run) while the other worker starts on the hostile corpus.
SLOW_FIRST = (
    "test_api.py",
    "test_hostile.py",
    "test_outdir.py",
    "test_workbook_render.py",
    "test_publish.py",
    "test_store.py",
    "test_cli.py",
    "test_demo.py",
    "test_wheelhouse.py",
    "test_messages_rule_codes.py",
    "test_roundtrip.py",
    "test_figures.py",
    "test_pool_serving.py",
    "test_pool_read_ahead.py",
    "test_pool.py",
    "test_workbook.py",
    "test_cli_console.py",
    "test_status.py",
    "test_seed_figures.py",
    "test_rates.py",
    "test_workbook_sheets.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files of SLOW_FIRST first, in its order; the others after, as collected."""
    rank = {name: n for n, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
