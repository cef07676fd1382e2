"""Fixtures shared by every test: a real local server on a free loopback port."""

from __future__ import annotations

import shutil
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.server.app import prepare_database
from tui.server.runner import BackgroundServer, start_in_thread
from tui.server.settings import ApiKeySpec, SeedKind, ServerSettings

# Keys every test server accepts. Each acts as its own user.
ADMIN_KEY = "phx_test_admin_key_0000000000000000"
READ_KEY = "phx_test_read_only_000000000000000"
P1_KEY = "phx_test_project_one_00000000000000"
OTHER_USER_KEY = "phx_test_other_user_0000000000000"

TEST_KEYS = (
    ApiKeySpec.parse(ADMIN_KEY),
    ApiKeySpec.parse(f"{READ_KEY}=file_system:read"),
    ApiKeySpec.parse(f"{P1_KEY}=*@1"),
    ApiKeySpec.parse(OTHER_USER_KEY),
)


# Tests speak plain HTTP to loopback only, yet every httpx client (and every module-level
# httpx.get) builds a fresh SSL context: ~50 ms each with OpenSSL 3, minutes over the
# suite. Building the default one once and reusing it changes nothing else.
SHARED_SSL_CONTEXT = ssl.create_default_context()


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


def http_client(base_url: str, key: str | None = None, **kwargs: object) -> httpx.Client:
    """A plain HTTP client, authenticated with ``key`` when given."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(
        base_url=base_url,
        headers=headers,
        timeout=30,
        verify=SHARED_SSL_CONTEXT,
        **kwargs,  # type: ignore[arg-type]
    )


@dataclass
class LiveServer:
    """A running local server and what a test needs to talk to it."""

    url: str
    db_path: Path
    background: BackgroundServer

    def client(self, key: str | None = ADMIN_KEY, project: int = 1) -> httpx.Client:
        """A plain HTTP client on ``/api/projects/<project>/`` authenticated with ``key``."""
        return http_client(f"{self.url}/api/projects/{project}/", key)


def test_settings(db_path: Path, seed: SeedKind, **overrides: Any) -> ServerSettings:
    return ServerSettings(db_path=db_path, projects=(1, 2), keys=TEST_KEYS, seed=seed, **overrides)


def _start(db_path: Path, seed: SeedKind) -> Iterator[LiveServer]:
    background = start_in_thread(test_settings(db_path, seed))
    try:
        yield LiveServer(url=background.url, db_path=db_path, background=background)
    finally:
        # Not waiting saves ~0.2 s a test; the thread ends on its own moments later.
        background.stop(wait=False)


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo project seeded once per run; each test gets its own copy of the file."""
    template = tmp_path_factory.mktemp("demo") / "demo-template.sqlite3"
    db, _ = prepare_database(test_settings(template, "demo"))
    db.close()  # the last connection to close folds the WAL into the file
    return template


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """An empty local server (projects 1 and 2, no entries) for this test alone."""
    yield from _start(tmp_path / "hogtree-test.sqlite3", "empty")


@pytest.fixture
def demo_server(tmp_path: Path, demo_database: Path) -> Iterator[LiveServer]:
    """A local server whose project 1 holds the demo project, for this test alone."""
    db_path = tmp_path / "hogtree-demo.sqlite3"
    shutil.copyfile(demo_database, db_path)
    yield from _start(db_path, "demo")


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
