"""Fixtures shared by every test: a real local server on a free loopback port."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tui.server.runner import BackgroundServer, start_in_thread
from tui.server.settings import ApiKeySpec, ServerSettings

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


@dataclass
class LiveServer:
    """A running local server and what a test needs to talk to it."""

    url: str
    db_path: Path
    background: BackgroundServer

    def client(self, key: str | None = ADMIN_KEY, project: int = 1) -> httpx.Client:
        """A plain HTTP client on ``/api/projects/<project>/`` authenticated with ``key``."""
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(
            base_url=f"{self.url}/api/projects/{project}/", headers=headers, timeout=30
        )


def _start(tmp_path: Path, seed: str) -> Iterator[LiveServer]:
    db_path = tmp_path / "hogtree-test.sqlite3"
    settings = ServerSettings(db_path=db_path, projects=(1, 2), keys=TEST_KEYS, seed=seed)  # type: ignore[arg-type]
    background = start_in_thread(settings)
    try:
        yield LiveServer(url=background.url, db_path=db_path, background=background)
    finally:
        background.stop()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """An empty local server (projects 1 and 2, no entries) for this test alone."""
    yield from _start(tmp_path, "empty")


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[LiveServer]:
    """A local server whose project 1 holds the demo tree, for this test alone."""
    yield from _start(tmp_path, "demo")


@pytest.fixture
def api(live_server: LiveServer) -> Iterator[httpx.Client]:
    """An admin HTTP client on project 1 of an empty server."""
    with live_server.client() as client:
        yield client
