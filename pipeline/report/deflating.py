"""Workbook parts deflated while they are written, on the core the main process leaves idle.

Why: at 120,000 listing rows the committee workbook's 事業一覧 sheet is ~90 MB of XML.
xlsxwriter writes each part to a temporary file and, once every part is written, deflates them
into the zip one after the other: a third of the workbook's time is zlib, on the main process's
one core while the other is idle. zlib (crc32 and deflate) releases the GIL, so here a thread
deflates each chunk of a part (encoded by the main thread: a copy, for the ASCII sheet XML) as
soon as it is written, while the main thread makes the next chunk; the deflated stream goes to
a temporary file of its own, and when xlsxwriter zips the part it is copied into the zip as it
is. The zip is the same byte for byte: a deflate stream does not depend on how its input is
cut, and the entry's header gets what `ZipFile.write` gives it (the part's temporary file's
name, time and mode, the real CRC and sizes). The part's own temporary file stays empty, so
the 90 MB are neither written to disk nor read back.

Only the parts written through `DeflatingText` are taken this way (`report.workbook`'s table
sheets, and the shared strings while `deflated_parts` is open); every other part is zipped by
xlsxwriter as before. A failure in the thread is raised in the main thread when the part is
zipped: the workbook is then not written, as for any writing error (`xlsx.new_workbook`
renames only a complete file), and nothing falls back to writing without the thread.
"""

from __future__ import annotations

import os
import queue
import re
import tempfile
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any
from zipfile import ZIP64_LIMIT, ZIP_DEFLATED, ZIP_STORED, ZipFile, ZipInfo

import xlsxwriter.packager
import xlsxwriter.workbook
from xlsxwriter.sharedstrings import SharedStrings

_CHUNK = 1 << 18  # characters handed to the thread at a time (the sheet XML is mostly ASCII)
_AHEAD = 4  # chunks waiting for the thread at most: bounded memory if it falls behind
_NEWLINE = os.linesep if os.linesep != "\n" else None  # how text files write a newline here
_BLOCK = 1 << 20  # bytes of the deflated stream copied into the zip at a time


@dataclass
class _Deflated:
    """A part's deflated stream (in a temporary file beside the part's: ~8.5 MB for 90 MB of
    sheet, not held in memory), its CRC-32 and its size before deflating."""

    stream: IO[bytes]
    crc: int = 0
    size: int = 0

    def blocks(self) -> Iterator[bytes]:
        """The stream from its start, a block at a time; the file is closed at its end."""
        with self.stream:
            self.stream.seek(0)
            while block := self.stream.read(_BLOCK):
                yield block


class DeflatingText:
    """A text file for one workbook part (as xlsxwriter's `_set_xml_writer` opens one: UTF-8,
    newlines as the platform writes them) whose text is deflated by a thread of its own,
    chunk by chunk, into `parts` under the part's temporary file name."""

    def __init__(self, path: str, parts: Parts) -> None:
        self._path, self._parts = path, parts
        self._pending: list[str] = []
        self._buffered = 0
        self._queue: queue.Queue[bytes | None] = queue.Queue(_AHEAD)
        stream = tempfile.TemporaryFile(dir=os.path.dirname(path) or None)  # noqa: SIM115
        self._deflated = _Deflated(stream)  # closed once zipped (blocks) or by stop()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._deflate, name="deflate", daemon=True)
        self._thread.start()
        self.closed = False
        parts.opened.append(self)

    def write(self, text: str) -> int:
        """Take `text` as a file would; it is handed to the thread once a chunk has gathered, so
        that the thread deflates large pieces and the writer is not held up by each call."""
        self._pending.append(text)
        self._buffered += len(text)
        if self._buffered >= _CHUNK:
            self._hand_over()
        return len(text)

    def _hand_over(self) -> None:
        if self._error is not None:
            raise self._error
        text = "".join(self._pending)
        self._pending, self._buffered = [], 0
        if _NEWLINE:
            text = text.replace("\n", _NEWLINE)
        self._queue.put(text.encode("utf-8"))  # here: a copy for ASCII, the thread's memory small

    def _deflate(self) -> None:
        """The thread: each chunk's CRC taken and the chunk deflated as `ZipFile` would (the
        default level, a raw stream); the GIL is free during both."""
        done = self._deflated
        squeeze = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        try:
            while (data := self._queue.get()) is not None:
                done.crc = zlib.crc32(data, done.crc)
                done.size += len(data)
                done.stream.write(squeeze.compress(data))
            done.stream.write(squeeze.flush())
        except BaseException as error:  # raised in the main thread, when the zip asks for it
            self._error = error
            while self._queue.get() is not None:  # let the main thread finish its puts
                pass

    def close(self) -> None:
        """Hand over the rest; the thread goes on deflating while the main thread writes the
        next parts (the zip waits for it: `deflated`)."""
        if self.closed:
            return
        self.closed = True
        try:
            if self._pending:
                self._hand_over()
        finally:
            self._queue.put(None)
        self._parts.ready[self._path] = self

    def deflated(self) -> _Deflated:
        """The part's stream, once the thread has deflated all of it (its error raised here)."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._deflated

    def stop(self) -> None:
        """End the thread, the part not kept (the workbook failed before it was zipped)."""
        if not self.closed:
            self.closed = True
            self._queue.put(None)
        self._thread.join()
        self._deflated.stream.close()


@dataclass
class Parts:
    """The parts deflated so far (temporary file name -> stream) and those being written."""

    ready: dict[str, DeflatingText] = field(default_factory=dict)
    opened: list[DeflatingText] = field(default_factory=list)


class _PartsZip(ZipFile):
    """xlsxwriter's zip: a part deflated ahead is copied in as it is, the others written as
    `ZipFile.write` writes them."""

    def __init__(self, *args: Any, parts: Parts, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._parts = parts

    def write(
        self,
        filename: Any,
        arcname: Any = None,
        compress_type: int | None = None,
        compresslevel: int | None = None,
    ) -> None:
        text = self._parts.ready.pop(os.fspath(filename), None)
        if text is None:
            super().write(filename, arcname, compress_type, compresslevel)
            return
        part = text.deflated()
        strict = getattr(self, "_strict_timestamps", True)
        zinfo = ZipInfo.from_file(filename, arcname, strict_timestamps=strict)
        zinfo.file_size = part.size  # as ZipFile.write has it: the same zip64 decision
        compress, fp = compress_type or self.compression, self.fp
        if compress != ZIP_DEFLATED or fp is None or not fp.seekable():
            self._write_inflated(zinfo, part, compress, compresslevel)
            return
        zinfo.compress_type = ZIP_STORED  # the deflated bytes go in unchanged ...
        with self.open(zinfo, "w") as sink:
            for block in part.blocks():
                sink.write(block)
        zinfo.compress_type = ZIP_DEFLATED  # ... then the header says what they are
        zinfo.CRC, zinfo.file_size = part.crc, part.size
        zip64 = zinfo.file_size * 1.05 > ZIP64_LIMIT  # as ZipFile._open_to_write decides
        end = fp.tell()
        fp.seek(zinfo.header_offset)
        fp.write(zinfo.FileHeader(zip64))
        fp.seek(end)

    def _write_inflated(
        self, zinfo: ZipInfo, part: _Deflated, compress: int, level: int | None
    ) -> None:
        """A zip that cannot take the stream as it is (another compression, an unseekable
        file): the part's text restored and written the usual way."""
        zinfo.compress_type = compress
        zinfo._compresslevel = level  # type: ignore[attr-defined]  # as ZipFile.write sets it
        inflate = zlib.decompressobj(-15)
        with self.open(zinfo, "w") as sink:
            for block in part.blocks():
                sink.write(inflate.decompress(block))
            sink.write(inflate.flush())


