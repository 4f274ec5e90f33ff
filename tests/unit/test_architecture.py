"""The core is pure: it never imports Flask, never prints and never parses arguments (the
``commands`` package does); nothing above the store interface imports pyoxigraph (the
remote backend must be able to replace it)."""

import ast
from pathlib import Path

API = Path(__file__).resolve().parents[2] / "api"
#: the embedded backend: its store, its answers, the build, and the write process's mirror
PYOXIGRAPH_ALLOWED = {
    "core/oxigraph_store.py",
    "core/oxigraph_answers.py",
    "core/build.py",
    "core/write_cache.py",
}


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


#: The modules that turn the graph into pages, lowest first: each imports only those before it
#: (pages -> negotiation rules -> labels -> description graph and IRIs), never one after it.
PAGE_LAYERS = ("iris", "describe", "labels", "negotiation", "pages", "negotiation_pages")


def core_imports(path: Path) -> set[str]:
    """The ``core`` modules ``path`` imports (relative imports, at any depth of the file)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(a.name for a in node.names)
    return names


def test_page_modules_depend_one_way():
    offenders = []
    for i, name in enumerate(PAGE_LAYERS):
        above = set(PAGE_LAYERS[i + 1 :]) & core_imports(API / "core" / f"{name}.py")
        offenders += [f"core/{name}.py imports core/{m}.py" for m in sorted(above)]
    assert offenders == []


def test_only_settings_read_the_environment():
    """``core/config.py`` is the one reader of the environment (docs/api.md, "Settings")."""
    offenders = []
    for p in sorted(API.rglob("*.py")):
        if p.relative_to(API).as_posix() == "core/config.py":
            continue
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in ("environ", "getenv")
                and getattr(node.value, "id", None) == "os"
            ):
                offenders.append(f"{p.relative_to(API)}:{node.lineno}")
    assert offenders == []


def test_every_setting_of_the_environment_is_documented():
    from enlargement_kg.core.config import ENVIRONMENT

    api_md = (API.parent / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [name for name in ENVIRONMENT if f"| `{name}` |" not in api_md]
    assert missing == []


def test_every_package_of_the_code_is_installed():
    """A wheel built from pyproject.toml carries every package under api/ (a package missing
    from the list works in an editable checkout and breaks every installed copy)."""
    import tomllib

    listed = set(
        tomllib.loads((API.parent / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
            "setuptools"
        ]["packages"]
    )
    found = {
        ".".join(("enlargement_kg", *p.parent.relative_to(API).parts))
        for p in API.rglob("__init__.py")
    }
    assert found - listed == set()
