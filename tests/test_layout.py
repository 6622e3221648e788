"""The package's layout shows the data flow: each stage imports only the stages before it, and
no module imports itself back through others (imports inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"

STAGES = (
    ("errors", "files"),
    ("model",),
    ("inputs",),
    ("checks",),
    ("documents",),
    ("authoring",),
    ("pdf",),
    ("reports",),
    ("batch",),
    ("cli", "__main__"),
)
"""The stages in data-flow order (pipeline/__init__.py says what each holds); a stage may import
the ones before it. Within the first row, `files` may import `errors`."""

MAX_LINES = 450


def _rank(module: str) -> int:
    """The stage of `pipeline.x.y`, by its first part under `pipeline` (the package itself: 0)."""
    parts = module.split(".")
    if len(parts) == 1:
        return 0
    for rank, names in enumerate(STAGES):
        if parts[1] in names:
            return rank
    raise AssertionError(f"{module}: not in any stage of STAGES; add its package there")


def _module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(relative.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """The pipeline modules `path` imports, wherever the import statement stands."""
    found: set[str] = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path.parent)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("pipeline")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            if not base.startswith("pipeline"):
                continue
            for alias in node.names:  # `from pipeline.pdf import office` names a module
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _exists(candidate) else base)
    return found


def _exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path) if m in modules} for name, path in modules.items()}


def test_every_stage_imports_only_the_stages_before_it() -> None:
    upward = [
        f"{module} (stage {_rank(module)}) imports {target} (stage {_rank(target)})"
        for module, targets in sorted(_graph().items())
        for target in sorted(targets)
        if _rank(target) > _rank(module)
        or (_rank(module) == 0 and module.endswith("errors") and target.endswith("files"))
    ]
    assert upward == []


def test_no_module_imports_itself_back() -> None:
    graph = _graph()
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            # A package's __init__ naming its own modules is how a package is made, not a loop.
            if module == target or target.startswith(module + "."):
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert cycles == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    """The walk itself: an import of a later stage, even inside a function, is seen."""
    module = tmp_path / "pipeline" / "inputs" / "late.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from pipeline.batch.build import build\n    return build\n")
    global PACKAGE
    saved, PACKAGE = PACKAGE, tmp_path / "pipeline"
    try:
        assert _imports(module) == {"pipeline.batch.build"}
        assert _rank("pipeline.batch.build") > _rank(_module_name(module))
    finally:
        PACKAGE = saved


@pytest.mark.parametrize(
    "path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE))
)
def test_modules_are_small_enough_to_read_in_one_sitting(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines; split it by what it holds"


def test_every_package_says_what_it_holds_and_may_import() -> None:
    for init in PACKAGE.rglob("__init__.py"):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init} has no docstring"
        if init.parent.parent == PACKAGE:
            assert "Imports" in doc, f"{init}: say which stages it may import"