_PLAIN = re.compile("[^&<>_\\x00-\\x1f\\ufffe\\uffff]*")  # nothing xlsxwriter escapes or keeps


class _SharedStrings(SharedStrings):  # type: ignore[misc]
    """The shared strings part (126,000 texts at 2,000 files), deflated like the table sheets;
    a text with nothing to escape or keep (most) is spelled as xlsxwriter spells it, in one
    join; any other goes through xlsxwriter's own `_write_si`."""

    def __init__(self, parts: Parts) -> None:
        super().__init__()
        self._parts = parts

    def _set_xml_writer(self, filename: Any) -> None:
        if not isinstance(filename, str):
            super()._set_xml_writer(filename)
            return
        me: Any = self
        me.internal_fh = True
        me.fh = DeflatingText(filename, self._parts)

    def _write_sst_strings(self) -> None:
        me: Any = self
        plain, write = _PLAIN.fullmatch, me.fh.write
        spelled: list[str] = []
        for text in me.string_table.string_array:
            if text and plain(text) and not (text[0].isspace() or text[-1].isspace()):
                spelled.append(f"<si><t>{text}</t></si>")
                continue
            write("".join(spelled))
            spelled.clear()
            self._write_si(text)
        write("".join(spelled))


_SWAPPED = threading.Lock()  # one block at a time: each puts back what it found


@contextmanager
def deflated_parts() -> Iterator[Parts]:
    """While open, a workbook closed here zips the parts written through `DeflatingText`
    (given these `Parts`) as they were deflated; on leaving, any thread still running is
    stopped. xlsxwriter makes its ZipFile and its SharedStrings inside its private
    `_store_workbook`, so the classes it finds there are swapped for this block (they write
    every other part as before); two threads writing committee workbooks take turns."""
    parts = Parts()

    def zip_file(*args: Any, **kwargs: Any) -> ZipFile:
        return _PartsZip(*args, parts=parts, **kwargs)

    with _SWAPPED:
        original = xlsxwriter.workbook.ZipFile  # type: ignore[attr-defined]
        original_strings = xlsxwriter.packager.SharedStrings  # type: ignore[attr-defined]
        xlsxwriter.workbook.ZipFile = zip_file  # type: ignore[attr-defined]
        xlsxwriter.packager.SharedStrings = lambda: _SharedStrings(parts)  # type: ignore[attr-defined]
        try:
            yield parts
        finally:
            xlsxwriter.workbook.ZipFile = original  # type: ignore[attr-defined]
            xlsxwriter.packager.SharedStrings = original_strings  # type: ignore[attr-defined]
            for text in parts.opened:
                text.stop()
