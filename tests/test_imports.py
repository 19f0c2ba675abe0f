"""The layers hold: no import cycle among intake's modules, and no import that runs up a layer.

Every `import` in the shipped packages is read from the source (function-level
ones too, since a late import is still a dependency). `from pkg import name`
counts as importing `pkg.name` when that is a module, else `pkg`.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("parsers", "rules", "storage", "notifier", "ingest", "web")
# What each layer may import besides itself; the CLI and the service loop sit on top of everything.
MAY_IMPORT = {
    "parsers": set(),
    "rules": {"parsers"},
    "storage": {"parsers", "rules"},
    "notifier": {"parsers", "rules", "storage"},
    "ingest": {"parsers", "rules", "storage", "notifier"},
    "web": {"parsers", "rules", "storage", "notifier", "ingest"},
    "top": set(PACKAGES),
}
TOP = re.compile(r"^ingest\.(cli|service)(\.|$)")  # ingest/cli/ and ingest/service/: the faces that start everything


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[:len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
    return {_owner(t, modules) for t in targets if t.split(".")[0] in PACKAGES} - {name, None}


def _owner(target: str, modules: dict[str, Path]) -> str | None:
    while target and target not in modules:
        target = target.rpartition(".")[0]
    return target or None


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _layer(module: str) -> str:
    return "top" if TOP.match(module) else module.split(".")[0]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while (w := stack.pop()) != v:
                component.append(w)
            if component:
                found.append(sorted([v, *component]))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_module_imports_itself_back_through_others():
    assert _cycles(_graph()) == []


def test_no_import_runs_up_a_layer():
    wrong = sorted(f"{a} → {b}" for a, targets in _graph().items() for b in targets
                   if _layer(b) != _layer(a) and _layer(b) not in MAY_IMPORT[_layer(a)])
    assert wrong == []


def test_the_walk_sees_a_cycle_and_an_upward_arrow_when_there_is_one():
    """The checks above would fail on a cycle like the old containers ⇄ email one, and on storage → notifier."""
    graph = {"parsers.containers": {"parsers.email"}, "parsers.email": {"parsers.containers"}, "storage.x": set()}
    assert _cycles(graph) == [["parsers.containers", "parsers.email"]]
    assert "notifier" not in MAY_IMPORT[_layer("storage.database")] and _layer("ingest.cli.web") == "top"
