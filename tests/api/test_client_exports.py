"""``client.exports`` and ``client.insights`` against a real local server, and the content
download's faults (hostile names, storage redirects, older servers' statuses) through
``httpx.MockTransport``, which is for what a real server cannot be made to do.

Downloads are checked against the server's own bytes, read with a plain HTTP call.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from openpyxl import load_workbook
from PIL import Image
from support import ADMIN_KEY, LiveServer, connect, running_server, server_settings
from support.insight_helpers import create_dashboard, create_insight, seed_signups, trends_query
from support.sample_bodies import ASSET, CSV_BODY

from tui.api import ApiError, NotFoundError, PostHogClient
from tui.api.exports import ExportFailedError, ExportTimeoutError
from tui.api.filenames import MAX_NAME_BYTES
from tui.models.exports import ExportedAsset, ExportFormat
from tui.models.insights import Dashboard, Insight
from tui.server.exporting.charts import INSIGHT_SIZE

pytestmark = pytest.mark.anyio


def server_bytes(server: LiveServer, asset: ExportedAsset) -> bytes:
    """The content as the server serves it, without the client under test."""
    with server.client() as http:
        response = http.get(f"exports/{asset.id}/content/")
        response.raise_for_status()
        return response.content


def files_in(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


@pytest.fixture
def insight_id(live_server: LiveServer) -> int:
    seed_signups(live_server.db_path)
    insight, _ = create_insight(
        live_server.db_path, "Weekly signups", trends_query(("signed_up", "total"))
    )
    return insight


def start_server(tmp_path: Path, delay: float) -> Iterator[LiveServer]:
    db_path = tmp_path / "slow.sqlite3"
    settings = server_settings(db_path, "empty", projects=(1,), export_delay=delay)
    with running_server(settings, wait=True) as server:
        yield server


@pytest.fixture
def slow_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Exports are made in the background 0.5 s after the POST (older PostHog)."""
    yield from start_server(tmp_path, 0.5)


