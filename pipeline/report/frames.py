"""The committee's tables as DataFrames for the library (`Report.tables`): made from the same
rows as their CSV files, typed by the columns' kinds (numbers as numbers, コード as text, a cell as
typed, without the CSV's formula guard). A table is turned into a frame only when asked for."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

import pandas as pd

from pipeline.frames import typed_frame
from pipeline.model import Table
from pipeline.text import safe_filename_part


class TableFrames(Mapping[str, pd.DataFrame]):
    """CSV file name without '.csv' -> its table as a DataFrame, made on first use."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self._tables = {safe_filename_part(t.name): t for t in tables}
        self._frames: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._frames:
            table = self._tables[name]
            kept = [(i, c) for i, c in enumerate(table.columns) if c.in_csv]
            rows = [[row[i] for i, _ in kept] for row in table.rows]
            self._frames[name] = typed_frame([(c.name, c.kind) for _, c in kept], rows)
        return self._frames[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._tables)

    def __len__(self) -> int:
        return len(self._tables)

    def __repr__(self) -> str:
        return f"TableFrames({list(self._tables)})"
