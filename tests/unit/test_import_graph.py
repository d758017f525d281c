"""Pure core, thin shell (DESIGN.md principle 5): the domain modules import neither grpc nor
sqlalchemy, directly or through other exchange modules, and the use cases (exchange.app) do
not import grpc, so a web console can call them without the Operator service.

The graph is read from the source with `ast` (nothing is imported): every import statement at
any depth counts, including those inside functions, except under `if TYPE_CHECKING:`.
Importing `a.b.c` also runs `a` and `a.b`, so those count as imported too."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import exchange

ROOT = Path(exchange.__file__).parent
CORE = (
    "exchange.envelope",
    "exchange.channel",
    "exchange.alerts",
    "exchange.policy",
    "exchange.trust",
    "exchange.matching",
    "exchange.audit",
    "exchange.audit_alert",
    "exchange.audit_checkpoint",
    "exchange.audit_witness",
    "exchange.errors",
    "exchange.bounds",
    "exchange.items",
)


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    todo: list[ast.AST] = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            todo.extend(node.orelse)  # the else branch runs
        else:
            todo.extend(ast.iter_child_nodes(node))


def _with_parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def imports_of(module: str) -> set[str]:
    """Every module the given exchange module imports when it runs (and their packages)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*up, base] if base else up)
            names = [base]
            names += [f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in MODULES]
        for name in names:
            out.update(_with_parents(name))
    out.discard(module)
    return out


def chains(start: str) -> dict[str, list[str]]:
    """For each module reachable from start, the shortest import chain that reaches it."""
    seen = {start: [start]}
    todo = deque([start])
    while todo:
        mod = todo.popleft()
        if mod not in MODULES:
            continue  # outside the package: a leaf
        for dep in sorted(imports_of(mod)):
            if dep not in seen:
                seen[dep] = [*seen[mod], dep]
                todo.append(dep)
    return seen


def _under(prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in MODULES if any(m == p or m.startswith(p + ".") for p in prefixes))


def violations(prefixes: tuple[str, ...], forbidden: tuple[str, ...]) -> list[str]:
    """One line per (module, forbidden package) it reaches, with the chain that reaches it."""
    out = []
    for mod in _under(prefixes):
        found = chains(mod)
        for bad in forbidden:
            hits = [c for m, c in found.items() if m == bad or m.startswith(bad + ".")]
            if hits:
                out.append(f"{mod} -> {bad}: " + " -> ".join(min(hits, key=len)))
    return out


def _report(title: str, prefixes: tuple[str, ...], found: list[str]) -> str:
    checked = _under(prefixes)
    lines = [f"{title}: {len(checked)} modules checked, {len(found)} forbidden import(s)"]
    lines += [f"  {v}" for v in found]
    return "\n".join(lines)


def test_the_walker_sees_real_imports() -> None:
    """The check would pass vacuously if it saw nothing: the shell does import both."""
    assert "grpc" in chains("exchange.node.status")
    assert "sqlalchemy" in chains("exchange.store.db")
    assert "exchange.errors" in chains("exchange.trust.errors")


def test_pure_core_imports_neither_grpc_nor_sqlalchemy() -> None:
    found = violations(CORE, ("grpc", "sqlalchemy", "alembic"))
    report = _report("pure core", CORE, found)
    print(report)
    assert not found, report


def test_use_cases_do_not_import_grpc() -> None:
    found = violations(("exchange.app",), ("grpc",))
    report = _report("exchange.app", ("exchange.app",), found)
    print(report)
    assert not found, report
