"""shinchoku: the yearly progress check (進行管理) of a municipal plan.

Stages, in the one direction data flows: plan (master) -> templates; ingest -> normalise ->
validate -> figures -> report. `batch` is the only module that knows that order.

As a library (SPEC "Python library"): `pipeline.validate`, `pipeline.run`, `pipeline.read_plan`
and `pipeline.make_templates` (pipeline/api.py), returning a `Report`; errors are
`pipeline.errors.ShinchokuError`. They are imported on first use, so that `import pipeline`
(and `shinchoku --help`) stays cheap.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
TEMPLATE_VERSION = "1"

__all__ = ["Report", "ShinchokuError", "make_templates", "read_plan", "run", "validate"]

if TYPE_CHECKING:
    from pipeline.api import make_templates, read_plan, run
    from pipeline.errors import ShinchokuError
    from pipeline.model import Report

_LAZY = {
    "run": "pipeline.api",
    "read_plan": "pipeline.api",
    "make_templates": "pipeline.api",
    "Report": "pipeline.model",
    "ShinchokuError": "pipeline.errors",
}


def __getattr__(name: str) -> Any:
    """The library's names, imported when first asked for."""
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'pipeline' has no attribute {name!r}")


class _CallablePackage(ModuleType):
    """SPEC's `pipeline.validate(master, submissions, year)` shares its name with the validation
    stage's package, and Python binds `pipeline.validate` to that package once any of its
    modules is imported; so the package (tiny, importing nothing) is made callable here."""

    def __call__(self, master: str | Path, submissions: str | Path, year: int | str) -> Report:
        """Check a folder of submissions (pipeline.api.validate); writes nothing."""
        from pipeline.api import validate

        return validate(master, submissions, year)


validate = importlib.import_module("pipeline.validate")
validate.__class__ = _CallablePackage
