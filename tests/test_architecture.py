"""The package reads as its data flow: each room imports only the rooms below it, and no module
imports itself back through others (docs/architecture.md). Imports inside functions count too: a
lazy import hides a circle, it does not remove it."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "hds_audit"
# lowest first; a room may import its own modules and any room of a lower line
LAYERS = [
    {"hds_audit", "paths", "ordering", "states", "exitcodes", "outdir"},  # vocabulary and plumbing
    {"calendar"},
    {"i18n", "provider"},
    {"evidence"},
    {"checks"},
    {"catalog"},
    {"results"},
    {"formats", "signing"},
    {"pipeline"},
    {"workflows", "collect"},
    {"cli"},
    {"__main__"},
    {"bundle_writer"},  # writes bundles for samples, bench and tests: nothing of the audit may import it
]
KNOWN_CIRCLES: list[list[str]] = []
RANK = {room: rank for rank, rooms in enumerate(LAYERS) for room in rooms}


def modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The package's modules `path` imports when it runs (not those named for type checkers only)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name.startswith("hds_audit")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("hds_audit"):
            # `from hds_audit.x import y` imports the module y when there is one, else x
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in known else node.module)
    return out & known


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_every_room_of_the_package_has_its_place_in_the_layers():
    assert {room(m) for m in modules()} <= set(RANK), "a new room: give it its line in LAYERS (and docs/architecture.md)"


def test_no_room_imports_a_room_above_it_or_beside_it():
    mods = modules()
    wrong = sorted(f"{m} imports {d}" for m, p in mods.items() for d in imports_of(p, set(mods))
                   if room(d) != room(m) and RANK[room(d)] >= RANK[room(m)])
    assert wrong == []


def test_no_module_imports_itself_back():
    mods = modules()
    graph = {m: imports_of(p, set(mods)) - {m} for m, p in mods.items()}
    # a package's __init__ importing its own modules is how packages re-export: not a circle
    graph = {m: {d for d in deps if not d.startswith(m + ".")} for m, deps in graph.items()}
    circles = [c for c in strongly_connected(graph) if len(c) > 1]
    assert circles == KNOWN_CIRCLES


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the package is deeper than Python's recursion would like)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        component.append(top)
                        if top == node:
                            break
                    found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_circle_finder_finds_a_circle():
    assert [c for c in strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) if len(c) > 1] == [["a", "b", "c"]]
