"""Read one submission by header label: raw values per row, plus findings about the file itself.

Values come from python-calamine; formulas, error cells and percent formats from the sheet XML
(see cells.py). Nothing is interpreted here beyond locating things: normalise does the values.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import python_calamine
from xlsxwriter.utility import xl_col_to_name

from pipeline import labels as L
from pipeline.ingest.cells import CellFacts, scan
from pipeline.ingest.container import inspect, too_big
from pipeline.ingest.limits import Container, Limits, Refused
from pipeline.messages import finding, finding_at
from pipeline.model import (
    FILE,
    PERCENT,
    RAW_COLUMNS,
    ROW,
    TARGET_LAYOUT,
    Finding,
    Layout,
    PlainSubmission,
    Submission,
    SubmittedFile,
    raw_frame,
)
from pipeline.outdir import MARKER, written_by_shinchoku
from pipeline.text import key
from pipeline.years import local_time

if TYPE_CHECKING:  # imported where a frame is built: a file is read without them (read_plain)
    import pandas as pd

# .xlsb and .ods are picked up too, so that they are listed with what to do (save as .xlsx)
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
_HEADER_SEARCH_ROWS = 40
# a raw row is built as a list in this order (see _data_rows)
assert (FILE, ROW, *L.TEMPLATE_COLUMNS, PERCENT) == RAW_COLUMNS


def shown_path(path: Path, root: Path) -> str:
    """The path relative to SUBMISSIONS with '/' separators, as text that can be written anywhere.

    A name that is not valid UTF-8 (e.g. Shift_JIS bytes from an old zip archive) is decoded as
    Shift_JIS where possible, else with replacement characters; the file itself is opened by its
    real path.
    """
    raw = os.fsencode(path.relative_to(root).as_posix())
    for encoding in ("utf-8", "cp932"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def scan_folder(root: Path) -> tuple[list[Path], list[Finding]]:
    """Workbooks below `root` (sorted by relative path) and notes on every other file. What
    shinchoku wrote itself (listed in a folder's `.shinchoku` marker: a run's outputs with their
    feedback workbooks, templates not filled in) is not read: one F23 per folder names it."""
    workbooks: list[Path] = []
    found = sorted(p for p in root.rglob("*") if p.is_file())
    own, notes = _own_files(root, found)
    for path in found:
        if path in own:
            continue
        relative = shown_path(path, root)
        if path.name.startswith("~$"):
            notes.append(finding("F16", file=relative))
        elif path.suffix.lower() in WORKBOOK_SUFFIXES:
            workbooks.append(path)
        else:
            notes.append(finding("F15", file=relative))
    return workbooks, notes


def _own_files(root: Path, found: list[Path]) -> tuple[set[Path], list[Finding]]:
    """The files found that shinchoku wrote and that are as it wrote them, markers included,
    and an F23 for each folder holding some: the folder (relative to SUBMISSIONS, ending in
    '/'; SUBMISSIONS itself as given), the command that wrote it, when, how many files."""
    own: set[Path] = set()
    notes: list[Finding] = []
    for marker in (p for p in found if p.name == MARKER):
        folder = marker.parent
        written = written_by_shinchoku(folder)
        if written is None:
            continue  # a file of that name, not shinchoku's: listed like any other file
        own.add(marker)
        mine = [
            p
            for p in found
            if p not in own
            and p.is_relative_to(folder)
            and written.owns(folder, p.relative_to(folder).as_posix())
        ]
        own.update(mine)
        if mine:
            shown = str(root) if folder == root else shown_path(folder, root) + "/"
            when = local_time(written.written_at) or "日時不明"
            command = f"shinchoku {written.command}".strip()
            notes.append(finding("F23", file=shown, value=command, at=when, files=len(mine)))
    return own, notes


def empty_rows(layout: Layout = TARGET_LAYOUT) -> pd.DataFrame:
    """No rows, in the columns and dtypes of schemas.frames.RawRows."""
    return raw_frame([], layout.raw_columns)


def read_submission(
    path: Path, root: Path, limits: Limits | None = None, layout: Layout = TARGET_LAYOUT
) -> Submission:
    """Read `path` (inside `root`) as a workbook of `layout`. Never raises for a bad file:
    problems become findings."""
    return read_plain(path, root, limits, layout).framed()


def read_plain(
    path: Path, root: Path, limits: Limits | None = None, layout: Layout = TARGET_LAYOUT
) -> PlainSubmission:
    """read_submission without pandas: the rows as lists (see PlainSubmission)."""
    limits = limits or Limits()
    relative = shown_path(path, root)
    stat = path.stat()
    data = path.read_bytes() if stat.st_size <= limits.max_file_bytes else None
    base = file_facts(path, relative, data, stat)
    try:
        if data is None:  # never read whole: its size on disk says enough
            raise Refused("F05", too_big(stat.st_size, limits))
        container = inspect(data, path.suffix, limits)
        return replace(_read_values(data, container, base, limits, layout), source=path)
    except Refused as refused:
        return _refused(base, refused.code, refused.reason, path, layout)


def file_facts(
    path: Path, relative: str, data: bytes | None = None, stat: os.stat_result | None = None
) -> SubmittedFile:
    """Name, size, SHA-256 and file time; the hash is streamed when the bytes are not at hand
    (`stat`: the file's, when the caller has it already)."""
    stat = stat or path.stat()
    if data is None:
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    else:
        digest = hashlib.sha256(data)
    return SubmittedFile(
        path=relative,
        size=stat.st_size,
        sha256=digest.hexdigest(),
        modified_at=datetime.fromtimestamp(stat.st_mtime, UTC).isoformat(timespec="seconds"),
    )


def refused_submission(
    file: SubmittedFile, code: str, reason: str, path: Path, layout: Layout = TARGET_LAYOUT
) -> Submission:
    """A file that gave nothing to read: one finding of rule `code`, no rows."""
    return _refused(file, code, reason, path, layout).framed()


def _refused(
    file: SubmittedFile, code: str, reason: str, path: Path, layout: Layout
) -> PlainSubmission:
    found = (finding(code, file=file.path, reason=reason),)
    return PlainSubmission(file, [], layout.raw_columns, found, path)


def _reader_broke(exc: BaseException) -> bool:
    """Whether `exc` is the reader failing on a broken file (its own errors, or a Rust panic,
    which is a BaseException) rather than the process being stopped or out of memory."""
    return not isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError)


