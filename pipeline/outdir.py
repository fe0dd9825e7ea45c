"""Whole output folders: DIR holds one command's complete outputs, the previous ones or the new.

Outputs are written into a hidden sibling folder (`.DIR.shinchoku-new.<pid>`) and swapped in
only when every file is complete: on Linux in one step (renameat2 RENAME_EXCHANGE), elsewhere by
two renames with SIGINT/SIGTERM held back in between and a leftover put back on the next run.
Whatever follows the swap (recording the run in the history store) runs with the signals held
too, so an interrupt lands before the swap (nothing changed) or after the record (all done).
A marker file lists what shinchoku wrote; a non-empty DIR without it, or holding files it does
not list, is someone else's folder and is refused. Commands that write file by file beside other
files (templates, demo, export) list each file's SHA-256 too, and write over a file only while it
has it.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from pipeline import __version__, years
from pipeline.errors import UNCHANGED, OutputError, OverwriteError, ShinchokuError

MARKER = ".shinchoku"  # in every output folder shinchoku writes: what it wrote, and when
_NEW, _OLD = "shinchoku-new", "shinchoku-old"
_SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


class FolderError(ShinchokuError, ValueError):
    """DIR cannot be used as an output folder (exit 2); the text is for the user."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during a command; `message` says, in Japanese, what was left as it was."""

    def __init__(self, message: str, signum: int = signal.SIGINT) -> None:
        super().__init__(message)
        self.message = message
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's code for a command ended by its signal (130 for Ctrl-C, 143 for SIGTERM)."""
        return 128 + int(self.signum)


class OutputFolder:
    """`with OutputFolder(out, "run") as work:` read, write into `work`, then `commit()`.

    Constructing it checks DIR (refusing a foreign one) so that a run fails before reading;
    entering it turns Ctrl-C and SIGTERM into Interrupted with a message saying what was left."""

    def __init__(self, out: Path, command: str) -> None:
        self.out = out
        self.command = command
        self.work = out.parent / f".{out.name}.{_NEW}.{os.getpid()}"
        self.committed = False
        _recover(out)
        check_folder(out)
        check_replaceable(out)

    def __enter__(self) -> Path:
        self.signals: list[int] = []
        self._restore = _raise_on_signals(self.signals)
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(self.work, ignore_errors=True)
            self.work.mkdir()
        except BaseException as error:  # __exit__ is not called when __enter__ fails
            self.__exit__(type(error), error, error.__traceback__)
            raise
        return self.work

    def commit(self, then: Callable[[], object] | None = None) -> None:
        """Swap the new outputs in, then run `then` (the store), with interrupts held back."""
        _write_marker(self.work, self.command)
        if self.signals:  # an interrupt swallowed on the way (in a destructor): still one
            raise Interrupted("", self.signals[0])
        with held_signals() as held:
            try:
                swap(self.work, self.out)
            except OSError as error:  # Windows: a file in DIR opened (in Excel) since the start
                raise OutputError.folder_in_use(self.out, error) from None
            self.committed = True
            if then is not None:
                then()
        if held:
            raise Interrupted(
                f"中断の指示を受けましたが、出力と記録は完了していました。出力先 {self.out} は"
                "今回の出力です。",
                held[0],
            )

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._restore()
        if self.committed:
            return
        shutil.rmtree(self.work, ignore_errors=True)
        if isinstance(error, OSError) and not self.signals:  # a full disk, a refused write
            where = Path(error.filename) if error.filename else self.out
            raise OutputError.from_os_error(where, error, UNCHANGED) from None
        if isinstance(error, Interrupted) and error.message:
            return
        if isinstance(error, KeyboardInterrupt) or (error is not None and self.signals):
            # a worker process hit by the same Ctrl-C may surface as another error: still Ctrl-C
            signum = self.signals[0] if self.signals else signal.SIGINT
            raise self.interrupted(signum) from error

    def interrupted(self, signum: int) -> Interrupted:
        """The error that ends a stopped command, saying DIR was left as it was."""
        return Interrupted(unchanged_message(self.out), signum)


@contextmanager
def interrupts(out: Path) -> Iterator[None]:
    """Around a whole command writing DIR: Ctrl-C and SIGTERM at any moment — before DIR is
    even looked at — end in Interrupted with a message saying what was left as it was."""
    received: list[int] = []
    restore = _raise_on_signals(received)
    try:
        yield
    except Interrupted as error:
        if error.message:
            raise
        raise Interrupted(unchanged_message(out), error.signum) from error
    except KeyboardInterrupt as error:
        raise Interrupted(unchanged_message(out), signal.SIGINT) from error
    finally:
        restore()


