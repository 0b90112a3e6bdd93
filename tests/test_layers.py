"""The layering rules of DESIGN.md §1, checked by walking imports instead of remembering them."""
from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ["core", "engine", "bpmn", "forms", "crm", "api", "designer", "worklist", "workspace", "web", "db",
            "demo", "notify", "search", "files", "routines"]

# Each file is read and parsed once per test session (the rules below walk the same ~500 files again
# and again); the answers are immutable, so no rule can change what another one sees. The rules run
# on one xdist worker, so the files are parsed once per run, not once per worker.
pytestmark = pytest.mark.xdist_group("layers")


@cache
def source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@cache
def _nodes(path: Path) -> tuple[ast.AST, ...]:
    return tuple(ast.walk(ast.parse(source(path))))


@cache
def files(pkg: str) -> tuple[Path, ...]:
    return tuple(sorted((ROOT / pkg).rglob("*.py")))


@cache
def imports_of(path: Path) -> frozenset[str]:
    out = set()
    for node in _nodes(path):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
    return frozenset(out)


def modules(*packages: str):
    for pkg in packages:
        for path in files(pkg):
            yield path, imports_of(path)


def offenders(packages, predicate):
    return [f"{p.relative_to(ROOT)}: {m}" for p, mods in modules(*packages) for m in sorted(mods) if predicate(m)]


def test_only_engine_imports_spiffworkflow():
    others = [p for p in PACKAGES if p != "engine"]
    assert offenders(others, lambda m: m.split(".")[0] == "SpiffWorkflow") == []
    app = imports_of(ROOT / "app.py") if (ROOT / "app.py").exists() else set()
    assert not any(m.startswith("SpiffWorkflow") for m in app)


def test_only_engine_spiff_package_touches_spiffworkflow_inside_engine():
    """The adapter is engine/spiff/ (one subpackage, split by what it owns) plus engine/sandbox.py."""
    adapter = ROOT / "engine" / "spiff"
    allowed = {ROOT / "engine" / "sandbox.py"}
    bad = [f"{p.relative_to(ROOT)}: {m}" for p, mods in modules("engine") for m in mods
           if m.startswith("SpiffWorkflow") and adapter not in p.parents and p not in allowed]
    assert bad == []


def test_nothing_below_the_web_layer_imports_flask():
    below = ["engine", "bpmn", "forms", "crm", "db", "demo", "notify", "files", "routines"]
    assert offenders(below, lambda m: m.split(".")[0] == "flask") == []


def test_nothing_imports_api():
    others = [p for p in PACKAGES if p != "api"]
    assert offenders(others, lambda m: m.split(".")[0] == "api") == []


def test_forms_and_bpmn_do_not_touch_the_database():
    assert offenders(["forms", "bpmn"], lambda m: m.split(".")[0] in ("sqlalchemy", "db")) == []


def test_web_layer_does_not_use_the_orm_session():
    for pkg in ("api", "worklist", "designer", "workspace", "web"):
        for path in files(pkg):
            text = source(path)
            assert "db.session" not in text and "Session(" not in text, path
            assert not any(m.split(".")[0] == "sqlalchemy" for m in imports_of(path)), path


def test_crm_does_not_import_the_engine_runtime():
    assert offenders(["crm"], lambda m: m.split(".")[0] == "engine") == []


def test_nothing_imports_demo():
    """The demo company is loaded by the command line (app.py) and tests only."""
    others = [p for p in PACKAGES if p != "demo"]
    assert offenders(others, lambda m: m.split(".")[0] == "demo") == []


@cache
def imported_names(path: Path) -> frozenset[str]:
    """imports_of, plus `pkg.name` for each `from pkg import name` (a module imported that way)."""
    out = set(imports_of(path))
    for node in _nodes(path):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out |= {f"{node.module}.{a.name}" for a in node.names}
    return frozenset(out)


