"""Fixtures shared by every room: a real local server on a free loopback port, and the
event loop the async tests run on.

The rooms: server/ (the local server over HTTP), api/ (the async client), app/ (Pilot and
snapshot tests), scripting/ (the shell commands), crosscutting/ (path and config rules,
secrets, lint), benchmarks/ (the B1-B8 scenarios and their smoke tests). What tests share
besides fixtures is the package support/.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import LiveServer, running_server, server_settings

from tui.server.app import prepare_database


# Tests speak plain HTTP to loopback only, yet every httpx client (and every module-level
# httpx.get) builds a fresh SSL context: ~50 ms each with OpenSSL 3, minutes over the
# suite. Building the default one once and reusing it changes nothing else. Done here, for
# test runs only: scripts that import ``support`` (the benchmarks) keep httpx as it is.
def _reuse_default_ssl_context() -> None:
    import httpx._transports.default as transports

    build = getattr(transports, "create_ssl_context", None)
    if build is None:  # a newer httpx: leave it alone, tests are only slower
        return
    default = build()

    def cached(verify: object = True, cert: object = None, trust_env: bool = True) -> object:
        if verify is True and cert is None and trust_env:
            return default
        return build(verify=verify, cert=cert, trust_env=trust_env)

    transports.create_ssl_context = cached


_reuse_default_ssl_context()


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (``pytest.mark.anyio``) run on asyncio, the loop Textual runs on."""
    return "asyncio"


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project seeded once per run; each test gets its own copy of the file."""
    template = tmp_path_factory.mktemp("demo") / "demo-template.sqlite3"
    db, _ = prepare_database(server_settings(template, "demo"))
    db.close()  # the last connection to close folds the WAL into the file
    return template


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """An empty local server (projects 1 and 2, no entries) for this test alone."""
    with running_server(server_settings(tmp_path / "hogtree-test.sqlite3", "empty")) as server:
        yield server


@pytest.fixture
def demo_server(tmp_path: Path, demo_database: Path) -> Iterator[LiveServer]:
    """A local server whose project 1 holds the demo project, for this test alone."""
    db_path = tmp_path / "hogtree-demo.sqlite3"
    shutil.copyfile(demo_database, db_path)
    with running_server(server_settings(db_path, "demo")) as server:
        yield server


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    """A download folder of its own: the test server's database lives in tmp_path."""
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An admin HTTP client on project 1 of an empty server."""
    with live_server.client() as client:
        yield client


@pytest.fixture
def api_demo(demo_server: LiveServer) -> Iterator[httpx.Client]:
    """An admin HTTP client on project 1 of a demo server."""
    with demo_server.client() as client:
        yield client
