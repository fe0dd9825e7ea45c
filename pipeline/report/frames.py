"""The committee's tables as DataFrames for the library (`Report.tables`): each equal to its CSV
file read back with pandas.read_csv, because it is made from the same text (csvout.csv_text).
A table is turned into a frame only when asked for."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping, Sequence

import pandas as pd

from pipeline.report.csvout import csv_text
from pipeline.report.tables import Table
from pipeline.text import safe_filename_part


class TableFrames(Mapping[str, pd.DataFrame]):
    """CSV file name without '.csv' -> its table as a DataFrame, made on first use."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self._tables = {safe_filename_part(t.name): t for t in tables}
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            text = csv_text(self._tables[name])
            self._frames[name] = pd.read_csv(io.StringIO(text))
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        return f"TableFrames({list(self._tables)})"
