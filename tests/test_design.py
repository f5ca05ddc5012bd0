"""The shape of the code: the project's modules import each other without a cycle (imports inside
functions count: a cycle dodged at run time is still one in the design), no module is over 400
lines, and the screening core imports nothing from Django or the rest of the project."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("intake", "trdintake")
MAX_LINES = 400


def module_files() -> dict[str, Path]:
    """Every module of the project's packages, by dotted name (migrations excepted)."""
    modules = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def imported_names(name: str, path: Path, modules=()) -> set[str]:
    """The dotted names a module imports, anywhere in it, relative imports resolved; for
    `from package import name`, the submodule when `name` is one of `modules`, else the
    package."""
    is_package = path.name == "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                names.add(submodule if submodule in modules else source)
    return names


def import_graph() -> dict[str, set[str]]:
    """Each module and the project modules it imports."""
    modules = module_files()
    return {name: {target for target in imported_names(name, path, modules)
                   if target in modules and target != name}
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, as the modules along it, or None."""
    visiting, done = [], set()

    def visit(node):
        visiting.append(node)
        for target in sorted(graph[node]):
            if target in visiting:
                return visiting[visiting.index(target):] + [target]
            if target not in done:
                cycle = visit(target)
                if cycle:
                    return cycle
        visiting.pop()
        done.add(node)
        return None

    for node in sorted(graph):
        if node not in done:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_the_cycle_finder_finds_a_cycle_and_only_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_relative_imports_resolve_to_modules(tmp_path):
    module = tmp_path / "__init__.py"
    module.write_text("from . import views\nfrom .models import Submission\n"
                      "def f():\n    from ..staff import roles\n")
    modules = {"intake.patient.views", "intake.staff.roles"}
    assert imported_names("intake.patient", module, modules) == {
        "intake.patient.views", "intake.patient.models", "intake.staff.roles"}


def test_no_import_cycle_between_the_project_modules():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in module_files().items()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


def test_the_screening_core_imports_only_the_standard_library_and_itself():
    modules = module_files()
    outside = {
        (name, target)
        for name, path in modules.items() if name.startswith("intake.screening")
        for target in imported_names(name, path)
        if target.split(".")[0] in {"django", *PACKAGES}
        and not target.startswith("intake.screening")
    }
    assert outside == set()
