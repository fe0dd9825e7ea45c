"""How a batch runs: rounding, reading limits, the history store, workers, progress display.
The command line and the library fill these in; batch.py reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pipeline.ingest.limits import Limits

if TYPE_CHECKING:
    from pipeline.figures import PercentMethod

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterator[T]]


def no_progress(items: Iterable[T], label: str, total: int) -> Iterator[T]:
    """Progress shown nowhere (the library's default; the command line shows a bar)."""
    return iter(items)


@dataclass(frozen=True)
class Options:
    """What the caller chooses; the defaults are the command line's."""

    percent: PercentMethod = "half-up"
    limits: Limits = field(default_factory=Limits)
    store: Path | None = None  # the history store (SQLite); None: no history
    workers: int | None = None  # processes reading files; None: one per available core
    progress: Progress = no_progress  # type: ignore[type-arg]
