"""Read every submission in a child process of its own kind: no single file can take the batch down.

A few long-lived worker processes (one per available core) each read one file at a time under a
memory cap (RLIMIT_AS above what the worker already holds; where that does not exist, e.g. on
Windows, a watchdog on the worker's resident memory) and a time limit. A worker that dies — a
native reader aborting on an allocation it may not make, a Rust panic, a segfault — or overruns
its time is stopped, its file becomes one エラー finding naming the limit, a fresh worker takes its
place, and the batch goes on. Only plain data crosses the process boundary: a file's reduced
result, or the name of what went wrong (never an exception object).

Each worker hands its file to `reduce` (run in the worker too), so what travels back and stays in
memory is the reduced file — its matched rows — not the workbook. `context` (e.g. the plan) is
given to each worker once, when it starts. Results come back in file order. A worker's next
item is sent while it works on one (it waits in the pipe: no round trip between two files); if
the worker fails, that item goes to another as if it had never been sent.

Workers started ahead of their job (`start_readers`) can read the files ahead while the main
process reads the plan (`Readers.read_ahead`): each keeps what it read, and the job then takes
those files first and uses what was read (only the time changes; a worker that fails while
reading ahead is replaced, and the file is read again in a task of its own). What the job will
ask about a file read ahead (`foresee`) is answered with the file's task: no round trip. Files
read even before the workers exist (`read_early`, in a child forked before pandas is imported;
see pipeline/ahead.py) are handed to them at their start (`hold`), as if they had read them
ahead.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import pickle
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from queue import SimpleQueue
from typing import Any, TypeVar, cast

from pipeline.ingest.limits import MB, Limits
from pipeline.ingest.reader import (
    file_facts,
    read_plain,
    refused_submission,
    scan_folder,
    shown_path,
)
from pipeline.model import TARGET_LAYOUT, Layout, PlainSubmission, Submission

T = TypeVar("T")
Reduce = Callable[[Submission | PlainSubmission, Any], T]  # a worker's: a PlainSubmission
Answer = Callable[[Any], Any]
# a file read ahead -> the question its job will ask
Foresee = Callable[[Submission | PlainSubmission], Any]
_POLL = 0.25  # seconds between looks at a busy worker's clock and memory
_SWITCH = 0.0005  # seconds a thread holds the GIL while another waits, while workers are served


def default_workers() -> int:
    """One worker per core this process may run on."""
    return max(
        1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    )


def read_all(
    paths: Sequence[Path],
    root: Path,
    limits: Limits,
    reduce: Reduce[T],
    context: Any = None,
    workers: int | None = None,
    layout: Layout = TARGET_LAYOUT,
    answer: Answer | None = None,
    readers: Readers | None = None,
) -> Results[T]:
    """reduce(submission, context) for each of `paths` read as workbooks of `layout`, in order,
    each file read in a worker. `answer`: what the workers may `ask` of this process (e.g. the
    plan's rows for one department, so that no worker needs the whole plan); `readers`: workers
    started before (see start_readers), else they are started here."""
    job = _ReadJob(_ReadAhead(root, limits, layout), reduce, context)
    return isolated_map(job, job.failed, paths, limits, workers, answer, readers)


def isolated_map(
    job: Callable[[Any], T],
    fallback: Callable[[Any, str], T],
    items: Sequence[Any],
    limits: Limits,
    workers: int | None = None,
    answer: Answer | None = None,
    readers: Readers | None = None,
) -> Results[T]:
    """job(item) for each item, in order, each in a worker under `limits`; where a worker fails,
    fallback(item, reason) in this process, `reason` a Japanese sentence naming the limit.
    With `readers` (started before, and stopped by their owner), the job is sent to them.

    The workers begin at once, served from their own thread (see _Supervisor.map): the caller
    may do something else (import pandera) before it asks for the first result."""
    if not items:
        return Results(items, None, fallback, limits, None)
    count = max(1, min(default_workers() if workers is None else workers, len(items)))
    supervisor = readers._supervisor if readers else _Supervisor(count, job, limits)
    outcomes = supervisor.map(items, answer, job if readers else None)
    return Results(items, outcomes, fallback, limits, None if readers else supervisor)


class Results(Iterator[T]):
    """isolated_map's results, in order; closed (the serving thread stopped, the workers of
    its own supervisor too) once the last is taken, on an error, or by close() — also when no
    result was ever asked for."""

    def __init__(
        self,
        items: Sequence[Any],
        outcomes: _Serving | None,
        fallback: Callable[[Any, str], T],
        limits: Limits,
        owned: _Supervisor | None,
    ) -> None:
        self._items, self._outcomes, self._fallback = iter(items), outcomes, fallback
        self._limits, self._owned = limits, owned

    def __next__(self) -> T:
        try:
            item = next(self._items)
            assert self._outcomes is not None  # there are items: they are served
            outcome = next(self._outcomes)
            if isinstance(outcome, _Failed):
                return self._fallback(item, _reason(outcome, self._limits))
            return cast(T, outcome)
        except BaseException:  # StopIteration too: the last was taken
            self.close()
            raise

    def close(self) -> None:
        """Stop serving the workers (no harm twice)."""
        if self._outcomes is not None:
            self._outcomes.close()
        owned, self._owned = self._owned, None
        if owned is not None:
            owned.close()


class Readers:
    """Workers started ahead of their job (start_readers): forked before the main process reads
    the plan, they never hold it — the job then asks for what it needs (see `ask`)."""

    def __init__(self, count: int, limits: Limits) -> None:
        self._supervisor = _Supervisor(count, None, limits)
        # what the owner found in the folder when it gave the files to read ahead (root,
        # workbooks, notes): kept so that the folder is scanned once
        self.scanned: tuple[Path, list[Path], list[Any]] | None = None

    def __enter__(self) -> Readers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the workers (again: no harm)."""
        self._supervisor.close()

    def release(self) -> None:
        """Their work is done: idle workers are told to end now, without waiting for them to
        exit (close, when the owner's context ends, joins them; by then they are gone)."""
        self._supervisor.release()

    def read_ahead(
        self,
        paths: Sequence[Path],
        root: Path,
        limits: Limits,
        layout: Layout = TARGET_LAYOUT,
        foresee: Foresee | None = None,
    ) -> None:
        """Let the idle workers read `paths` (each its share, in order) while this process
        reads the plan; read_all then gives each worker the files it holds first. A file is
        read the same way ahead or not, and one read ahead under other parameters (`layout`
        is the plan's: not known yet) is read again: only the time changes. `foresee`: the
        question the job will `ask` about a file read (run in the worker as it reads ahead):
        its answer is then sent with the file's task, so the worker need not wait for it."""
        self._supervisor.read_ahead(_ReadAhead(root, limits, layout), paths, foresee)


