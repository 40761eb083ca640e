"""The package's shape: small modules, small classes, no import cycles.

The limits come from the brief (no module over 500 lines, no class over 150)
and issue 13 (no import cycles between modules).  Imports are read with ``ast``
from the source, at module top level and inside functions alike: a cycle hidden
in a function is still a cycle a reader has to untangle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import REPO

PACKAGE = REPO / "newsindex"
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 150


def _modules() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _package_of(name: str, path: Path) -> str:
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports, wherever in the file the import is."""
    targets: set[str] = set()
    package = _package_of(name, path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            # ``from . import x`` imports the submodule x when there is one.
            candidates = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        else:
            continue
        targets.update(c for c in candidates if c in modules and c != name)
    return targets


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_is_over_the_line_limit():
    too_long = {
        str(path.relative_to(REPO)): lines
        for path in _modules().values()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_no_class_is_over_the_line_limit():
    too_long = {}
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                span = node.end_lineno - first + 1
                if span > MAX_CLASS_LINES:
                    too_long[f"{path.relative_to(REPO)}:{node.name}"] = span
    assert not too_long, f"classes over {MAX_CLASS_LINES} lines: {too_long}"


def test_no_import_cycles():
    modules = _modules()
    graph = {name: _imported(name, path, modules) for name, path in modules.items()}
    assert graph["newsindex.query"], "the import graph was not read"  # the test itself could break silently
    assert not _cycles(graph), f"import cycles: {_cycles(graph)}"


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_schemas_pickled_under_the_old_module_names_still_load():
    """An index's TOC pickles its schema (protocol 2, classes named by module):
    an index written before the stage packages names ``newsindex.analysis`` and
    ``newsindex.store``, and must open without a rebuild."""
    import pickle

    from newsindex.engine.whoosh.store import make_schema

    data = pickle.dumps(make_schema(), 2)
    assert b"cnewsindex.engine.whoosh.analysis\n" in data and b"cnewsindex.engine.whoosh.store\n" in data
    old = data.replace(b"cnewsindex.engine.whoosh.analysis\n", b"cnewsindex.analysis\n")
    old = old.replace(b"cnewsindex.engine.whoosh.store\n", b"cnewsindex.store\n")
    assert b"newsindex.engine" not in old
    schema = pickle.loads(old)
    assert schema.names() == make_schema().names()
    assert type(schema["sketch"]).__name__ == "SketchField"


def test_only_the_whoosh_engine_imports_whoosh():
    """The engine seam: everything else reaches the index through ``newsindex.engine``."""
    engine = PACKAGE / "engine" / "whoosh"
    importers = []
    for path in _modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            if any(name == "whoosh" or name.startswith("whoosh.") for name in names):
                importers.append(path)
    assert engine / "store.py" in importers  # the check sees Whoosh imports where they are
    outside = sorted({str(p.relative_to(REPO)) for p in importers if engine not in p.parents})
    assert not outside, f"modules outside newsindex/engine/whoosh/ that import whoosh: {outside}"
