"""mutation/mutate.py's command line (make mutate): all groups by default, a group by name, an
unknown group refused with the list of groups, and --no-run on groups never run saying so."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "mutation" / "mutate.py"


def _mutate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(SCRIPT), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=60)


def test_every_group_by_default_and_each_named_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import mutate
    finally:
        sys.path.remove(str(SCRIPT.parent))
    monkeypatch.setattr(mutate, "SCRATCH", tmp_path / ".mutation")  # no cached results here
    for args, groups in (([], list(mutate.GROUPS)), (["rates", "store"], ["rates", "store"])):
        monkeypatch.setattr(sys, "argv", ["mutate.py", "--no-run", *args])
        assert mutate.main() == 0
        lines = capsys.readouterr().out.splitlines()
        assert [line.split()[0] for line in lines[:-1]] == groups
        assert all("no results yet" in line for line in lines[:-1])


def test_an_unknown_group_is_refused_with_the_groups_listed(tmp_path: Path) -> None:
    done = _mutate("--no-run", "nosuch", cwd=tmp_path)
    assert done.returncode == 2
    assert "unknown group nosuch" in done.stderr and "workbook-layout" in done.stderr
    assert "Traceback" not in done.stderr