def hold(read: dict[Path, bytes], root: Path, limits: Limits) -> None:
    """Files read before the workers were started (`read_early`'s results, by path): the
    workers started next (start_readers) begin by holding them, as files they read ahead
    (they are used for a job of the same root, limits and layout; else read again)."""
    how = _ReadAhead(root, limits, TARGET_LAYOUT)
    _ahead.update((path, (how, data, None)) for path, data in read.items())  # no question foreseen


def read_early(root: Path, limits: Limits, send: Connection) -> None:
    """In a child forked before pandas is imported (pipeline/ahead.py): read the files of
    `root` in order, without pandas (read_plain), each sent pickled as (path, bytes) until the
    parent stops listening. The child is a worker's kind: capped, silent, and it stops at the
    first file that breaks its reading — that file is then read by a worker, where its
    failure is named."""
    _quiet()
    if not needs_watchdog():
        _cap_memory(limits.max_memory_bytes)
    with contextlib.suppress(BaseException):
        paths, _ = scan_folder(root)
        for path in paths:
            data = pickle.dumps(read_plain(path, root, limits), pickle.HIGHEST_PROTOCOL)
            send.send((path, data))


def start_readers(limits: Limits, workers: int | None = None) -> Readers:
    """`workers` workers (one per core by default), idle until read_all gives them a job."""
    return Readers(max(1, default_workers() if workers is None else workers), limits)


def ask(question: Any) -> Any:
    """In a worker: the main process's answer to `question` (read_all's `answer`); one
    foreseen for a file read ahead came with its task."""
    if _asking is None:
        raise RuntimeError("ask() is for a job running in a worker")
    if _answered and question in _answered:
        return _answered.pop(question)
    _asking.send(("ask", -1, question))
    while True:  # the next task may be in the pipe before the answer: kept for later
        message = _asking.recv()
        if type(message) is tuple and len(message) == 2 and message[0] == _ANSWER:
            return message[1]
        _arrived.append(message)


