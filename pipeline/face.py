"""Which face a message is read through: the command line or the library.

A message that tells the user what to change names the thing they can change: `--year 2022` on
the command line, `year=2022` in a notebook. One message, written once: it asks `option()` for
the spelling, and the library's functions (api.py) say they are the face for the duration of a
call. The command line is the default, so the stages and their tests need know nothing of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

# each option a message may name: (on the command line, as the library's argument)
OPTIONS: Final = {
    "year": ("--year", "year"),
    "db": ("--db", "store"),
    "out": ("--out", "out"),
    "percent": ("--percent", "percent"),
}

_LIBRARY: ContextVar[bool] = ContextVar("shinchoku_library_face", default=False)


@contextmanager
def library() -> Iterator[None]:
    """Messages made inside the block name the library's arguments (`year=`), not options."""
    token = _LIBRARY.set(True)
    try:
        yield
    finally:
        _LIBRARY.reset(token)


def option(name: str, value: object = None) -> str:
    """`--year` / `--year 2022` on the command line, `year=` / `year=2022` in the library."""
    command_line, argument = OPTIONS[name]
    if _LIBRARY.get():
        return f"{argument}=" if value is None else f"{argument}={value}"
    return command_line if value is None else f"{command_line} {value}"


def command_line(name: str, value: object = None) -> str:
    """The command line's spelling whatever the face (docs/rules.md is read by the
    secretariat, who use the command line)."""
    spelled = OPTIONS[name][0]
    return spelled if value is None else f"{spelled} {value}"