def unchanged_message(out: Path) -> str:
    """What a stopped command tells the user about DIR (previous outputs kept, or nothing)."""
    if out.exists() and any(out.iterdir()):
        state = f"出力先 {out} は前回の出力のまま、何も変更していません"
    else:
        state = f"出力先 {out} には何も書き込んでいません"
    return f"中断しました。{state}。履歴にも記録していません。"


def check_replaceable(out: Path) -> None:
    """Refuse before anything is read or written when a file in DIR cannot be opened for
    writing: Windows denies that while Excel has the file open, and DIR could not be replaced."""
    if not out.is_dir():
        return
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        try:
            descriptor = os.open(path, os.O_RDWR)
        except OSError as error:
            raise OutputError.from_os_error(path, error) from None
        os.close(descriptor)


def check_folder(out: Path) -> None:
    """Refuse a DIR that is not a folder, or holds files that shinchoku did not write there."""
    if out.exists() and not out.is_dir():
        raise FolderError(f"出力先 {out} はフォルダではありません。別の名前を指定してください。")
    if not out.exists():
        return
    present = sorted(
        p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() or p.is_symlink()
    )
    if not present:
        return
    written = written_by_shinchoku(out)
    if written is None:
        raise FolderError(
            f"出力先 {out} は空ではなく、shinchoku が書いたフォルダでもありません"
            f"（{present[0]} など {len(present)} 件）。中身を上書きしないよう中止しました。"
            "空のフォルダか新しいフォルダを指定してください。"
        )
    foreign = [p for p in present if p != MARKER and not written.owns(out, p)]
    if foreign:
        raise FolderError(
            f"出力先 {out} に shinchoku が書いていないファイルがあります（{foreign[0]} など "
            f"{len(foreign)} 件）。入れ替えると失われるため中止しました。移動してから再実行するか、"
            "別の出力先を指定してください。"
        )


@dataclass(frozen=True)
class Written:
    """What a folder's marker says shinchoku wrote there: by which command, when, which files
    (relative paths, '/' separators) and, for templates and the demo's files, each one's
    SHA-256 as written."""

    command: str  # validate, run, publish, templates, demo
    written_at: str  # ISO time
    files: frozenset[str]
    sha256: Mapping[str, str] = field(default_factory=dict)

    def owns(self, folder: Path, relative: str) -> bool:
        """Whether the file is still what shinchoku wrote: listed, and (a template, which a
        department may fill in place) unchanged since."""
        return relative in self.files and (
            relative not in self.sha256 or self.unchanged(folder, relative)
        )

    def unchanged(self, folder: Path, relative: str) -> bool:
        """Whether the file is listed with its SHA-256 and still has it: byte for byte what
        shinchoku wrote, so that writing it again loses nothing."""
        digest = self.sha256.get(relative)
        return relative in self.files and bool(digest) and _sha256(folder / relative) == digest