@dataclass(frozen=True)
class _ReadJob:
    """Read and reduce one submission (in a worker); its finding when the worker failed. A
    file read ahead the same way (`reading` equal) is taken as it was read."""

    reading: _ReadAhead
    reduce: Reduce[Any]
    context: Any

    def __call__(self, path: Path) -> Any:
        ahead = _ahead.pop(path, None)
        submission: Submission | PlainSubmission
        if ahead is not None and ahead[0] == self.reading:
            submission = pickle.loads(ahead[1])
        else:
            submission = self.reading(path)
        return self.reduce(submission, self.context)

    def failed(self, path: Path, reason: str) -> Any:
        """The finding of a file whose reading failed, made here from its name alone."""
        root, layout = self.reading.root, self.reading.layout
        failed = refused_submission(
            file_facts(path, shown_path(path, root)), "F20", reason, path, layout
        )
        return self.reduce(failed, self.context)


@dataclass(frozen=True)
class _ReadAhead:
    """Read one submission without the plan (in a worker, while the main process reads the
    plan): the same reading as _ReadJob's, so its result stands in for it when the parameters
    agree."""

    root: Path
    limits: Limits
    layout: Layout

    def __call__(self, path: Path) -> Submission | PlainSubmission:
        """The rows as lists (no frame: the reduce makes the one it needs, ~0.9 ms a file less
        to build, pickle and unpickle when held)."""
        return read_plain(path, self.root, self.limits, self.layout)


@dataclass(frozen=True)
class _Failed:
    how: str  # 'time', 'memory', 'died' or 'broke'


def _reason(failure: _Failed, limits: Limits) -> str:
    return _REASONS[failure.how].format(
        seconds=f"{limits.max_seconds:g}", memory=f"{limits.max_memory_bytes // MB:,}"
    )


# --- the worker side ------------------------------------------------------------------------------


_asking: Connection | None = None  # in a worker: its line to the main process, for `ask`
_ahead: dict[Any, tuple[Any, bytes, Any]] = {}  # item -> (how read, what it gave, question)
_answered: dict[Any, Any] = {}  # in a worker: the answers that came with the current task
_arrived: deque[Any] = deque()  # in a worker: tasks that came while a question waited
_ANSWER = "answer"  # an answer's tag (a task's first item is its index, or a command)


def _serve(conn: Connection, job: Callable[[Any], Any] | None, limits: Limits) -> None:
    """A worker's life: read files until told to stop; after a failure, end (a fresh process
    takes the next file, so nothing a broken file left behind can touch another). A task is
    (index, item), or ("job", job): the job for the tasks that follow."""
    global _asking
    _asking = conn
    _quiet()
    if not needs_watchdog():
        _cap_memory(limits.max_memory_bytes)
    while True:
        try:
            task = _arrived.popleft() if _arrived else conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if task is None:
            return
        if task[0] == "job":
            job = task[1]
            continue
        if task[0] == "ahead":
            if not _read_ahead(conn, task[1], task[2], task[3]):
                return  # a file broke the reading: end, as after any failure
            continue
        if task[0] == "held":
            conn.send(("held", -1, [(item, held[2]) for item, held in _ahead.items()]))
            continue
        index, item, *foreseen = task
        _answered.clear()
        _answered.update(*foreseen)  # (question, answer) pairs foreseen for this file
        assert job is not None
        outcome: tuple[str, int, object]
        try:
            outcome = ("ok", index, job(item))
        except MemoryError:
            outcome = ("memory", index, None)
        except KeyboardInterrupt:
            return
        except BaseException:  # a reader's panic (a BaseException) or a defect: named, not sent
            outcome = ("broke", index, None)
        try:
            conn.send(outcome)
        except MemoryError:
            outcome = ("memory", index, None)
            conn.send(outcome)
        except Exception:  # a result that cannot be pickled
            outcome = ("broke", index, None)
            conn.send(outcome)
        if outcome[0] != "ok":
            return


