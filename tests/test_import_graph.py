"""No import cycle inside costcalc, at module level or inside functions.

The graph is read from the source with `ast`, so a cycle that only a rarely taken code path would close is found
as surely as one at import time. An edge goes from a module to the module an import statement names:
`from costcalc.prices import book` names costcalc.prices.book, `from costcalc.prices import load_prices` names
costcalc.prices; a string that is exactly a dotted module name (or "module:attribute") is an import by name, as
in `importlib.import_module("costcalc.reports.markdown")` or a table of lazy imports. Two things are not edges:
imports under `if TYPE_CHECKING:` (they never run), and the initialisation of the parent packages of a named
module (every import of a.b.c runs a/__init__.py; counting it would make each package facade part of a cycle with
the modules it re-exports)."""

from __future__ import annotations

import ast
from pathlib import Path

import costcalc

PACKAGE = Path(costcalc.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = ["costcalc", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:`."""
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def import_graph() -> dict[str, dict[str, int]]:
    """{module: {imported costcalc module: line of the first import}}."""
    modules = _modules()
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        skip = _type_checking_only(tree)
        edges: dict[str, int] = {}
        for node in ast.walk(tree):
            if id(node) in skip:
                continue
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parts, base] if base else parts)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and "." in node.value:
                targets = [node.value.partition(":")[0]]  # "costcalc" alone is a name (a cache folder), no import
            for target in targets:
                if target in modules and target != name:
                    edges.setdefault(target, node.lineno)
        graph[name] = edges
    return graph


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a closed path."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def _describe(component: list[str], graph: dict[str, dict[str, int]]) -> str:
    inside = set(component)
    return "\n".join(f"  {m}:{line} imports {t}" for m in component for t, line in graph[m].items() if t in inside)


def test_the_graph_sees_module_and_function_level_imports():
    graph = import_graph()
    assert "costcalc.errors" in graph["costcalc.costing"]  # module level
    assert "costcalc.counting" in graph["costcalc.costing"]  # inside compute()
    assert "costcalc.costing" not in graph["costcalc.reports"]  # only under TYPE_CHECKING there


def test_cycle_detection_finds_a_function_level_cycle():
    assert cycles({"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    graph = import_graph()
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n\n".join(_describe(c, graph) for c in found)


def test_error_classes_live_in_costcalc_errors():
    """Every exception and warning class costcalc raises is defined in costcalc/errors.py. The one exception is
    the CLI's LibraryError, a click exception that prints a library error as one line (it is never raised by the
    library)."""
    elsewhere = []
    for name, path in _modules().items():
        if name == "costcalc.errors":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.ClassDef) and node.name.endswith(("Error", "Exception", "Warning"))
                    and (name, node.name) != ("costcalc.cli._lazy", "LibraryError")):
                elsewhere.append(f"{name}.{node.name}")
    assert not elsewhere, f"define these in costcalc/errors.py: {elsewhere}"
