"""The workbook parts deflated by a thread while they are written (report/deflating.py): the
committee workbook must be the same file, byte for byte, as xlsxwriter writes it without the
thread — in both writing modes, with texts xlsxwriter escapes or keeps, and with a part long
enough to be handed over in many chunks — and a thread that fails must leave no workbook, no
thread running and xlsxwriter as it was."""

from __future__ import annotations

import io
import threading
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter.packager
import xlsxwriter.workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.model import Table
from pipeline.report import deflating, workbook
from pipeline.report.workbook import RunInfo, write_committee_workbook
from pipeline.xlsx import CELL_TEXT_LIMIT
from tests.checkplan import YEAR, make_plan
from tests.test_workbook_text import COLUMNS

HOSTILE = [  # what xlsxwriter escapes, keeps or takes for a rich string; and the plain ones
    "A&B <c> d>e",
    "_x0041_ は文字どおり",
    "制御\x01文字\x1f",
    " 前に空白",
    "後ろに空白 ",
    "後ろに改行\n",
    "一行目\n二行目",
    "<r>リッチ文字列に見える</r>",
    "\ufffe\uffff",
    "タブ\tあり",
    "全角空白で終わる\u3000",
    "普通の文",
    "絵文字😀",
    "長" * (CELL_TEXT_LIMIT + 10),
]


def _rows(texts: list[str], n: int) -> list[tuple[object, ...]]:
    return [
        (f"1-{i}", texts[i % len(texts)] if texts else None, i, Decimal(i) / 8, Decimal(i % 100))
        for i in range(n)
    ] + [("空", None, None, None, None), ("空文字", "", 0, Decimal(0), Decimal(0))]


@contextmanager
def _without_thread() -> Iterator[None]:
    """xlsxwriter's own way: every part written to its file, then deflated by ZipFile."""

    @contextmanager
    def plain() -> Iterator[None]:
        yield None

    saved = workbook.deflated_parts
    workbook.deflated_parts = plain  # type: ignore[assignment]
    try:
        yield
    finally:
        workbook.deflated_parts = saved


def _both(folder: Path, tables: list[Table], streamed: bool) -> tuple[bytes, bytes]:
    """The committee workbook written with the deflating thread and without it."""
    plan = make_plan(folder / "plan")
    info = RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    threaded = write_committee_workbook(folder / "threaded.xlsx", info, tables)
    with _without_thread():
        plain = write_committee_workbook(folder / "plain.xlsx", info, tables)
    return threaded.read_bytes(), plain.read_bytes()


@pytest.mark.parametrize("streamed", [False, True])
def test_the_workbook_is_the_same_file_as_without_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, streamed: bool
) -> None:
    monkeypatch.setattr(workbook, "STREAM_FROM_ROWS", 0 if streamed else 10**9)
    monkeypatch.setattr(deflating, "_CHUNK", 1000)  # many chunks, a queue that fills up
    monkeypatch.setattr(deflating, "_AHEAD", 2)
    tables = [
        Table("検証結果", COLUMNS, _rows(HOSTILE, 3000)),
        Table("提出状況", COLUMNS, _rows(["市民局", "A&B"], 50)),
        Table("空の表", COLUMNS, []),
    ]
    zipped: list[str] = []
    original = deflating._PartsZip.write

    def write(self: Any, filename: str, arcname: str, *args: Any) -> None:
        if filename in self._parts.ready:
            zipped.append(arcname)
        original(self, filename, arcname, *args)

    monkeypatch.setattr(deflating._PartsZip, "write", write)
    threaded, plain = _both(tmp_path, tables, streamed)
    assert threaded == plain
    with zipfile.ZipFile(io.BytesIO(threaded)) as book:
        assert book.testzip() is None  # every part's CRC checks out
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        escaped = sheet if streamed else book.read("xl/sharedStrings.xml").decode()
    assert sheet.count("<row ") == 3003 and "_x005F_x0041_" in escaped
    assert zipped == [f"xl/worksheets/sheet{n}.xml" for n in (1, 2, 3)] + (
        [] if streamed else ["xl/sharedStrings.xml"]
    )  # each table sheet and the shared strings went through the thread
    assert not [t for t in threading.enumerate() if t.name == "deflate"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=30))
def test_any_texts_give_the_same_shared_strings_and_sheet(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str]
) -> None:
    folder = tmp_path_factory.mktemp("any")
    texts = [t for t in texts if not any("\ud800" <= c <= "\udfff" for c in t)] or ["a"]
    threaded, plain = _both(folder, [Table("検証結果", COLUMNS, _rows(texts, 40))], False)
    assert threaded == plain