def _read_ahead(
    conn: Connection, read: Callable[[Any], Any], items: Sequence[Any], foresee: Foresee | None
) -> bool:
    """Read `items` ahead, one by one, until the supervisor says something (the batch has
    begun: it then asks what is held). False when a reading raised (the process then ends)."""
    for item in items:
        if conn.poll():
            return True
        if item in _ahead and _ahead[item][0] == read:  # held from the start (see hold)
            continue
        try:  # held pickled: a fifth of the memory of the frame, for ~0.6 ms a file
            result = read(item)
            question = foresee(result) if foresee is not None else None
            _ahead[item] = (read, pickle.dumps(result, pickle.HIGHEST_PROTOCOL), question)
        except BaseException:
            return False
    return True


def _quiet() -> None:
    """A native reader's last words (a Rust panic message, a stack dump, a core file) go
    nowhere: the finding says what happened."""
    import faulthandler

    faulthandler.disable()
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 2)
        os.close(null)
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))


def _cap_memory(limit: int) -> None:
    """Cap this process's address space at what it holds now plus `limit` (never above a cap
    set from outside, e.g. `ulimit -v`). Called on Linux only: elsewhere the parent's watchdog
    watches resident memory (see needs_watchdog)."""
    import resource

    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/statm") as statm:
            held = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = held + limit
        if hard != resource.RLIM_INFINITY:
            cap = min(cap, hard)
        if soft != resource.RLIM_INFINITY:
            cap = min(cap, soft)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))


def needs_watchdog() -> bool:
    """Where the worker cannot cap its own address space, the supervisor watches its memory."""
    return not sys.platform.startswith("linux")


