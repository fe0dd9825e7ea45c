"""The house (DEVELOPERS.md): stages on one floor, batch.py above them, no arrow back up, no
cycles. Read from the import statements of pipeline/ (those run only for type checking aside),
so a new arrow shows here before it shows as an import error."""

from __future__ import annotations

import ast
from pathlib import Path

import pipeline

ROOT = Path(pipeline.__file__).parent

# Above the stages: what orders them (batch) and what calls it (command line, library, demo,
# the status and doctor commands, `python -m pipeline`).
ABOVE = {
    "pipeline.batch",
    "pipeline.api",
    "pipeline.cli",
    "pipeline.demo",
    "pipeline.status",
    "pipeline.doctor",
    "pipeline.__main__",
}


def _name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(p): p for p in ROOT.rglob("*.py")}


def _imports(path: Path, top_level_only: bool) -> set[str]:
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
                found.update(f"{node.module}.{a.name}" for a in node.names)
            nested = (ast.If, ast.Try, ast.With)
            if not top_level_only or isinstance(node, nested):
                for block in ("body", "orelse", "finalbody", "handlers"):
                    inner = getattr(node, block, None)
                    if isinstance(inner, list):
                        visit(inner)

    visit(ast.parse(path.read_text(encoding="utf-8")).body)
    return {m for m in found if m in MODULES}


def test_no_stage_imports_the_batch_or_anything_above_it() -> None:
    for module, path in MODULES.items():
        if module in ABOVE or module == "pipeline":
            continue
        upward = _imports(path, top_level_only=False) & ABOVE
        assert not upward, f"{module} imports {sorted(upward)}: an arrow back up"


def test_the_model_is_the_floor() -> None:
    """model.py (the plain data between stages) imports only the words and the text helpers."""
    assert _imports(MODULES["pipeline.model"], top_level_only=False) - {"pipeline"} <= {
        "pipeline.labels",
        "pipeline.text",
    }


def test_no_import_cycle_at_module_level() -> None:
    graph = {m: _imports(p, top_level_only=True) - {m} for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def walk(module: str, path: list[str]) -> None:
        state[module] = 1
        for other in sorted(graph[module]):
            assert state.get(other) != 1, " -> ".join([*path, module, other])
            if other not in state:
                walk(other, [*path, module])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            walk(module, [])