def test_a_failing_thread_leaves_no_workbook_and_xlsxwriter_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def compress(self, data: bytes) -> bytes:
            raise MemoryError("deflate failed")

        def flush(self) -> bytes:
            return b""

    plan = make_plan(tmp_path / "plan")
    real = zlib.compressobj

    def compressobj(*args: Any) -> Any:  # the thread's fails, ZipFile's (other parts) works
        return Broken() if threading.current_thread().name == "deflate" else real(*args)

    monkeypatch.setattr(deflating.zlib, "compressobj", compressobj)
    info = RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    with pytest.raises(MemoryError, match="deflate failed"):
        write_committee_workbook(
            tmp_path / "book.xlsx", info, [Table("検証結果", COLUMNS, _rows(HOSTILE, 500))]
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan"]  # no file, no part file
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # type: ignore[attr-defined]
    assert xlsxwriter.packager.SharedStrings is xlsxwriter.sharedstrings.SharedStrings  # type: ignore[attr-defined]
    assert not [t for t in threading.enumerate() if t.name == "deflate"]


def _deflated(text: str, folder: Path) -> tuple[deflating.Parts, Path]:
    parts = deflating.Parts()
    path = folder / "part.xml"
    path.write_bytes(b"")
    sink = deflating.DeflatingText(str(path), parts)
    for i in range(0, len(text), 7):
        sink.write(text[i : i + 7])
    sink.close()
    return parts, path


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
@pytest.mark.parametrize("seekable", [True, False])
def test_a_part_is_zipped_as_zipfile_writes_its_text(
    tmp_path: Path, compression: int, seekable: bool
) -> None:
    text = "<sheetData>" + "".join(f'<row r="{i}">行{i}</row>\n' for i in range(5000)) + "</x>"
    reference = tmp_path / "reference.xml"
    reference.write_text(text, encoding="utf-8")
    parts, path = _deflated(text, tmp_path)
    made: list[bytes] = []
    for kind, source in (("plain", reference), ("parts", path)):
        sink: Any = io.BytesIO() if seekable else _Unseekable()
        maker: Any = zipfile.ZipFile if kind == "plain" else deflating._PartsZip
        options: dict[str, Any] = {} if kind == "plain" else {"parts": parts}
        with maker(sink, "w", compression=compression, **options) as book:
            book.write(source, "xl/worksheets/sheet1.xml")
        made.append(sink.getvalue())
    plain, threaded = made
    # the same bytes but for the part's file time and mode (two different files here)
    with zipfile.ZipFile(io.BytesIO(threaded)) as book:
        info = book.getinfo("xl/worksheets/sheet1.xml")
        assert book.read(info) == text.encode("utf-8")
        assert info.compress_type == compression
    assert len(plain) == len(threaded)
    if compression == zipfile.ZIP_DEFLATED and seekable:
        body = zlib.compress(text.encode("utf-8"), wbits=-15)
        assert body in threaded and body in plain


class _Unseekable(io.BytesIO):
    def seekable(self) -> bool:
        return False

    def seek(self, *args: Any) -> int:
        if args == (0, 1):  # tell(), as ZipFile asks it
            return super().seek(*args)
        raise io.UnsupportedOperation("seek")


def test_newlines_are_written_as_the_platform_writes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(deflating, "_NEWLINE", "\r\n")  # as on Windows
    parts, path = _deflated("a\nb\n", tmp_path)
    part = parts.ready[str(path)].deflated()
    assert zlib.decompress(b"".join(part.blocks()), wbits=-15) == b"a\r\nb\r\n"
    assert part.size == 6 and part.crc == zlib.crc32(b"a\r\nb\r\n")


def test_two_threads_writing_workbooks_take_turns_and_leave_xlsxwriter_as_it_was(
    tmp_path: Path,
) -> None:
    plan = make_plan(tmp_path / "plan")
    info = RunInfo(plan, YEAR, datetime(2025, 6, 1, 9, 0), 1, 2)
    tables = [Table("検証結果", COLUMNS, _rows(HOSTILE, 400))]
    with _without_thread():
        expected = write_committee_workbook(tmp_path / "plain.xlsx", info, tables).read_bytes()
    writers = [
        threading.Thread(
            target=write_committee_workbook, args=(tmp_path / f"{n}.xlsx", info, tables)
        )
        for n in range(3)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    assert [(tmp_path / f"{n}.xlsx").read_bytes() == expected for n in range(3)] == [True] * 3
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # type: ignore[attr-defined]
    assert xlsxwriter.packager.SharedStrings is xlsxwriter.sharedstrings.SharedStrings  # type: ignore[attr-defined]


def test_the_text_waiting_for_the_thread_never_reaches_a_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The point of the thread is that a 90-MB sheet is never held whole: whatever has been
    written, less than one chunk waits in the main thread (pieces that fill a chunk exactly
    are handed over at once), the rest is with the thread."""
    monkeypatch.setattr(deflating, "_CHUNK", 100)
    path = tmp_path / "part.xml"
    path.write_bytes(b"")
    sink = deflating.DeflatingText(str(path), deflating.Parts())
    try:
        for size in [10] * 30 + [25] * 8 + [100, 1, 99] + [7] * 40:
            sink.write("x" * size)
            assert sum(map(len, sink._pending)) < deflating._CHUNK
        sink.close()
        part = sink.deflated()
        assert part.size == 300 + 200 + 200 + 280
    finally:
        sink.stop()


def test_a_part_never_closed_has_its_thread_ended_by_stop(tmp_path: Path) -> None:
    """A workbook that fails while a table sheet is still being written: stop() ends that
    part's thread (it waits for text that will never come), so no thread is left behind."""
    path = tmp_path / "part.xml"
    path.write_bytes(b"")
    sink = deflating.DeflatingText(str(path), deflating.Parts())
    sink.write("<sheetData>")
    stopping = threading.Thread(target=sink.stop)
    stopping.start()
    stopping.join(timeout=10)
    assert not stopping.is_alive() and not sink._thread.is_alive()


def test_a_deflated_part_goes_into_the_zip_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Into a seekable zip that deflates, the thread's stream is copied unchanged: the part is
    not inflated and deflated again on the main thread (the work the thread took over)."""

    def inflated(*args: Any) -> None:
        raise AssertionError("the part was inflated and deflated again")

    monkeypatch.setattr(deflating._PartsZip, "_write_inflated", inflated)
    text = "".join(f'<row r="{i}"/>' for i in range(2000))
    parts, path = _deflated(text, tmp_path)
    sink = io.BytesIO()
    with deflating._PartsZip(sink, "w", compression=zipfile.ZIP_DEFLATED, parts=parts) as book:
        book.write(path, "xl/worksheets/sheet1.xml")
    with zipfile.ZipFile(sink) as book:
        assert book.read("xl/worksheets/sheet1.xml") == text.encode("utf-8")