@pytest.fixture
def stuck_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Exports take a minute: long enough for any test to give up first."""
    yield from start_server(tmp_path, 60)


# -- create, wait, download against the real server ---------------------------------------


@pytest.mark.parametrize("export_format", [ExportFormat.CSV, ExportFormat.XLSX])
async def test_tables_download_with_the_servers_bytes(
    live_server: LiveServer, insight_id: int, tmp_path: Path, export_format: ExportFormat
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    async with connect(live_server) as client:
        asset = await client.exports.create(export_format, insight=insight_id)
        ready = await client.exports.wait(asset, timeout=10)
        path = await client.exports.download(ready, folder)
    assert asset.has_content  # this server generates while the POST waits
    assert path == folder / asset.filename
    assert files_in(folder) == [asset.filename]
    assert path.read_bytes() == server_bytes(live_server, asset)
    if export_format is ExportFormat.CSV:
        assert path.read_text().splitlines()[0] == "date,signed_up"
    else:
        sheet = load_workbook(path, read_only=True).worksheets[0]
        assert next(sheet.iter_rows(values_only=True)) == ("date", "signed_up")


async def test_png_and_pdf_download(
    live_server: LiveServer, insight_id: int, downloads: Path
) -> None:
    dashboard_id = create_dashboard(live_server.db_path, "Board", [insight_id])
    async with connect(live_server) as client:
        png = await client.exports.create(ExportFormat.PNG, insight=insight_id)
        pdf = await client.exports.create("application/pdf", dashboard=dashboard_id)
        png_path = await client.exports.download(
            await client.exports.wait(png, timeout=10), downloads
        )
        pdf_path = await client.exports.download(
            await client.exports.wait(pdf, timeout=10), downloads
        )
    assert Image.open(png_path).size == INSIGHT_SIZE
    assert png_path.suffix == ".png" and pdf_path.suffix == ".pdf"
    assert pdf_path.read_bytes().startswith(b"%PDF")
    assert pdf_path.read_bytes() == server_bytes(live_server, pdf)


async def test_events_context_download(live_server: LiveServer, downloads: Path) -> None:
    seed_signups(live_server.db_path)
    context = {
        "path": "/api/projects/1/events?event=signed_up",
        "columns": ["event", "distinct_id"],
        "filename": "Sign-ups",
    }
    async with connect(live_server) as client:
        asset = await client.exports.create("text/csv", export_context=context)
        path = await client.exports.download(asset, downloads)
    assert path.name == "sign-ups.csv"
    lines = path.read_text().splitlines()
    assert lines[0] == "event,distinct_id"
    assert len(lines) == 1 + 11  # project 1's signups: the week's ten and an old one


async def test_downloading_twice_keeps_both_files(
    live_server: LiveServer, insight_id: int, downloads: Path
) -> None:
    async with connect(live_server) as client:
        asset = await client.exports.create("text/csv", insight=insight_id)
        first = await client.exports.download(asset, downloads)
        second = await client.exports.download(asset, downloads)
    assert first.name == asset.filename
    assert second.name == asset.filename.replace(".csv", " (1).csv")
    assert first.read_bytes() == second.read_bytes()
    assert files_in(downloads) == sorted([first.name, second.name])  # no temporary files left


async def test_get_and_list(live_server: LiveServer, insight_id: int) -> None:
    async with connect(live_server) as client:
        first = await client.exports.create("text/csv", insight=insight_id)
        second = await client.exports.create("image/png", insight=insight_id)
        page = await client.exports.list()
        again = await client.exports.get(first.id)
    assert [a.id for a in page.results] == [second.id, first.id]
    assert page.count == 2
    assert again == first
    assert again.format is ExportFormat.CSV and again.extension == "csv"


async def test_validation_errors_come_back_as_posthog_said_them(
    live_server: LiveServer, insight_id: int
) -> None:
    async with connect(live_server) as client:
        with pytest.raises(ApiError) as caught:
            await client.exports.create("image/jpeg", insight=insight_id)
    assert caught.value.status == 400
    assert caught.value.code == "invalid_choice"
    assert caught.value.attr == "export_format"
    assert caught.value.detail == '"image/jpeg" is not a valid choice.'


# -- the polling server -------------------------------------------------------------------


async def test_wait_polls_until_the_content_is_ready(
    slow_server: LiveServer, downloads: Path
) -> None:
    seed_signups(slow_server.db_path)
    insight, _ = create_insight(slow_server.db_path, "Signups", trends_query(("signed_up", "dau")))
    heard: list[tuple[float, bool]] = []
    async with connect(slow_server) as client:
        asset = await client.exports.create("text/csv", insight=insight)
        assert asset.has_content is False
        ready = await client.exports.wait(
            asset,
            timeout=10,
            poll_interval=0.1,
            on_progress=lambda elapsed, current: heard.append((elapsed, current.has_content)),
        )
        path = await client.exports.download(ready, downloads)
    assert ready.has_content is True
    assert len(heard) >= 2  # it really polled
    assert all(not has_content for _, has_content in heard)
    assert [elapsed for elapsed, _ in heard] == sorted(elapsed for elapsed, _ in heard)
    assert path.read_bytes() == server_bytes(slow_server, ready)


async def test_download_before_ready_waits_through_404s(
    slow_server: LiveServer, downloads: Path
) -> None:
    insight, _ = create_insight(slow_server.db_path, "Signups", trends_query(("e", "total")))
    async with connect(slow_server) as client:
        asset = await client.exports.create("text/csv", insight=insight)
        with httpx.Client(base_url=f"{slow_server.url}/api/projects/1/") as http:
            not_ready = http.get(
                f"exports/{asset.id}/content/", headers={"Authorization": f"Bearer {ADMIN_KEY}"}
            )
        assert not_ready.status_code == 404
        path = await client.exports.download(asset, downloads)  # no wait() first
    assert path.read_text().startswith("date,e")


async def test_wait_is_cancellable(stuck_server: LiveServer) -> None:
    insight, _ = create_insight(stuck_server.db_path, "I", trends_query(("e", "total")))
    async with connect(stuck_server) as client:
        asset = await client.exports.create("text/csv", insight=insight)
        started = time.monotonic()
        with anyio.move_on_after(0.3) as scope:
            await client.exports.wait(asset, timeout=120, poll_interval=0.05)
        assert scope.cancelled_caught
        assert time.monotonic() - started < 2
        # The client is still usable after a cancelled wait.
        assert (await client.exports.get(asset.id)).has_content is False


async def test_wait_gives_up_after_its_timeout(stuck_server: LiveServer) -> None:
    insight, _ = create_insight(stuck_server.db_path, "I", trends_query(("e", "total")))
    async with connect(stuck_server) as client:
        asset = await client.exports.create("text/csv", insight=insight)
        started = time.monotonic()
        with pytest.raises(ExportTimeoutError) as caught:
            await client.exports.wait(asset, timeout=0.4, poll_interval=0.1)
    assert time.monotonic() - started < 2
    assert f"Export {asset.id} was not ready after 0.4 s" in str(caught.value)


# -- failed exports -----------------------------------------------------------------------


async def test_failed_export_surfaces_its_exception(
    live_server: LiveServer, insight_id: int, downloads: Path
) -> None:
    async with connect(live_server) as client:
        asset = await client.exports.create("video/mp4", insight=insight_id)
        assert asset.exception and "not supported by the local server" in asset.exception
        with pytest.raises(ExportFailedError) as waited:
            await client.exports.wait(asset, timeout=5)
        with pytest.raises(ExportFailedError) as downloaded:
            await client.exports.download(asset, downloads)
    for error in (waited.value, downloaded.value):
        assert error.detail == asset.exception
        assert asset.exception in str(error)
    assert files_in(downloads) == []


async def test_failure_found_while_polling(slow_server: LiveServer) -> None:
    insight, _ = create_insight(slow_server.db_path, "I", trends_query(("e", "total")))
    async with connect(slow_server) as client:
        asset = await client.exports.create("image/gif", insight=insight)
        assert asset.exception is None
        with pytest.raises(ExportFailedError, match="not supported by the local server"):
            await client.exports.wait(asset, timeout=10, poll_interval=0.1)


# -- insights -----------------------------------------------------------------------------


async def test_insight_by_short_id_then_export(demo_server: LiveServer, downloads: Path) -> None:
    async with connect(demo_server) as client:
        (entry,) = (await client.list_entries(path="Marketing/Weekly signups")).results
        assert entry.ref is not None
        insight = await client.insights.by_short_id(entry.ref)
        cold = await client.insights.get(insight.id)  # force_cache: nothing computed yet
        same = await client.insights.with_result(insight.id)  # blocking on the miss
        cached = await client.insights.get(insight.id)  # now in the server's cache
        asset = await client.exports.create("image/png", insight=insight.id)
        path = await client.exports.download(asset, downloads)
        with pytest.raises(NotFoundError):
            await client.insights.by_short_id("nope1234")
        with pytest.raises(NotFoundError):
            await client.insights.get(999999)
    assert isinstance(insight, Insight)
    assert insight.name == "Weekly signups" and insight.short_id == entry.ref
    assert cold.result is None and cold.is_cached is False
    assert same.id == insight.id and same.result
    assert cached.is_cached is True and cached.result == same.result
    assert path.name.startswith("export-weekly-signups-")


async def test_dashboard_tiles(live_server: LiveServer, insight_id: int) -> None:
    dashboard_id = create_dashboard(live_server.db_path, "Board", [insight_id])
    async with connect(live_server) as client:
        dashboard = await client.insights.dashboard(dashboard_id)
        with pytest.raises(NotFoundError):
            await client.insights.dashboard(999999)
    assert isinstance(dashboard, Dashboard)
    assert dashboard.name == "Board"
    assert [tile.insight.id for tile in dashboard.tiles if tile.insight] == [insight_id]


# -- what a real server cannot be made to do ----------------------------------------------

API = "https://posthog.test"

Handler = Callable[[httpx.Request], httpx.Response]


def mock_client(handler: Handler) -> PostHogClient:
    return PostHogClient(API, 1, "phx_secret_key_123456", transport=httpx.MockTransport(handler))


def asset(**changes: Any) -> ExportedAsset:
    return ExportedAsset.model_validate({**ASSET, **changes})


@pytest.mark.parametrize(
    ("server_name", "expected"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "passwd"),
        ("a\\b", "b"),
        ("\x00\x1b[31m", "[31m"),
        ("..", "export-7.csv"),
        (None, "export-7.csv"),
    ],
)
async def test_hostile_filenames_land_inside_the_folder(
    tmp_path: Path, server_name: str | None, expected: str
) -> None:
    folder = tmp_path / "downloads"
    folder.mkdir()
    async with mock_client(lambda request: httpx.Response(200, content=CSV_BODY)) as client:
        path = await client.exports.download(asset(filename=server_name), folder)
    assert path == folder / expected
    assert files_in(folder) == [expected]
    assert files_in(tmp_path) == ["downloads"]  # nothing written beside the folder
    assert path.read_bytes() == CSV_BODY


async def test_a_300_character_name_is_shortened(downloads: Path) -> None:
    async with mock_client(lambda request: httpx.Response(200, content=CSV_BODY)) as client:
        path = await client.exports.download(asset(filename="a" * 300 + ".csv"), downloads)
    assert path.parent == downloads
    assert path.suffix == ".csv"
    assert len(path.name.encode()) <= MAX_NAME_BYTES


async def test_storage_redirect_is_fetched_without_the_key(downloads: Path) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "posthog.test":
            return httpx.Response(
                302, headers={"Location": "https://user:pw@storage.test/bucket/x.csv?sig=abc"}
            )
        return httpx.Response(200, content=CSV_BODY)

    async with mock_client(handler) as client:
        path = await client.exports.download(asset(), downloads)
    api_request, storage_request = seen
    assert api_request.headers["Authorization"] == "Bearer phx_secret_key_123456"
    assert api_request.url.path == "/api/projects/1/exports/7/content/"
    assert storage_request.url.host == "storage.test"
    assert storage_request.url.params["sig"] == "abc"
    assert "Authorization" not in storage_request.headers
    assert "phx_secret_key_123456" not in str(storage_request.headers)
    assert path.read_bytes() == CSV_BODY


async def test_older_409_with_retry_after_then_ready(downloads: Path) -> None:
    answers = [
        httpx.Response(409, headers={"Retry-After": "0"}, json={"detail": "Not ready"}),
        httpx.Response(425, json={"code": "export_not_ready", "detail": "wait"}),
        httpx.Response(200, content=CSV_BODY),
    ]
    async with mock_client(lambda request: answers.pop(0)) as client:
        path = await client.exports.download(asset(), downloads)
    assert answers == []
    assert path.read_bytes() == CSV_BODY


async def test_older_404_while_pending_is_waited_out(downloads: Path) -> None:
    state = {"polls": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/content/"):
            if state["polls"] < 2:
                return httpx.Response(404, json={"detail": "Not found."})
            return httpx.Response(200, content=CSV_BODY)
        state["polls"] += 1  # the asset says "pending" until the content is there
        return httpx.Response(200, json={**ASSET, "has_content": state["polls"] > 2})

    async with mock_client(handler) as client:
        path = await client.exports.download(asset(has_content=False), downloads)
    assert path.read_bytes() == CSV_BODY


async def test_404_for_a_missing_export(downloads: Path) -> None:
    async with mock_client(lambda request: httpx.Response(404, json={"detail": "Not found."})) as c:
        with pytest.raises(NotFoundError):
            await c.exports.download(asset(), downloads)
    assert files_in(downloads) == []


async def test_export_failed_from_the_content_endpoint(downloads: Path) -> None:
    body = {"type": "validation_error", "code": "export_failed", "detail": "Boom", "attr": None}
    async with mock_client(lambda request: httpx.Response(400, json=body)) as client:
        with pytest.raises(ExportFailedError, match="Boom"):
            await client.exports.download(asset(), downloads)


class BrokenStream(httpx.AsyncByteStream):
    async def __aiter__(self):  # type: ignore[no-untyped-def]
        yield b"date,x\r\n"
        raise httpx.ReadError("connection reset by peer")


async def test_a_broken_download_leaves_no_file(downloads: Path) -> None:
    async with mock_client(lambda request: httpx.Response(200, stream=BrokenStream())) as client:
        with pytest.raises(ApiError, match="connection reset"):
            await client.exports.download(asset(), downloads)
    assert files_in(downloads) == []


async def test_wait_on_a_blocking_server_does_not_poll() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            assert json.loads(request.content) == {"export_format": "text/csv", "insight": 3}
            return httpx.Response(201, json=ASSET)
        raise AssertionError(f"unexpected {request.method} {request.url}")

    async with mock_client(handler) as client:
        created = await client.exports.create("text/csv", insight=3)
        assert await client.exports.wait(created, timeout=1) == created
