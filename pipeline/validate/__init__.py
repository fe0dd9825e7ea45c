"""Rules -> findings. Column and value rules are the pandera schemas under schemas/; file,
integrity, consistency and batch rules are code here, all making the same Finding.

SPEC's library function is also called `pipeline.validate`; since this package has that name
(and Python binds `pipeline.validate` to it once any of its modules is imported), the package
itself is callable: `pipeline.validate(master, submissions, year)` is pipeline.api.validate.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

    from pipeline.model import Report


class _CallablePackage(ModuleType):
    def __call__(self, master: str | Path, submissions: str | Path, year: int | str) -> Report:
        """Check a folder of submissions (pipeline.api.validate); writes nothing."""
        from pipeline.api import validate

        return validate(master, submissions, year)


sys.modules[__name__].__class__ = _CallablePackage
