"""The core is pure: it never imports Flask; nothing above the store interface imports
pyoxigraph (the remote backend must be able to replace it)."""

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
