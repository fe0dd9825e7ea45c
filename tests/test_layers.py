"""The house (README "Code layout"), read from pipeline/'s source with ast: stages on one floor,
batch.py above them, no arrow back up, no cycles (from the import statements, those run only
for type checking aside, so a new arrow shows here before it shows as an import error); and a
docstring on every public function and method."""

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
    """model.py (the plain data between stages) imports only the words, the text helpers and
    the frame helpers (pipeline.frames, pandas only: the Report's typed frames)."""
    assert _imports(MODULES["pipeline.model"], top_level_only=False) - {"pipeline"} <= {
        "pipeline.labels",
        "pipeline.text",
        "pipeline.frames",
    }
    assert _imports(MODULES["pipeline.frames"], top_level_only=False) == set()


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


def _undocumented(body: list[ast.stmt], prefix: str) -> list[str]:
    """Public functions, methods and classes (names without a leading underscore) in `body`
    that have no docstring; the methods of a private class are its own business."""
    missing: list[str] = []
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            if node.name.startswith("_"):
                continue
            if ast.get_docstring(node) is None:
                missing.append(f"{prefix}{node.name}")
            if isinstance(node, ast.ClassDef):
                missing += _undocumented(node.body, f"{prefix}{node.name}.")
    return missing


def test_every_public_function_and_method_has_a_docstring() -> None:
    """House style: concise docstrings that say why, on every public name of pipeline/."""
    missing = [
        f"{path.relative_to(ROOT.parent)}: {name}"
        for path in sorted(MODULES.values())
        for name in _undocumented(ast.parse(path.read_text(encoding="utf-8")).body, "")
    ]
    assert not missing, missing


def test_the_docstring_check_sees_what_it_should() -> None:
    """The check above finds a bare public method and a bare protocol member, not a private
    one, nor anything of a private class."""
    tree = ast.parse(
        "class P:\n"
        '    """Doc."""\n'
        "    def bare(self) -> int: ...\n"
        "    def _private(self) -> None: ...\n"
        "    @property\n"
        "    def shown(self) -> str:\n"
        '        """Doc."""\n'
        "def loose() -> None:\n"
        "    pass\n"
        "class _Hidden:\n"
        "    def method(self) -> None: ...\n"
    )
    assert _undocumented(tree.body, "") == ["P.bare", "loose"]
