"""What a file may cost, and what the first look at it learned (plain data, no reader inside)."""

from __future__ import annotations

from dataclasses import dataclass, field

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Defaults of SPEC "Reading submissions", plus what one file's reading may use; all
    adjustable."""

    max_file_bytes: int = 20 * MB  # on disk, checked before the file is read
    max_part_bytes: int = 100 * MB  # declared or actual uncompressed size of one zip part
    max_total_bytes: int = 300 * MB  # uncompressed, whole file
    max_ratio: int = 200  # uncompressed / compressed, for parts over 1 MB
    max_entries: int = 1000
    max_rows: int = 100_000  # of the sheets shinchoku reads (進捗状況, _meta)
    max_columns: int = 200
    max_legacy_cells: int = 4_000_000  # .xls: a reader builds every sheet whole (~60 bytes a cell)
    max_memory_bytes: int = 1024 * MB  # what reading one file may add, in its own process
    max_seconds: float = 30.0  # wall time to read one file


class Refused(Exception):
    """The file cannot be read; `code` is the rule, `reason` says why in Japanese."""

    def __init__(self, code: str, reason: str = "") -> None:
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True)
class Container:
    """What the first look learned about a workbook that passed."""

    kind: str  # 'xlsx', 'xlsm' or 'xls'
    sheet_parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip part
    percent_styles: frozenset[int] = frozenset()
    saved_at: str = ""  # docProps/core.xml dcterms:modified
    saved_by: str = ""
    sheet_xml: dict[str, bytes] = field(default_factory=dict)  # sheets read -> their XML
    plain_sheets: frozenset[str] = frozenset()  # sheets whose tags are plain (see cells.plain_tags)
    notes: tuple[tuple[str, str], ...] = ()  # (sheet, how it is over a limit): sheets never read
