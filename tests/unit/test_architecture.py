"""The core is pure: it never imports Flask, never prints and never parses arguments (the
``commands`` package does); nothing above the store interface imports pyoxigraph (the
remote backend must be able to replace it)."""

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
PYOXIGRAPH_ALLOWED = {"core/oxigraph_store.py", "core/build.py"}


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_flask():
    offenders = [p.name for p in (API / "core").rglob("*.py") if "flask" in imports(p)]
    assert offenders == []


def test_only_the_embedded_backend_imports_pyoxigraph():
    offenders = [
        str(p.relative_to(API))
        for p in API.rglob("*.py")
        if "pyoxigraph" in imports(p) and str(p.relative_to(API)) not in PYOXIGRAPH_ALLOWED
    ]
    assert offenders == []


def test_core_never_prints_or_parses_arguments():
    """Only ``commands/`` talks to a terminal: core/ returns values and raises."""
    offenders = []
    for p in sorted((API / "core").rglob("*.py")):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        if "argparse" in imports(p):
            offenders.append(f"{p.name}: imports argparse")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print":
                offenders.append(f"{p.name}:{node.lineno}: print()")
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("stdout", "stderr", "argv")
                and getattr(node.value, "id", None) == "sys"
            ):
                offenders.append(f"{p.name}:{node.lineno}: sys.{node.attr}")
            if isinstance(node, ast.FunctionDef) and node.name == "register_cli":
                offenders.append(f"{p.name}: register_cli")
    assert offenders == []


def test_every_command_module_registers_its_commands():
    from enlargement_kg import commands

    files = {p.stem for p in (API / "commands").glob("*.py")} - {"__init__"}
    assert files == set(commands.MODULES)