def test_only_app_wires_crm_process_functions_into_the_engine():
    """crm/processes/ (what service tasks call) and engine/functions.py (the registry) meet in
    app.wire() only: the engine never names a CRM function, crm/ never sees the engine (above)."""
    def names(path: Path, prefix: str) -> list[str]:
        return sorted(m for m in imported_names(path) if m == prefix or m.startswith(prefix + "."))

    processes = [f"{p.relative_to(ROOT)}: {m}" for pkg in PACKAGES for p in files(pkg)
                 if not p.is_relative_to(ROOT / "crm" / "processes") for m in names(p, "crm.processes")]
    assert processes == [], "only app.py imports crm.processes"
    registry = [f"{p.relative_to(ROOT)}: {m}" for pkg in PACKAGES if pkg != "engine"
                for p in files(pkg) for m in names(p, "engine.functions")]
    assert registry == [], "only app.py (and the engine itself) registers functions with the engine"
    app = ROOT / "app.py"
    assert names(app, "crm.processes") and names(app, "engine.functions"), "app.wire() does the wiring"


def package_graph() -> dict[str, set[str]]:
    """package -> the other project packages it imports (app.py, the composition root, aside)."""
    graph: dict[str, set[str]] = {p: set() for p in PACKAGES}
    for path, mods in modules(*PACKAGES):
        pkg = path.relative_to(ROOT).parts[0]
        graph[pkg] |= {m.split(".")[0] for m in mods if m.split(".")[0] in graph and m.split(".")[0] != pkg}
    return graph


def test_no_cycle_between_packages():
    graph = package_graph()
    cycles = []

    def walk(node: str, path: list[str]) -> None:
        for nxt in sorted(graph[node]):
            if nxt in path:
                cycles.append(" -> ".join(path[path.index(nxt):] + [nxt]))
            elif len(path) < len(graph):
                walk(nxt, path + [nxt])

    for start in sorted(graph):
        walk(start, [start])
    assert cycles == []


def test_core_is_the_ground_floor():
    assert package_graph()["core"] == set()
    assert offenders(["core"], lambda m: m.split(".")[0] in ("flask", "sqlalchemy", "SpiffWorkflow")) == []


FACES = ("api", "worklist", "designer", "workspace")


def test_the_web_foundation_imports_no_face():
    assert offenders(["web"], lambda m: m.split(".")[0] in FACES) == []


def test_domain_errors_are_mapped_to_statuses_only_in_web_errors():
    """One map (web/errors.py): no face keeps its own table of error classes to statuses."""
    for pkg in FACES:
        for path in files(pkg):
            assert "type[DomainError]" not in source(path), path


def test_configuration_is_read_in_one_place():
    """Only core/config.py reads the environment (DESIGN.md §6: configuration in one place)."""
    readers = [str(p.relative_to(ROOT)) for p, _ in modules(*PACKAGES)
               if ("os.environ" in source(p) or "getenv(" in source(p))]
    for extra in ("app.py", "migrations/env.py"):
        if "os.environ" in (ROOT / extra).read_text(encoding="utf-8"):
            readers.append(extra)
    assert readers == ["core/config.py"]


def test_faces_open_no_unit_of_work():
    """Pages and API routes call use cases; they never open a database transaction themselves."""
    faces = ("api", "worklist", "designer", "workspace", "web")
    assert [str(p.relative_to(ROOT)) for p, _ in modules(*faces) if ".uow(" in source(p)] == []


def test_the_engine_does_not_import_notify():
    """notify/ hears of the engine's audit events through engine.events, subscribed by app.wire()."""
    assert offenders(["engine", "crm", "db", "core", "web"], lambda m: m.split(".")[0] == "notify") == []


def test_nothing_imports_routines():
    """The CRM routines are run from the composition root (app.py: the tick) only."""
    others = [p for p in PACKAGES if p != "routines"]
    assert offenders(others, lambda m: m.split(".")[0] == "routines") == []
