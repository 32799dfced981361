"""Areas import downwards only.

The package is a stack of layers. A module may import from any layer below its own, never from
one above: otherwise two areas lean on each other, and neither can be read, tested or changed
alone. Within one layer, an import is allowed only where ALLOWED_SIDEWAYS declares it.

Every import counts: at module level, inside functions, relative ones. The one exception is
an import under ``if TYPE_CHECKING:``, which names a type for the checker and never runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "board"

# Bottom to top. An area is a module or a package directly under board/ ("__init__" is the
# package's own module: the app factory).
LAYERS: list[tuple[str, ...]] = [
    # Foundation: no area, no knowledge of the product's parts.
    (
        "config",
        "extensions",
        "rules",
        "ids",
        "ended",
        "logs",
        "security",
        "cookie",
        "assets",
        "compression",
    ),
    ("disclosure", "states", "text", "i18n", "db", "wording"),
    ("forms", "web", "errors", "backup", "migrate", "translate", "mail"),
    ("confirm",),  # one-time answers to "are you sure?"
    # The areas, each knowing only those below it.
    ("audit",),
    ("boards",),
    ("auth",),
    ("meetings",),  # meetings: the model, scheduling, the calendar
    ("feedback",),
    ("actions",),
    ("voting",),
    ("summaries",),
    ("wordings",),  # what children would read without a wording in their language
    ("moderation",),
    ("voice",),  # audio for children: synthesised, recorded
    ("participate",),
    ("room",),  # the meeting as it runs: control screen, room screen, door, close
    ("home", "admin", "api"),
    # What assembles everything.
    ("models",),
    ("demo",),
    ("cli",),
    ("__init__",),
]

# Imports between two areas of one layer that are allowed: (importer, imported).
ALLOWED_SIDEWAYS: set[tuple[str, str]] = set()

LEVEL = {area: index for index, layer in enumerate(LAYERS) for area in layer}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _area(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "board":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, package: str):
    """(line, module imported) for every import that runs, at any depth."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # `from board import ended` imports the module board.ended, not the package.
            for alias in node.names:
                candidate = f"{module}.{alias.name}"
                is_module = (PACKAGE.parent / Path(*candidate.split("."))).with_suffix(
                    ".py"
                ).exists() or (PACKAGE.parent / Path(*candidate.split("."))).is_dir()
                yield node.lineno, candidate if is_module else module
        stack.extend(ast.iter_child_nodes(node))


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        yield path, name, package


def upward_imports() -> list[str]:
    """Every import from a lower area to a higher one (or sideways, undeclared)."""
    found = []
    for path, name, package in _modules():
        area = _area(name)
        imports = set(_imports(ast.parse(path.read_text(), str(path)), package))
        for line, imported in sorted(imports):
            target = _area(imported)
            if target is None or target == area:
                continue
            if LEVEL[target] > LEVEL[area] or (
                LEVEL[target] == LEVEL[area] and (area, target) not in ALLOWED_SIDEWAYS
            ):
                relative = path.relative_to(PACKAGE.parent)
                found.append(f"{relative}:{line}: {area} imports {imported} ({target})")
    return found


def test_every_area_has_a_layer():
    areas = {_area(name) for _, name, _ in _modules()}
    assert areas - LEVEL.keys() == set(), "add these to LAYERS"


def test_layers_name_each_area_once():
    names = [area for layer in LAYERS for area in layer]
    assert len(names) == len(set(names))


def test_areas_import_downwards_only():
    found = upward_imports()
    assert not found, "imports that run upwards:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from board.voting import services\n", True),  # module level
        ("def f():\n    from board.voting.services import close_ballot\n", True),  # in a function
        ("def f():\n    from ..voting import services\n", True),  # relative
        ("import board.voting.box\n", True),
        ("from board import voting\n", True),
        ("from board.boards.models import Board\n", False),  # downwards
        ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import board.voting\n", False),
    ],
)
def test_an_upward_import_is_caught(source, expected):
    """The walker sees what it must: proved on a module of the meetings area."""
    imported = [m for _, m in _imports(ast.parse(source), "board.meetings")]
    upward = [m for m in imported if _area(m) and LEVEL[_area(m)] > LEVEL["meetings"]]
    assert bool(upward) is expected
