"""The local demo's server runs in a process of its own: it serves, keeps the key off its
command line, says why when it cannot start, and is gone once the app closes it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from tui.backend import LocalBackend
from tui.server.process import ServerProcess


def test_the_local_server_serves_the_demo_then_stops(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "demo.sqlite3")
    backend.start()
    server = backend._server
    assert server is not None
    try:

        async def top_level() -> list[str]:
            client = backend.connect()
            try:
                return [e.path for e in (await client.list_folder("")).results]
            finally:
                await client.aclose()

        assert "Marketing" in asyncio.run(top_level())
        # The key went down stdin: `ps` shows nothing secret.
        cmdline = Path(f"/proc/{server.process.pid}/cmdline").read_bytes()
        assert b"phx_" not in cmdline and b"tui.server.process" in cmdline
    finally:
        backend.close()
    assert server.process.poll() is not None  # ended, not left behind
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url + "/_health", timeout=2)


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    not_a_database = tmp_path / "a folder"
    not_a_database.mkdir()
    server = ServerProcess(not_a_database, "phx_test_key_00000000000000000000")
    with pytest.raises(RuntimeError, match=r"the local server did not start: .*database"):
        server.wait_ready(timeout=30)
    assert server.process.poll() is not None
