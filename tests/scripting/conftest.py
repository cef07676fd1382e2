"""The scripting room's fixtures: one server, one shell environment and one HTTP client for
a whole module (a process start per command is the expensive part; each test works in a
top-level folder of its own)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support import LiveServer, running_server, server_settings
from support.scripting_helpers import environment


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """An empty server, like ``live_server``, kept for the whole module."""
    db_path = tmp_path_factory.mktemp("scripting") / "scripting.sqlite3"
    with running_server(server_settings(db_path, "empty")) as running:
        yield running


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment the commands run in: the admin key, no config file of the user's."""
    return environment(tmp_path_factory.mktemp("env"))


@pytest.fixture(scope="module")
def http(server: LiveServer) -> Iterator[httpx.Client]:
    """An admin HTTP client on the module's server, to check what a command left."""
    with server.client() as client:
        yield client
