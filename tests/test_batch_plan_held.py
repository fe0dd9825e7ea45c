"""batch._plan_held: while a batch runs, what was alive once the plan was read (the plan's
millions of objects at a large plan) is left out of the garbage collector's passes, and put back
when the batch ends — however it ends; a caller's own frozen objects stay frozen."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from pipeline import batch


def _plan(monkeypatch: pytest.MonkeyPatch) -> object:
    plan = object()
    monkeypatch.setattr(batch, "_plan", lambda master, year: plan)
    return plan


def test_the_plan_is_frozen_while_the_batch_runs_and_unfrozen_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    plan = _plan(monkeypatch)
    assert gc.get_freeze_count() == 0
    with batch._plan_held(Path("master.xlsx"), 2024) as held:
        assert held is plan
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_an_error_in_the_batch_unfreezes_too(monkeypatch: pytest.MonkeyPatch) -> None:
    _plan(monkeypatch)
    with pytest.raises(KeyError), batch._plan_held(Path("master.xlsx"), 2024):
        raise KeyError("stopped")
    assert gc.get_freeze_count() == 0


def test_a_callers_own_freeze_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    _plan(monkeypatch)
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with batch._plan_held(Path("master.xlsx"), 2024):
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
