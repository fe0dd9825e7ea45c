"""Work started ahead in a forked child, so that it overlaps this process's own start.

A city run's plan master (~2,400 targets) takes ~0.3-0.4 s to read, and the stages take
~0.9 s to import (pandas, pandera): on two cores the plan is read in a child forked before those
imports, and comes back pickled (~0.05 s to load). A bigger master is read in this process as
before: its pickle costs about a third of reading it, more than the imports it would overlap.

Whatever goes wrong in the child (an error in the master, a signal, a crash) is not reported
from there: the work is done again in this process, so that its error is raised here exactly as
it would have been without the child.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

if TYPE_CHECKING:
    from pipeline.model import Plan

T = TypeVar("T")
SMALL_MASTER = 1024 * 1024  # bytes; ~20,000 targets: read ahead up to this size


class Ahead(Generic[T]):
    """function() computed in a child forked now (`fork`, on Linux), or here when asked for."""

    def __init__(self, function: Callable[[], T], fork: bool = True) -> None:
        self._function = function
        self._child: tuple[int, int] | None = None  # (pid, read end of the pipe)
        if fork and sys.platform.startswith("linux"):
            self._child = _fork(function)

    def result(self) -> T:
        """The child's result once it has ended; computed here if the child had none."""
        child, self._child = self._child, None
        if child is not None:
            found = _collect(*child)
            if found is not None:
                return found  # type: ignore[no-any-return]
        return self._function()

    def cancel(self) -> None:
        """Stop the child if its result will not be asked for (no harm if it has ended)."""
        child, self._child = self._child, None
        if child is not None:
            pid, read = child
            os.close(read)
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
                os.waitpid(pid, 0)


class PlanAhead:
    """A plan master for `year`, read ahead when it is small enough to gain from it (see the
    module's docstring): what batch's functions take in place of the master's path. As a
    context, the child is stopped on leaving if the plan was never asked for."""

    def __init__(self, master: Path, year: int) -> None:
        from pipeline.checks.request import plan_for  # before the fork: the child inherits it

        self.path = master
        self._plan = Ahead(lambda: plan_for(master, year), fork=_small(master))

    def plan(self) -> Plan:
        """The plan (as plan_for gives it: its errors raised here)."""
        return self._plan.result()

    def __enter__(self) -> PlanAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self._plan.cancel()


def _small(master: Path) -> bool:
    try:
        return master.stat().st_size <= SMALL_MASTER
    except OSError:
        return False  # read here: its reading says what is wrong with it


def _fork(function: Callable[[], object]) -> tuple[int, int] | None:
    try:
        read, write = os.pipe()
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: its result pickled into the pipe, nothing else said
        status = 1
        try:
            os.close(read)
            data = pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write, "wb") as out:
                out.write(data)
            status = 0
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def _collect(pid: int, read: int) -> object | None:
    """The child's result, or None when it ended without one."""
    with os.fdopen(read, "rb") as pipe:
        data = pipe.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # cut off midway: read here instead
        return None
