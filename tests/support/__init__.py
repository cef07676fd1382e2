"""What tests share besides fixtures: the keys every test server accepts, a live server and
how to start one, plain HTTP clients. The fixtures themselves live in the conftest.py files
(tests/conftest.py for every room, a room's own for that room); the modules of this package
hold the helpers of one subject each (``support.app_harness``, ``support.server_helpers``…).

Importable from every test folder: pytest puts ``tests/`` on ``sys.path`` (``pythonpath`` in
pyproject.toml), and scripts under ``tests/`` (``make_screenshots.py``, ``python -m
benchmarks``) have it there as their own folder.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tui.api import PostHogClient
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


# Tests speak plain HTTP to loopback only, yet every httpx client builds a fresh SSL
# context (~50 ms each with OpenSSL 3): the clients made here share this one (and
# tests/conftest.py makes httpx reuse its default one everywhere in a test run).
SHARED_SSL_CONTEXT = ssl.create_default_context()


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


def server_settings(db_path: Path, seed: SeedKind, **overrides: Any) -> ServerSettings:
    """A test server's settings: projects 1 and 2, the test keys; ``overrides`` change any
    of them (``keys``, ``projects``) or add others (``export_delay``, ``latency_ms``…)."""
    fields: dict[str, Any] = {"projects": (1, 2), "keys": TEST_KEYS} | overrides
    return ServerSettings(db_path=db_path, seed=seed, **fields)


def connect(server: LiveServer, key: str = ADMIN_KEY, project: int = 1) -> PostHogClient:
    """The client under test on ``server``, failing at once instead of retrying."""
    return PostHogClient(server.url, project, key, max_retries=0)


@contextmanager
def running_server(
    settings: ServerSettings, *, wait: bool = False, host: str = "127.0.0.1", port: int = 0
) -> Iterator[LiveServer]:
    """A local server on ``settings`` in a thread of this process, stopped on leaving.

    Not ``wait``-ing for its thread to end saves ~0.2 s a test; the thread ends on its own
    moments later."""
    background = start_in_thread(settings, host=host, port=port)
    try:
        yield LiveServer(url=background.url, db_path=settings.db_path, background=background)
    finally:
        background.stop(wait=wait)
