"""The ingest package has no import cycle, and each landing module imports on its own."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "ingest"
LANDING = ("ingest.ctl", "ingest.audit", "ingest.sink", "ingest.spark_landing", "ingest.runner",
           "ingest.loaders.pm", "ingest.generic.run", "ingest.generic.rest")


def _module(path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path, name: str, known: set[str]) -> set[str]:
    """ingest modules `name` imports anywhere in its body (at the top or inside a function)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}".rstrip(".")
            # `from pkg import sub` imports the submodule; `from pkg import name` the package
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                found.add(sub if sub in known else base)
    # a module's own packages are initialised before it runs: importing them is no cycle
    ancestors = {name.rsplit(".", i)[0] for i in range(1, name.count(".") + 1)}
    return {m for m in found if m in known and m != name and m not in ancestors}


def _graph() -> dict[str, set[str]]:
    paths = {_module(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: _imports(path, name, known) for name, path in paths.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_cycle_finder_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_ingest_module_imports_itself_back_through_others():
    graph = _graph()
    assert "ingest.runner" in graph and "ingest.sink" in graph["ingest.runner"]
    cycle = _cycle({k: {m for m in v if m != "ingest"} for k, v in graph.items()})
    assert cycle is None, " -> ".join(cycle)


@pytest.mark.parametrize("module", LANDING)
def test_each_landing_module_imports_alone_in_a_fresh_interpreter(module):
    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
