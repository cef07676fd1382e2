"""``--latency-ms``: every response waits, and waiting requests overlap (a far server, not a
stalled one)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from support import ADMIN_KEY, SHARED_SSL_CONTEXT, LiveServer, running_server, server_settings
from support.serve_process import serving

from tui.cli import main

LATENCY_MS = 250
# Requests sent at once: served one after another they would take CONCURRENT * latency.
CONCURRENT = 4


@pytest.fixture
def far_server(tmp_path: Path) -> Iterator[LiveServer]:
    db_path = tmp_path / "far.sqlite3"
    with running_server(server_settings(db_path, "empty", latency_ms=LATENCY_MS)) as server:
        yield server


def test_every_response_waits_the_latency(far_server: LiveServer) -> None:
    with far_server.client() as client:
        client.get("file_system/")  # the connection is open: what follows is latency alone
        for path in ("file_system/", "file_system/?depth=1", "not-a-route/"):
            start = time.perf_counter()
            status = client.get(path).status_code
            assert time.perf_counter() - start >= LATENCY_MS / 1000, (path, status)


def test_waiting_requests_overlap(far_server: LiveServer) -> None:
    async def all_at_once() -> float:
        async with httpx.AsyncClient(
            base_url=f"{far_server.url}/api/projects/1/",
            headers={"Authorization": f"Bearer {ADMIN_KEY}"},
            verify=SHARED_SSL_CONTEXT,
        ) as client:
            # The server's first answer (routes warming up) is not what is measured here.
            await client.get("file_system/")
            start = time.perf_counter()
            responses = await asyncio.gather(
                *(client.get("file_system/") for _ in range(CONCURRENT))
            )
            elapsed = time.perf_counter() - start
        assert all(r.status_code == 200 for r in responses)
        return elapsed

    elapsed = asyncio.run(all_at_once())
    assert LATENCY_MS / 1000 <= elapsed < (CONCURRENT - 1) * LATENCY_MS / 1000


def test_serve_flag_adds_the_latency(tmp_path: Path) -> None:
    args = ["--db", str(tmp_path / "d.sqlite3"), "--api-key", "phx_x", "--latency-ms", "300"]
    with serving(*args) as (url, _), httpx.Client(base_url=url) as client:
        client.get("/_health")
        start = time.perf_counter()
        assert client.get("/_health").status_code == 200
        assert time.perf_counter() - start >= 0.3


def test_negative_latency_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--db", str(tmp_path / "d.sqlite3"), "--latency-ms", "-5"])
    assert exit_info.value.code == 2
    assert "--latency-ms cannot be negative" in capsys.readouterr().err
