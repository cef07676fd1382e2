"""What the ``hogtree`` command (and the local server it starts) turns off in its own
process to start faster (B5, the cold start), before it imports anything heavy. Only those
processes do this (tui/cli.py, tui/server/process.py), never a program that imports
hogtree's modules (the tests, a script), which may want these itself.

- Imports that libraries hogtree depends on make for features hogtree never uses: a
  ``None`` in ``sys.modules`` makes ``import name`` raise ImportError at once, which the
  libraries below expect (the import is optional for them); they carry on without it.
- Building every pydantic model's validator when its module is imported: the client's
  modules name every body of the API (~60 models, ~100 ms), and the first screen reads one
  listing. Deferred, a model is built the first time it validates.
"""

from __future__ import annotations

import sys

UNUSED_IMPORTS: dict[str, str] = {
    # httpx's package imports its own command-line client when it can: click, Pygments,
    # Rich's progress bars and syntax highlighting, ~50 ms for a command hogtree never runs
    # (httpx then defines a `main` that says the CLI's extras are missing).
    "httpx._main": "httpx's command-line client",
    # httpcore imports trio, when it is installed, only to tell whether it runs under trio
    # (~100 ms, most of the cost of making the app's HTTP client). hogtree runs on asyncio
    # alone, for which httpcore uses anyio.
    "trio": "the trio event loop",
}

UNUSED_SERVER_IMPORTS: dict[str, str] = {
    # FastAPI asks of every route's model whether it is a pydantic v1 model, importing
    # pydantic's v1 compatibility package to know (~30 ms of the server's start); with the
    # import failing it takes the answer to be no, which it is: the server's models are v2.
    "pydantic.v1": "pydantic's v1 compatibility package",
}

# Read once, when tui.models defines its base model. Off unless the command turned it on:
# the local server (FastAPI) builds its routes' validators from the models and wants them
# built (a deferred model there rebuilds a query model without its parameter's settings),
# and the tests run the server and the app in one process.
DEFER_MODEL_BUILDS = False
MODELS_MODULE = "tui.models.file_system"


def start_lean() -> None:
    """Turn off :data:`UNUSED_IMPORTS` (unless already imported) and, when no model is
    defined yet, defer their builds. Call first thing in a command's process."""
    global DEFER_MODEL_BUILDS
    for name in UNUSED_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
    if MODELS_MODULE not in sys.modules:
        DEFER_MODEL_BUILDS = True


def start_lean_server() -> None:
    """Turn off :data:`UNUSED_SERVER_IMPORTS` (unless already imported). Call first thing
    in a process that serves (the local demo's server, ``hogtree serve``)."""
    for name in UNUSED_SERVER_IMPORTS:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