def _resident(pid: int) -> int | None:
    """A process's resident memory in bytes, where it can be known (psutil is optional)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        pass
    try:
        import psutil  # type: ignore[import-untyped]

        return int(psutil.Process(pid).memory_info().rss)
    except Exception:  # not installed, or the process is gone
        return None


# --- the supervisor side --------------------------------------------------------------------------


@dataclass
class _Worker:
    process: Any  # multiprocessing's process object (its type differs per start method)
    conn: Connection
    task: tuple[int, Any] | None = None
    queued: tuple[int, Any] | None = None  # the task sent after `task`, waiting in its pipe
    started: float = 0.0
    baseline: int | None = None  # resident memory when the task began (for the watchdog)
    ahead: list[Any] | None = None  # the items it was given to read ahead, until map asks
    held: deque[int] = field(default_factory=deque)  # indices of items it holds, read ahead


class _Supervisor:
    def __init__(self, count: int, job: Callable[[Any], Any] | None, limits: Limits) -> None:
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        self._mp: Any = multiprocessing.get_context(method)
        self._args = (job, limits)
        self._limits = limits
        self._watchdog = needs_watchdog()
        self._job: Callable[[Any], Any] | None = None  # sent to each worker (see map)
        self._answer: Answer | None = None
        self._foreseen: dict[int, Any] = {}  # index -> the question its job will ask
        self._serving: _Serving | None = None  # the thread serving the workers (map)
        self._workers = [self._start() for _ in range(count)]
        if _ahead and _asking is None:  # this process's files read early: each worker has them
            _ahead.clear()
            for worker in self._workers:
                worker.ahead = []  # map asks what it holds

    def _start(self) -> _Worker:
        parent, child = self._mp.Pipe()
        process = self._mp.Process(target=_serve, args=(child, *self._args), daemon=True)
        process.start()
        child.close()
        worker = _Worker(process, parent)
        if self._job is not None:
            with contextlib.suppress(OSError):  # a worker gone already is seen by _check
                parent.send(("job", self._job))
        return worker

    def map(
        self,
        items: Sequence[Any],
        answer: Answer | None = None,
        job: Callable[[Any], Any] | None = None,
    ) -> _Serving:
        """Each item's result, or _Failed, in order; `answer` answers the workers' questions;
        `job` (for workers started without one) is sent to each worker first.

        The workers are served from a thread of their own, started now, so that whatever the
        caller does before or between two results (importing pandera, drawing the progress
        bar) never keeps a worker waiting for an answer or its next file."""
        self._answer = answer
        self._held(items)
        if job is not None:
            self._job = job
            for worker in self._workers:
                with contextlib.suppress(OSError):
                    worker.conn.send(("job", job))
        results: SimpleQueue[tuple[bool, Any]] = SimpleQueue()
        stop = threading.Event()
        serving = threading.Thread(
            target=self._serve_all, args=(items, results, stop), name="shinchoku-pool", daemon=True
        )
        self._serving = _Serving(len(items), results, stop, serving)
        return self._serving

    def _serve_all(
        self,
        items: Sequence[Any],
        results: SimpleQueue[tuple[bool, Any]],
        stop: threading.Event,
    ) -> None:
        """The serving thread: each outcome put on `results` in order, or the error that
        stopped it (raised again in the caller's thread); ends early when `stop` is set."""
        try:
            for outcome in self._outcomes(items, stop):
                results.put((True, outcome))
        except BaseException as error:  # handed to the caller, raised there
            results.put((False, error))

    def _outcomes(self, items: Sequence[Any], stop: threading.Event) -> Iterator[Any]:
        held = {i for worker in self._workers for i in worker.held}
        pending = deque(i for i in range(len(items)) if i not in held)
        taken: set[int] = set()
        done: dict[int, Any] = {}
        given = 0
        while given < len(items) and not stop.is_set():
            for worker in self._workers:
                if worker.task is None:
                    index = self._next(worker, pending, taken)
                    if index is not None:
                        self._give(worker, (index, items[index]))
                if worker.task is not None and worker.queued is None:  # its next file waits
                    index = self._next(worker, pending, taken, steal=False)  # in its pipe
                    if index is not None:
                        worker.queued = (index, items[index])
                        self._send(worker, worker.queued)
            busy = [w for w in self._workers if w.task is not None]
            ready = set(wait([w.conn for w in busy], timeout=_POLL)) if busy else set()
            if stop.is_set():  # the caller has gone (Ctrl-C, an error): no worker replaced
                return
            for n, worker in enumerate(self._workers):
                if worker.task is None:
                    continue
                index = worker.task[0]
                answered = worker.conn in ready or worker.conn.poll()
                failure = self._collect(worker, done) if answered else self._check(worker)
                if failure is not None:
                    done[index] = _Failed(failure)
                    if worker.queued is not None:  # sent, never begun: read by another
                        taken.discard(worker.queued[0])
                        pending.appendleft(worker.queued[0])
                    pending.extend(worker.held)  # what it held is read by another
                    self._replace(n)
            while given in done:
                yield done.pop(given)
                given += 1

    def read_ahead(
        self, read: Callable[[Any], Any], items: Sequence[Any], foresee: Foresee | None = None
    ) -> None:
        """Each idle worker reads its share of `items` ahead (see Readers.read_ahead)."""
        count = len(self._workers)
        for n, worker in enumerate(self._workers):
            share = list(items[n::count])
            if worker.task is None and share:
                with contextlib.suppress(OSError):  # a worker gone already: nothing held
                    worker.conn.send(("ahead", read, share, foresee))
                    worker.ahead = share

    def _held(self, items: Sequence[Any]) -> None:
        """Ask each worker that was reading ahead what it holds (it stops reading ahead when
        asked); one that does not answer within the time limit (stuck on a file read ahead) or
        is gone is replaced: that file is read again as a task of its own, where its failure
        is named."""
        self._foreseen = {}
        if all(worker.ahead is None for worker in self._workers):
            return
        where = {item: n for n, item in enumerate(items)}  # read ahead: paths
        for n, worker in enumerate(self._workers):
            if worker.ahead is None:
                continue
            worker.ahead = None
            try:
                worker.conn.send(("held",))
                if not worker.conn.poll(self._limits.max_seconds):
                    raise TimeoutError
                _, _, held = worker.conn.recv()
            except Exception:  # gone (EOFError, OSError), or stuck
                self._replace(n)
                continue
            worker.held = deque(sorted(where[i] for i, _ in held if i in where))
            self._foreseen.update(
                (where[i], question) for i, question in held if i in where and question is not None
            )

    def _next(
        self, worker: _Worker, pending: deque[int], taken: set[int], steal: bool = True
    ) -> int | None:
        """The next item for a worker: one it holds, else one nobody holds, else (`steal`: the
        worker is free) the last one another worker holds (read again here)."""
        others = [w.held for w in self._workers if w is not worker and steal]
        queues: list[deque[int]] = [worker.held, pending, *others]
        for n, queue in enumerate(queues):
            while queue:
                index = queue.popleft() if n < 2 else queue.pop()
                if index not in taken:
                    taken.add(index)
                    return index
        return None

    def _give(self, worker: _Worker, task: tuple[int, Any]) -> None:
        self._begin(worker, task)
        self._send(worker, task)

    def _begin(self, worker: _Worker, task: tuple[int, Any] | None) -> None:
        """`task` is the one the worker works on from now (its clock and memory from here)."""
        worker.task, worker.started = task, time.monotonic()
        worker.baseline = _resident(worker.process.pid) if self._watchdog and task else None

    def _send(self, worker: _Worker, task: tuple[int, Any]) -> None:
        question = self._foreseen.pop(task[0], None)
        sent: tuple[Any, ...] = task  # with the answer its job will ask for, when that was foreseen
        if question is not None and self._answer is not None:
            sent = (*task, ((question, self._answer(question)),))
        with contextlib.suppress(OSError):  # a worker gone already is seen by _check
            worker.conn.send(sent)

    def _collect(self, worker: _Worker, done: dict[int, Any]) -> str | None:
        """Take a worker's answer; the name of the failure when it has none to give."""
        assert worker.task is not None
        try:
            status, index, result = worker.conn.recv()
        except Exception:  # no answer (EOFError, OSError) or one cut off midway
            return "died"
        if status == "ask":  # the worker waits for the answer; its task goes on
            assert self._answer is not None, "a worker asked, but no one answers"
            with contextlib.suppress(OSError):  # a worker gone already is seen by _check
                worker.conn.send((_ANSWER, self._answer(result)))
            return None
        if status != "ok":
            return str(status)
        done[index] = result
        self._begin(worker, worker.queued)  # the task queued behind it begins (or none)
        worker.queued = None
        return None

    def _check(self, worker: _Worker) -> str | None:
        """A busy worker with nothing to say: over its time or memory, or gone without a word."""
        if not worker.process.is_alive():
            return "died"
        if time.monotonic() - worker.started > self._limits.max_seconds:
            return "time"
        if worker.baseline is not None:
            now = _resident(worker.process.pid)
            if now is not None and now - worker.baseline > self._limits.max_memory_bytes:
                return "memory"
        return None

    def _replace(self, n: int) -> None:
        old = self._workers[n]
        _stop(old)
        self._workers[n] = self._start()

    def release(self) -> None:
        """Ask every idle worker to end; close() joins them."""
        for worker in self._workers:
            if worker.task is None:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)

    def close(self) -> None:
        """Stop every worker: idle ones are asked to end, busy ones are killed (the serving
        thread first, if a caller left its results unasked)."""
        if self._serving is not None:
            self._serving.close()
        self.release()
        for worker in self._workers:
            if worker.task is None:
                worker.process.join(timeout=2)
            _stop(worker)
        self._workers = []


