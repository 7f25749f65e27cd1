"""The code keeps its shape: small classes and modules, and no import circle.

No class is over about 400 lines and no hand-written module over about 600.
`pytest tests/unit/test_code_layout.py -s` prints the figures: files per folder, the largest
classes and modules, and the import circles (none).
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

import grimp

SRC = Path(__file__).resolve().parents[2] / "src" / "toteflow"
# "About" 400 and 600: a class or module a little over is split when it next grows.
MAX_CLASS_LINES = 420
MAX_MODULE_LINES = 640


def _hand_written() -> list[Path]:
    # Alembic revisions are generated and read as one unit: they are left out.
    return [p for p in sorted(SRC.rglob("*.py")) if "versions" not in p.relative_to(SRC).parts]


def _classes(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = path.relative_to(SRC)
    return [
        (node.end_lineno - node.lineno + 1, f"{name}:{node.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.ClassDef) and node.end_lineno is not None
    ]


def _modules() -> list[tuple[int, str]]:
    sizes = []
    for path in _hand_written():
        lines = path.read_text(encoding="utf-8").count("\n")
        sizes.append((lines, str(path.relative_to(SRC))))
    return sizes


def _circles() -> list[list[str]]:
    """Strongly connected groups of modules (Tarjan), imports under TYPE_CHECKING left out."""
    graph = grimp.build_graph("toteflow", exclude_type_checking_imports=True)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in graph.modules:
                continue
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == module:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_class_is_over_about_400_lines() -> None:
    classes = sorted((c for p in _hand_written() for c in _classes(p)), reverse=True)
    print("\nlargest classes:", *(f"  {n:5d} {name}" for n, name in classes[:5]), sep="\n")
    assert [c for c in classes if c[0] > MAX_CLASS_LINES] == []


def test_no_module_is_over_about_600_lines() -> None:
    modules = sorted(_modules(), reverse=True)
    folders = Counter(str(Path(name).parent) for _n, name in modules)
    print("\nfiles per folder:", *(f"  {n:3d} {f}" for f, n in sorted(folders.items())), sep="\n")
    print("largest modules:", *(f"  {n:5d} {name}" for n, name in modules[:5]), sep="\n")
    assert [m for m in modules if m[0] > MAX_MODULE_LINES] == []


def test_no_import_circle() -> None:
    circles = _circles()
    print(f"\nimport circles: {len(circles)}")
    assert circles == []
