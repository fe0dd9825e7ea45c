"""Work started ahead in a forked child, so that it overlaps this process's own start.

A city run's plan master (~2,400 targets) takes ~0.3-0.4 s to read, and the stages take
~0.9 s to import (pandas, pandera): on two cores the plan is read in a child forked before those
imports, and comes back pickled (~0.05 s to load). A bigger master is read in this process as
before: its pickle costs about a third of reading it, more than the imports it would overlap.

Whatever goes wrong in the child (an error in the master, a signal, a crash) is not reported
from there: the work is done again in this process, so that its error is raised here exactly as
it would have been without the child.

The submissions too are read in a child forked before pandas is imported (FilesAhead): the
workers, forked once pandas is, need it to build each file's frame, and so started reading ~0.9 s
into a city run. This child reads without pandas (ingest.reader.read_plain) while the stages
import, and what it has read when the workers start is theirs (ingest.pool.hold); the rest,
and any file it could not read, the workers read as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import pickle
import sys
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    from pipeline.ingest.limits import Limits
    from pipeline.model import Plan

T = TypeVar("T")
SMALL_MASTER = 1024 * 1024  # bytes; ~20,000 targets: read ahead up to this size


class Ahead(Generic[T]):
    """function() computed in a child forked now (`fork`, on Linux), or here when asked for."""

    def __init__(self, function: Callable[[], T], fork: bool = True) -> None:
        self._function = function
        self._child: tuple[Any, Connection] | None = None  # (process, its result's pipe)
        if fork and sys.platform.startswith("linux"):
            self._child = _start(function)

    def result(self) -> T:
        """The child's result once it has ended; computed here if the child had none."""
        child, self._child = self._child, None
        if child is not None:
            found = _collect(*child)
            if found is not None:
                return cast(T, found)
        return self._function()

    def cancel(self) -> None:
        """Stop the child if its result will not be asked for (no harm if it has ended)."""
        child, self._child = self._child, None
        if child is not None:
            _end(*child)


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


class FilesAhead:
    """The submissions of `root` read in a child forked now (Linux, two cores or more), until
    `hold` hands what it has read to the workers about to start. As a context, the child is
    stopped on leaving."""

    def __init__(self, root: Path, limits: Limits) -> None:
        from pipeline.ingest import pool  # before the fork: the child inherits it (no pandas)

        self._root, self._limits = root, limits
        self._child: tuple[Any, Connection] | None = None
        if sys.platform.startswith("linux") and pool.default_workers() >= 2:
            self._child = _stream(pool.read_early, root, limits)

    def hold(self) -> None:
        """What the child has read by now goes to the workers started next (pool.hold); the
        child is stopped (a file it was reading is read by a worker)."""
        from pipeline.ingest import pool

        child, self._child = self._child, None
        if child is None:
            return
        process, receive = child
        read: dict[Path, bytes] = {}
        try:
            while receive.poll():
                path, data = receive.recv()
                read[path] = data
        except (EOFError, OSError, pickle.UnpicklingError):  # it ended, or died mid-way
            pass
        finally:
            _end(process, receive)
        pool.hold(read, self._root, self._limits)

    def __enter__(self) -> FilesAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        child, self._child = self._child, None
        if child is not None:
            _end(*child)


def _stream(target: Callable[..., None], *args: object) -> tuple[Any, Connection] | None:
    """target(*args, send) in a child forked now; its pipe made 1 MB where Linux allows, so
    that a city's files (~9 KB each, pickled) fit in it before they are asked for."""
    context = multiprocessing.get_context("fork")
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice
        with contextlib.suppress(Exception):
            stream.flush()
    try:
        receive, send = context.Pipe(duplex=False)
        with contextlib.suppress(ImportError, OSError, AttributeError):
            import fcntl  # Linux: where a child is forked

            fcntl.fcntl(send.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        process = context.Process(target=target, args=(*args, send), daemon=True)
        process.start()
    except OSError:  # no process to be had: the workers read every file
        return None
    send.close()
    return process, receive


def _end(process: Any, receive: Connection) -> None:
    process.kill()
    process.join()
    receive.close()


def _small(master: Path) -> bool:
    """Worth reading ahead: a small master, and a second core to read it on."""
    from pipeline.ingest.pool import default_workers  # the cores this process may run on

    if default_workers() < 2:
        return False
    try:
        return master.stat().st_size <= SMALL_MASTER
    except OSError:
        return False  # read here: its reading says what is wrong with it


def _start(function: Callable[[], object]) -> tuple[Any, Connection] | None:
    return _stream(_child, function)


def _child(function: Callable[[], object], send: Connection) -> None:
    """In the child: the result pickled into the pipe; a failure says nothing (see above)."""
    with contextlib.suppress(BaseException):
        send.send_bytes(pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL))


def _collect(process: Any, receive: Connection) -> object | None:
    """The child's result, or None when it ended without one."""
    try:
        data = receive.recv_bytes()
    except (EOFError, OSError):
        data = b""
    finally:
        receive.close()
        process.join()
    if not data:
        return None
    try:
        found: object = pickle.loads(data)
    except Exception:  # cut off midway: read here instead
        return None
    return found