def _read_values(
    data: bytes, container: Container, base: SubmittedFile, limits: Limits, layout: Layout
) -> PlainSubmission:
    file = replace(base, kind=container.kind, saved_at=container.saved_at)
    findings: list[Finding] = [
        finding("F22", file=file.path, sheet=sheet, sheet_name=sheet, reason=over)
        for sheet, over in container.notes
    ]
    if container.kind == "xlsm":
        findings.append(finding("F12", file=file.path))
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(_BytesReader(data))
        names = book.sheet_names
    except BaseException as exc:
        if not _reader_broke(exc):
            raise
        raise Refused("F01", "ブックの内容が壊れていて読み取れません") from None
    sheet_name = next((n for n in names if key(n) == key(L.PROGRESS_SHEET)), None)
    if sheet_name is None:
        return PlainSubmission(
            file, [], layout.raw_columns, (*findings, finding("F06", file=file.path))
        )
    values = _sheet_values(book, sheet_name, limits)
    if container.kind == "xls":  # said only once the values are read
        findings.append(finding("F17", file=file.path))
    meta = _meta(book, names)
    header_at, columns = _find_header(values, layout)
    file = replace(file, meta=meta)
    if header_at is None:
        missing_all = (finding("F09", file=file.path, sheet=sheet_name, column=L.NUMBER),)
        return PlainSubmission(file, [], layout.raw_columns, (*findings, *missing_all))
    missing = [label for label in layout.columns if label not in columns]
    findings += [
        finding_at(
            "F09", file=file.path, sheet=sheet_name, column=label, row=header_at + 1, letter="A"
        )
        for label in missing
    ]
    findings += _extra_columns(values[header_at], columns, file.path, sheet_name, header_at)
    if missing:  # without all its columns no row is read safely: rows listed, file not counted
        rows, _ = _data_rows(values, header_at, columns, {}, file.path, sheet_name, layout)
        return PlainSubmission(file, rows, layout.raw_columns, tuple(findings))
    (writer, writer_at), (contact, contact_at) = (
        _labelled(values[:header_at], L.WRITER),
        _labelled(values[:header_at], L.CONTACT),
    )
    for code, text, at in (("V15", writer, writer_at), ("V16", contact, contact_at)):
        if at is not None and not text:
            row, letter = at
            findings.append(
                finding_at(code, file=file.path, sheet=sheet_name, row=row, letter=letter)
            )
    file = replace(
        file,
        writer=writer,
        contact=contact,
        readable=True,
        columns=tuple((label, _letter(i)) for label, i in columns.items()),
    )
    editable = {columns[label] for label in layout.editable}
    xml = container.sheet_xml.get(sheet_name, b"")
    plain = sheet_name in container.plain_sheets
    facts = scan(xml, editable, container.percent_styles, plain) if xml else {}
    rows, cell_findings = _data_rows(
        values, header_at, columns, facts, file.path, sheet_name, layout
    )
    return PlainSubmission(file, rows, layout.raw_columns, (*findings, *cell_findings))


