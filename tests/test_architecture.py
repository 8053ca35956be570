"""The shape of the package holds: one way down through the stages, and modules a reader can hold in mind.

The stage order is read from the import-linter contract in pyproject.toml (CI also runs ``lint-imports``); this
test walks every import statement itself, those inside functions and under ``if TYPE_CHECKING`` included, so a
lazy import that reaches up fails here with the line that does it.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[1]
PACKAGE = CHECKOUT / "symbackprop"
LONGEST_MODULE = 500


def stage_order() -> list[list[str]]:
    """The contract's layers, top first, each a list of module names (``a | b`` are side by side)."""
    config = tomllib.loads((CHECKOUT / "pyproject.toml").read_text(encoding="utf-8"))
    (contract,) = [c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers"]
    return [[name.strip() for name in layer.split("|")] for layer in contract["layers"]]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(CHECKOUT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> Iterator[tuple[int, str]]:
    """Every module of the package that ``name`` imports, anywhere in its text, with the line that does it."""
    path = MODULES[name]
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            anchor = here[: len(here) - node.level + 1] if node.level else []
            base = ".".join([*anchor, *([node.module] if node.module else [])])
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            if target.split(".")[0] == "symbackprop":
                yield node.lineno, target


def stage_of(name: str) -> int | None:
    """The index of the layer ``name`` belongs to (0 is the top), or None for the package's own __init__."""
    for index, layer in enumerate(stage_order()):
        if any(name == top or name.startswith(top + ".") for top in layer):
            return index
    return None


def test_every_module_belongs_to_a_stage():
    homeless = [name for name in MODULES if name != "symbackprop" and stage_of(name) is None]
    assert not homeless, f"modules outside every stage of the contract: {homeless}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_imports_only_its_own_stage_or_those_below(name):
    mine = stage_of(name)
    if mine is None:
        return  # the package's __init__ is the public face and may gather from any stage
    wrong = [
        f"line {line}: {target}"
        for line, target in imports(name)
        if (theirs := stage_of(target)) is not None and theirs < mine
    ]
    assert not wrong, f"{name} reaches up to a stage above it: {wrong}"


def test_the_stages_side_by_side_do_not_import_each_other():
    for layer in stage_order():
        for name in MODULES:
            own = next((top for top in layer if name == top or name.startswith(top + ".")), None)
            if own is None:
                continue
            across = [t for _, t in imports(name) for top in layer if top != own and t.startswith(top)]
            assert not across, f"{name} imports its sibling stage: {across}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_a_module_stays_under_500_lines(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines < LONGEST_MODULE, f"{name} has {lines} lines: split it by what it holds"


def test_the_check_itself_sees_a_lazy_import_that_reaches_up(tmp_path, monkeypatch):
    """The walk must find an import inside a function, or the tests above would pass vacuously."""
    fake = tmp_path / "network.py"
    fake.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .. import api\n"
        "def f():\n    from ..cli import main\n"
    )
    monkeypatch.setitem(MODULES, "symbackprop.model.network", fake)
    found = dict((target, line) for line, target in imports("symbackprop.model.network"))
    assert found.get("symbackprop.cli.main") == 5 and found.get("symbackprop.api") == 3
    with pytest.raises(AssertionError, match="reaches up"):
        test_a_module_imports_only_its_own_stage_or_those_below("symbackprop.model.network")


def module_imports(name: str) -> set[str]:
    """The modules of the package ``name`` imports (a name imported from a package counts as that package, or as
    its submodule when it is one)."""
    found = set()
    for _, target in imports(name):
        while target and target not in MODULES:
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)
    return found


def test_no_import_circle_anywhere_in_the_package():
    """Within a stage too: modules import one another in one direction (a package's __init__ only gathers)."""
    graph = {name: module_imports(name) for name in MODULES}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(graph[name]):
            if target == "symbackprop" or (MODULES[target].name == "__init__.py" and name.startswith(target + ".")):
                continue  # the root's re-exports, and a package's own __init__ gathering its modules
            if state.get(target) == 1:
                raise AssertionError("import circle: " + " -> ".join([*path, name, target]))
            if target not in state:
                visit(target, [*path, name])
        state[name] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_class_is_over_300_lines(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    long = [
        f"{node.name}: {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.end_lineno - node.lineno + 1 > 300
    ]
    assert not long, f"{name}: {long}"


def test_the_circle_check_itself_finds_a_circle(tmp_path, monkeypatch):
    for name, other in (("spec", "symbols"), ("symbols", "spec")):
        fake = tmp_path / f"{name}.py"
        fake.write_text(f"def f():\n    from .{other} import x\n")
        monkeypatch.setitem(MODULES, f"symbackprop.model.{name}", fake)
    with pytest.raises(AssertionError, match=r"import circle: .*model\.(spec|symbols) -> symbackprop\.model"):
        test_no_import_circle_anywhere_in_the_package()