def written_by_shinchoku(folder: Path) -> Written | None:
    """The marker of `folder` when shinchoku wrote there, else None (no marker, or a file of
    that name that is not one)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        files = frozenset(str(f) for f in data["files"])
        digests = {str(f): str(h) for f, h in data.get("sha256", {}).items()}
        command, written_at = str(data.get("command", "")), str(data.get("written_at", ""))
        return Written(command, written_at, files, digests)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def refuse_overwrite(folder: Path, paths: Iterable[Path]) -> None:
    """Before a command that writes file by file (`templates`, `demo`, `export`) writes
    anything: each of `paths` (in `folder`) that is there must be one `folder`'s marker lists
    with the SHA-256 it has now. Anything else — a template filled in place, a file of that name
    shinchoku did not write, one listed without a digest — stops the command (OverwriteError,
    exit 2). So does a file named like the marker that is not one: the marker is written too."""
    written = written_by_shinchoku(folder)
    marker = folder / MARKER
    blocked = [marker] if written is None and (marker.exists() or marker.is_symlink()) else []
    blocked += [
        p
        for p in paths
        if p.is_symlink()
        or (
            p.exists()
            and (written is None or not written.unchanged(folder, p.relative_to(folder).as_posix()))
        )
    ]
    if blocked:
        raise OverwriteError(folder, blocked)


def _write_marker(folder: Path, command: str) -> None:
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    _write_record(folder, command, [f for f in files if f != MARKER], {})


def mark_templates(folder: Path, paths: Sequence[Path]) -> None:
    """The marker beside templates written into `folder` (which may hold other files): their
    names and SHA-256, so that a scan of submissions skips a template still as written but
    reads one filled in place, no output run replaces a filled one and `templates` again
    refuses to. Templates listed by an earlier marker there stay listed."""
    mark_files(folder, paths, "templates")


def mark_files(folder: Path, paths: Iterable[Path], command: str) -> None:
    """The marker of `folder` listing `paths` (in it or below) with their SHA-256 as written by
    `command`; files an earlier marker there lists, and that are still there, stay listed."""
    earlier = written_by_shinchoku(folder)
    digests = dict(earlier.sha256) if earlier is not None else {}
    kept = earlier.files if earlier is not None else frozenset()
    digests.update({p.relative_to(folder).as_posix(): _sha256(p) for p in paths})
    files = sorted({f for f in kept if (folder / f).is_file()} | set(digests))
    digests = {f: digests[f] for f in files if f in digests}
    _write_record(folder, command, files, digests)


def _write_record(folder: Path, command: str, files: list[str], digests: dict[str, str]) -> None:
    record: dict[str, object] = {
        "shinchoku": __version__,
        "command": command,
        "written_at": years.now().isoformat(),
        "files": files,
    }
    if digests:
        record["sha256"] = digests
    text = json.dumps(record, ensure_ascii=False, indent=1)
    part = folder / f"{MARKER}.{os.getpid()}.part"
    part.write_text(text + "\n", encoding="utf-8")
    os.replace(part, folder / MARKER)


def _sha256(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError:
        return ""


def swap(new: Path, out: Path) -> None:
    """Put `new` at `out`; the previous `out`, if any, is removed once it is out of the way."""
    if not out.exists():
        os.replace(new, out)
        return
    if _exchange(new, out):
        shutil.rmtree(new)
        return
    old = out.parent / f".{out.name}.{_OLD}.{os.getpid()}"
    shutil.rmtree(old, ignore_errors=True)
    os.replace(out, old)
    try:
        os.replace(new, out)  # a kill between these two renames is undone by _recover
    except OSError:  # refused (Windows): the previous DIR goes back, whole
        os.replace(old, out)
        raise
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Linux renameat2(RENAME_EXCHANGE): swap two folders in one step. False where unavailable."""
    if not hasattr(os, "sched_getaffinity"):  # Linux only
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    code = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(code == 0)


def _recover(out: Path) -> None:
    """Undo what a killed run left beside DIR: remove its unfinished outputs, put back a
    previous DIR moved aside but not yet replaced."""
    for leftover in sorted(out.parent.glob(f".{out.name}.{_OLD}.*")):
        if not _alive(leftover):
            if not out.exists():
                os.replace(leftover, out)
            else:
                shutil.rmtree(leftover, ignore_errors=True)
    for leftover in out.parent.glob(f".{out.name}.{_NEW}.*"):
        if not _alive(leftover):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(leftover: Path) -> bool:
    """Whether the process named in a leftover's suffix may still be writing it."""
    try:
        pid = int(leftover.name.rsplit(".", 1)[1])
    except ValueError:
        return False
    if pid == os.getpid():
        return False
    if os.name != "posix":  # os.kill would end the process on Windows: wait a day instead
        import time

        return time.time() - leftover.stat().st_mtime < 86_400
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def held_signals() -> Iterator[list[int]]:
    """SIGINT and SIGTERM noted but not acted on inside the block; the list says which came."""
    received: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield received
        return

    def note(signum: int, frame: FrameType | None) -> None:
        received.append(signum)

    previous = {s: signal.signal(s, note) for s in _SIGNALS}
    try:
        yield received
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _raise_on_signals(received: list[int]) -> Callable[[], None]:
    """SIGINT and SIGTERM raise Interrupted (noting which came) so that cleanup runs and the
    user is told what was left. An Interrupted raised inside a destructor is swallowed by Python
    ("Exception ignored in …"): it is kept quiet, and `received` still says it came, so the
    commit refuses to swap. A worker forked while the handlers are set inherits them; there
    they do nothing (Ctrl-C reaches the whole process group, and a traceback from a worker
    starting up is no message): the main process stops its workers and says what was left.
    Returns the function that restores the previous handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    owner = os.getpid()

    def stop(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:  # a reader forked while this was set: the main process ends it
            return
        received.append(signum)
        raise Interrupted("", signum)

    previous = {s: signal.signal(s, stop) for s in _SIGNALS}
    hook = sys.unraisablehook

    def quiet(unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            hook(unraisable)

    sys.unraisablehook = quiet

    def restore() -> None:
        for s, handler in previous.items():
            signal.signal(s, handler)
        sys.unraisablehook = hook

    return restore
