"""How a batch runs: rounding, reading limits, the history store, workers, progress display.
The command line and the library fill these in; batch.py reads them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from pipeline.ingest.limits import Limits

if TYPE_CHECKING:
    from pipeline.model import PercentMethod

T = TypeVar("T")
Progress = Callable[[Iterable[T], str, int], Iterator[T]]


def no_progress(items: Iterable[T], label: str, total: int) -> Iterator[T]:
    """Progress shown nowhere (the library's default; the command line shows a bar)."""
    return iter(items)


# The cyclic garbage collector's thresholds while shinchoku works: every 50,000 new objects
# rather than Python's 700 (mypy uses 200,000). What a batch makes (pandas and pandera's ~160,000
# objects on import, the plan, the frames, the figures) lives to its end, and the default
# thresholds walked it again and again: ~0.2 s of a city run, ~1.3 s of a 2,000-file run's tail.
# The command sets them for its whole process (cli.console), a library run while it works
# (batch._long_lived); garbage without cycles is freed at once either way.
GC_THRESHOLDS = (50_000, 30, 30)


@dataclass(frozen=True)
class Options:
    """What the caller chooses; the defaults are the command line's."""

    percent: PercentMethod = "half-up"
    limits: Limits = field(default_factory=Limits)
    store: Path | None = None  # the history store (SQLite); None: no history
    workers: int | None = None  # processes reading files; None: one per available core
    progress: Progress = no_progress  # type: ignore[type-arg]
