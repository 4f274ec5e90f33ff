"""SPARQL Update and the Graph Store Protocol: off unless the service runs with writes on."""

from __future__ import annotations

from flask import Blueprint, abort

from ..core.store import Dataset
from .state import state

bp = Blueprint("writes", __name__)


def update(text: str, dataset: Dataset):
    if not state().settings.writable:
        abort(403, "this endpoint is read-only: updates are refused (start the service with "
                   "--writable and a token to accept them)")
    abort(501, "updates are not implemented yet")
