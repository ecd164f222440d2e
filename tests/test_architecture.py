"""The layout's rules, checked on the source: imports point one way, and few imports hide in functions."""
import ast
from pathlib import Path
from typing import Dict, List, Set

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "paddle_sqz"
# each layer may import only the layers after it (and itself); tools/ sit above them all
LAYERS = ["entry", "experiments", "tasks", "deploy", "runs", "compress", "train", "config", "report", "data", "models",
          "base"]
BASE = {"errors", "io_utils", "runtime", "timing", "published", "__init__"}
ENTRY = {"cli", "doctor", "notebook"}  # what tools and notebooks call first
FORBIDDEN = {  # beyond the order: pure rendering, and models/data that know nothing of training or configs
    "report": {"models", "config"},
    "models": {"data", "config", "report"},
    "data": {"config", "report", "models"},
}
MAX_FUNCTION_IMPORTS = 15


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Dict[str, List[ast.AST]]:
    """Every paddle_sqz module (or name in one) that ``path`` imports, with the import nodes."""
    own = module_name(path).split(".")
    package = own if path.name == "__init__.py" else own[:-1]
    found: Dict[str, List[ast.AST]] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("paddle_sqz"):
                found.setdefault(target, []).append(node)
    return found


def layer_of(module: str) -> str:
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    return "base" if top in BASE else "entry" if top in ENTRY else top


SOURCES = sorted(PACKAGE.rglob("*.py"))
MODULES = {module_name(p) for p in SOURCES}


def test_the_layers_cover_every_module():
    assert {layer_of(m) for m in MODULES} <= set(LAYERS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_layers(path):
    layer = layer_of(module_name(path))
    allowed = set(LAYERS[LAYERS.index(layer):]) - FORBIDDEN.get(layer, set())
    targets = {t if t in MODULES else t.rsplit(".", 1)[0] for t in imports_of(path)}  # a name -> its module
    bad = sorted(t for t in targets if t in MODULES and layer_of(t) not in allowed)
    assert not bad, f"{layer} may not import {bad}"


def test_no_import_cycle():
    graph: Dict[str, Set[str]] = {}
    for path in SOURCES:
        name = module_name(path)
        graph[name] = {t for t in imports_of(path) if t in MODULES and t != name}
    state: Dict[str, int] = {}

    def visit(node: str, trail: List[str]) -> None:
        state[node] = 1
        for dep in graph[node]:
            if state.get(dep) == 1:
                cycle = trail[trail.index(dep):] + [dep] if dep in trail else [node, dep]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if dep not in state:
                visit(dep, trail + [dep])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])


def test_few_imports_inside_functions():
    inner = []
    for path in SOURCES:
        for fn in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner += [f"{path.name}:{n.lineno}" for n in ast.walk(fn) if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert len(inner) <= MAX_FUNCTION_IMPORTS, inner
