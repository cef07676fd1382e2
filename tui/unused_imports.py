"""Imports that libraries hogtree depends on make for features hogtree never uses, turned
off in hogtree's own process: each would cost every start of the app (B5, the cold start).

A ``None`` in ``sys.modules`` makes ``import name`` raise ImportError at once; both
libraries below expect that (the import is optional for them) and carry on without it.
Only the ``hogtree`` command turns them off (tui/cli.py), never a program that imports
hogtree's modules, which may want these itself.
"""

from __future__ import annotations

import sys

UNUSED: dict[str, str] = {
    # httpx's package imports its own command-line client when it can: click, Pygments,
    # Rich's progress bars and syntax highlighting, ~50 ms for a command hogtree never runs
    # (httpx then defines a `main` that says the CLI's extras are missing).
    "httpx._main": "httpx's command-line client",
    # httpcore imports trio, when it is installed, only to tell whether it runs under trio
    # (~100 ms, most of the cost of making the app's HTTP client). hogtree runs on asyncio
    # alone, for which httpcore uses anyio.
    "trio": "the trio event loop",
}


def turn_off_unused_imports() -> None:
    """Make the imports of :data:`UNUSED` fail fast, unless already made."""
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
