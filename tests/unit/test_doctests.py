"""The examples in the code's docstrings run, and say what they do (``>>>`` lines)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

API = Path(__file__).resolve().parents[2] / "api"
MODULES = sorted(
    "enlargement_kg." + ".".join(p.relative_to(API).with_suffix("").parts)
    for p in API.rglob("*.py")
    if p.name != "__init__.py" and ">>>" in p.read_text(encoding="utf-8")
)


def test_there_are_doctests():
    assert len(MODULES) >= 5


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0, result