class _BytesReader:
    """A minimal file-like object over bytes for calamine (the file is read once, by us)."""

    def __init__(self, data: bytes) -> None:
        import io

        self._io = io.BytesIO(data)

    def read(self, size: int = -1) -> bytes:
        return self._io.read(size)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._io.seek(offset, whence)

    def tell(self) -> int:
        return self._io.tell()


def _sheet_values(book: Any, name: str, limits: Limits) -> list[list[object]]:
    try:
        sheet = book.get_sheet_by_name(name)
        if sheet.height > limits.max_rows or sheet.width > limits.max_columns:
            raise Refused(
                "F05",
                f"シート「{name}」の大きさ {sheet.height}行×{sheet.width}列 が上限"
                f"（{limits.max_rows}行×{limits.max_columns}列）を超えます",
            )
        return [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except Refused:
        raise
    except BaseException as exc:
        if not _reader_broke(exc):
            raise
        raise Refused("F01", f"シート「{name}」の内容が壊れていて読み取れません") from None


def _meta(book: Any, names: list[str]) -> tuple[tuple[str, str], ...]:
    if L.META_SHEET not in names:
        return ()
    try:
        rows = book.get_sheet_by_name(L.META_SHEET).to_python(skip_empty_area=False)
    except BaseException as exc:
        if not _reader_broke(exc):
            raise
        return ()
    known = {key(label): label for label in L.META_LABELS}
    pairs = [
        (known.get(key(r[0]), _text(r[0])), _text(r[1])) for r in rows if len(r) >= 2 and key(r[0])
    ]
    return tuple(pairs)


def _find_header(values: list[list[object]], layout: Layout) -> tuple[int | None, dict[str, int]]:
    """The row with the most known labels (整理番号 among them), and label -> column index."""
    known = {key(label): label for label in (*layout.columns, L.PREV_ACTUAL, L.PREV_RATE)}
    labels: dict[str, str | None] = {}  # cell text -> its label: texts repeat down the rows
    best: tuple[int | None, dict[str, int]] = (None, {})
    for r, row in enumerate(values[:_HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        for c, cell in enumerate(row):
            if not isinstance(cell, str):
                continue
            if cell not in labels:
                labels[cell] = known.get(key(cell))
            label = labels[cell]
            if label and label not in found:
                found[label] = c
        if L.NUMBER in found and len(found) > len(best[1]):
            best = (r, found)
    return best


def _extra_columns(
    header: list[object], columns: dict[str, int], file: str, sheet: str, header_at: int
) -> list[Finding]:
    used = set(columns.values())
    return [
        finding_at(
            "F18", file=file, sheet=sheet, row=header_at + 1, letter=_letter(c), value=_text(cell)
        )
        for c, cell in enumerate(header)
        if c not in used and _text(cell)
    ]


_HEADING_LABELS = {key(x) for x in (L.WRITER, L.CONTACT, "連絡先", "内線", "年度", "担当課")}


def _labelled(rows: Iterable[list[object]], label: str) -> tuple[str, tuple[int, str] | None]:
    """(value, (sheet row, column letter) of the cell right of the label) of a cell reading
    `label` (記入者, 連絡先): the first non-empty cell to its right before the next label, so a
    blank value is never read as the label beside it. ('', None) when the sheet has no such
    label."""
    wanted = key(label)
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if key(cell) == wanted:
                for v in row[c + 1 :]:
                    if key(v) in _HEADING_LABELS:
                        break
                    if _text(v):
                        return _text(v), (r + 1, _letter(c + 1))
                return "", (r + 1, _letter(c + 1))
    return "", None


def _data_rows(
    values: list[list[object]],
    header_at: int,
    columns: dict[str, int],
    facts: dict[tuple[int, int], CellFacts],
    file: str,
    sheet: str,
    layout: Layout,
) -> tuple[list[list[object]], list[Finding]]:
    rows: list[list[object]] = []
    findings: list[Finding] = []
    raw_columns = layout.raw_columns
    at = {label: i for i, label in enumerate(raw_columns)}
    cell_labels = raw_columns[2:-1]  # between FILE, ROW and PERCENT
    places = [columns.get(label, -1) for label in cell_labels]
    actual = columns.get(L.ACTUAL, -1)
    editable = sorted(columns[x] for x in layout.editable if x in columns)
    rows_with_facts = {r for r, _ in facts}
    # every column present and more than one: the cells taken at C speed, then '' -> None
    take = itemgetter(*places) if len(places) > 1 and min(places) >= 0 else None
    widest = max(places, default=-1)
    for r in range(header_at + 1, len(values)):
        sheet_row = values[r]
        if _blank_row(sheet_row):
            continue
        if take is not None and len(sheet_row) > widest:
            cells = [None if v == "" else v for v in take(sheet_row)]
        else:
            cells = [_cell(sheet_row, c) for c in places]
        row: list[object] = [file, r + 1, *cells, False]
        if r in rows_with_facts:
            for c in editable:
                fact = facts.get((r, c))
                if fact is not None:
                    label = cell_labels[places.index(c)]
                    found, keep = _fact_findings(fact, row, at, label, c, r, file, sheet)
                    findings += found
                    if not keep:
                        row[at[label]] = None
            fact = facts.get((r, actual))
            row[-1] = bool(fact and fact.percent)
        rows.append(row)
    return rows, findings


def _blank_row(row: list[object]) -> bool:
    return all(v is None or v == "" or (isinstance(v, str) and not v.strip()) for v in row)


def _fact_findings(
    fact: CellFacts,
    row: list[object],
    at: dict[str, int],
    label: str,
    c: int,
    r: int,
    file: str,
    sheet: str,
) -> tuple[list[Finding], bool]:
    """Findings for a cell's formula or error value, and whether its value may be kept."""
    number = _text(row[at[L.NUMBER]])
    where: dict[str, Any] = {
        "file": file,
        "sheet": sheet,
        "row": r + 1,
        "letter": _letter(c),
        "number": number,
    }
    if fact.error:
        return [finding_at("V04", value=fact.error, column=label, **where)], False
    if fact.formula and not fact.cached:
        return [finding_at("V03", column=label, **where)], False
    if fact.formula:
        value = row[at[label]]
        return [finding_at("V02", value=value, column=label, **where)], True
    return [], True


def _cell(row: list[object], c: int) -> object:
    value = row[c] if 0 <= c < len(row) else None
    return None if value == "" else value


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _letter(index: int) -> str:
    """0 -> 'A', 26 -> 'AA' (xlsxwriter's helper: one way to spell a column everywhere)."""
    return str(xl_col_to_name(index))