class _Serving:
    """The results of _Supervisor.map, in order, from the serving thread (started here);
    close() stops the thread (no harm twice) and puts the switch interval back."""

    def __init__(
        self,
        count: int,
        results: SimpleQueue[tuple[bool, Any]],
        stop: threading.Event,
        thread: threading.Thread,
    ) -> None:
        self._left, self._results, self._stop, self._thread = count, results, stop, thread
        self._switching: float | None = sys.getswitchinterval()
        sys.setswitchinterval(_SWITCH)  # a worker's question answered within ~1 ms, not 5
        thread.start()

    def __iter__(self) -> _Serving:
        return self

    def __next__(self) -> Any:
        if self._left == 0 or self._switching is None:
            raise StopIteration
        ok, outcome = self._results.get()
        if not ok:
            raise outcome
        self._left -= 1
        return outcome

    def close(self) -> None:
        if self._switching is None:
            return
        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switching)
        self._switching = None


def _stop(worker: _Worker) -> None:
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join()
    worker.conn.close()


_REASONS = {
    "time": "読み取りに時間の上限 {seconds}秒 を超えてかかりました",
    "memory": "読み取りに使うメモリが上限 {memory}MB を超えました",
    "died": "読み取り処理が異常終了しました。"
    "メモリの上限 {memory}MB を超えたか、ファイルの構造が壊れています",
    "broke": "ファイルの構造が壊れていて、読み取り処理が止まりました",
}
