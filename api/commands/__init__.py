"""The ``enlargement-kg`` command line, one module per group of commands.

Each module has ``register(sub)``, adding its subcommands to the top-level argparse
subparsers; a command's function takes the parsed arguments and returns the exit code, or
raises :class:`CLIError`. Only this package prints and parses arguments: ``core/`` returns
values and raises exceptions.

Exit codes: 0 success; 1 the data or the request is wrong (a violation, a bad query, a bad
row), with the reason on stderr; 2 unreadable input or bad usage.
"""

from __future__ import annotations

from importlib import import_module

#: the command modules, in the order ``--help`` lists their commands
MODULES = ("graph", "serve", "importing", "publish", "push", "coverage", "maintain")


class CLIError(Exception):
    """A command failed for a reason the user can act on: printed, never a traceback."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def register_all(sub) -> None:
    for name in MODULES:
        import_module(f"{__name__}.{name}").register(sub)
