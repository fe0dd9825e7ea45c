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
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
TEMPLATE_VERSION = "1"

__all__ = ["Report", "ShinchokuError", "make_templates", "read_plan", "run", "validate"]

if TYPE_CHECKING:
    from pipeline.api import make_templates, read_plan, run, validate
    from pipeline.errors import ShinchokuError
    from pipeline.model import Report

_LAZY = {
    "validate": "pipeline.api",
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


def __dir__() -> list[str]:
    """The library's names too (tab completion, dir(pipeline)), though not yet imported."""
    own = {n for n in globals() if n.startswith("__") or n == "TEMPLATE_VERSION"}
    loaded = {n for n, v in globals().items() if isinstance(v, ModuleType) and n != "importlib"}
    return sorted({*own, *loaded, *__all__})
