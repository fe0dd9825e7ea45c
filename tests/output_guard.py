"""A pytest plugin: the session fails when it leaves the checkout's `output/` changed.

`output/` is where a user's own runs go (the default history store output/shinchoku.sqlite3,
`make demo`'s output/demo); a test that reached it would leave records a later real
`shinchoku history` reads as the user's. tests/conftest.py keeps every test away from it (the
history store of each session, module and test is its own); this catches whatever slips past.
Under pytest-xdist the controller alone looks, before the workers start and after they end."""

from __future__ import annotations

from pathlib import Path

import pytest

_KEY = pytest.StashKey[dict[str, tuple[int, int]]]()


def _watched(config: pytest.Config) -> Path:
    return config.rootpath / "output"


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `folder`, with its size and modification time."""
    found: dict[str, tuple[int, int]] = {}
    for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
        try:
            state = path.stat()
        except OSError:  # removed while looking: it changed
            continue
        found[path.relative_to(folder).as_posix()] = (state.st_size, state.st_mtime_ns)
    return found


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_sessionstart(session: pytest.Session) -> None:
    if not _is_worker(session.config):
        session.config.stash[_KEY] = _snapshot(_watched(session.config))


def changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """What differs, one line a path: added, removed or changed."""
    lines = [f"  + {p}" for p in sorted(after.keys() - before.keys())]
    lines += [f"  - {p}" for p in sorted(before.keys() - after.keys())]
    lines += [f"  ~ {p}" for p in sorted(before.keys() & after.keys()) if before[p] != after[p]]
    return lines


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    if _is_worker(config) or _KEY not in config.stash:
        return
    found = changes(config.stash[_KEY], _snapshot(_watched(config)))
    if not found:
        return
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    text = "\n".join(
        [
            f"The tests changed {_watched(config)} (a user's own runs and history store live "
            "there; give the command --db, --no-db or a temporary --out):",
            *found,
        ]
    )
    if reporter is not None:
        reporter.write_line("")
        reporter.write_line(text, red=True, bold=True)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
