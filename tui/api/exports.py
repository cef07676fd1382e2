"""Exports through PostHog's API: create one, wait for it, download its file.

PostHog has behaved two ways, and both are met here: newer versions generate the file
while the create call waits (``has_content`` is already true), older ones answer at once
and the client polls the asset until ``has_content`` or ``exception``. The content
endpoint may answer 425 (not ready), 409 with ``Retry-After`` or 404 (older versions, not
ready), 400 ``export_failed``, or a redirect to object storage — which is followed without
the API key.

A downloaded file's name comes from the server and is never trusted as a path
(:mod:`tui.api.filenames`).
"""

from __future__ import annotations

import builtins
import os
import tempfile
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
import httpx

from tui import paths
from tui.api.bodies import UNREADABLE, body_chunks, unreadable
from tui.api.errors import (
    ApiError,
    ErrorKind,
    NotFoundError,
    UnexpectedResponseError,
    origin,
)
from tui.api.filenames import claim, safe_filename
from tui.api.insights import InsightsApi
from tui.api.transport import Transport, parse
from tui.models import FileSystemEntry
from tui.models.exports import ExportedAsset, ExportFormat, ExportPage

# PostHog's web app polls an unfinished export every second.
DEFAULT_POLL_INTERVAL = 1.0
# Content that is not ready yet (425, 409, or 404 while the asset is pending) is asked for
# again at most this many times, each after the server's Retry-After or a poll interval.
MAX_NOT_READY_RETRIES = 60
# The longest single wait for unready content; a larger Retry-After is cut to this.
MAX_NOT_READY_WAIT = 10.0
# Storage may redirect once or twice (a CDN in front of a bucket); more is a loop.
MAX_STORAGE_REDIRECTS = 3
# Bytes read from the network per write to disk.
DOWNLOAD_CHUNK = 64 * 1024
# The largest file a download writes. An export is a table of at most some hundred
# thousand rows or a picture of a few MB; a body past this is a server that does not stop
# sending, and it must not fill the disk. Refused at once when Content-Length says so.
MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024

# Exports are listed in pages of this many (PostHog's default page size).
LIST_PAGE_SIZE = 100

ProgressCallback = Callable[[float, ExportedAsset], None]

_NOT_READY_STATUSES = frozenset({404, 409, 425})


class ExportFailedError(ApiError):
    """The server could not make the export; :attr:`detail` is its ``exception``."""

    kind = ErrorKind.VALIDATION

    def __init__(self, asset_id: int, exception: str) -> None:
        super().__init__(
            f"Export {asset_id} failed on the server: {exception}",
            code="export_failed",
            detail=exception,
        )
        self.asset_id = asset_id


class ExportTimeoutError(ApiError):
    """The export was still not ready when the wait ran out."""

    kind = ErrorKind.TIMEOUT


# The entry types an export can be made of: exports take an insight or a dashboard.
EXPORTABLE_TYPES = frozenset({"insight", "dashboard"})
# What PostHog makes of a dashboard: an image of its tiles (PNG) or a PDF of them. CSV and
# XLSX are of one query's rows, so of an insight only.
DASHBOARD_FORMATS = (ExportFormat.PNG, ExportFormat.PDF)


@dataclass(frozen=True)
class ExportTarget:
    """What an export is of: an insight (by numeric id) or a dashboard."""

    kind: str  # "insight" or "dashboard"
    id: int
    name: str

    def owns(self, asset: ExportedAsset) -> bool:
        if self.kind == "insight":
            return asset.insight == self.id
        return asset.dashboard == self.id


class ExportsApi:
    """``client.exports``: one method per step of an export."""

    def __init__(self, transport: Transport, insights: InsightsApi) -> None:
        self._transport = transport
        self._insights = insights

    # -- the asset ---------------------------------------------------------------------

    async def create(
        self,
        format: ExportFormat | str,
        insight: int | None = None,
        dashboard: int | None = None,
        export_context: Mapping[str, Any] | None = None,
    ) -> ExportedAsset:
        """Ask for an export of an insight, a dashboard, or the query in ``export_context``
        (e.g. ``{"path": "/api/projects/1/events?event=$pageview"}``)."""
        body: dict[str, Any] = {"export_format": str(format)}
        if insight is not None:
            body["insight"] = insight
        if dashboard is not None:
            body["dashboard"] = dashboard
        if export_context is not None:
            body["export_context"] = dict(export_context)
        # Newer PostHog renders the file before answering, which can take a while.
        response = await self._transport.request(
            "POST", "exports/", json=body, timeout=self._transport.bulk_timeout
        )
        return _parse_asset(response)

    async def target_of(self, entry: FileSystemEntry) -> ExportTarget:
        """The insight or dashboard a tree entry stands for, as exports name it: an entry
        names an insight by its short id (one lookup), a dashboard by its numeric id.
        :class:`ValueError` for an entry of another type or without a ref."""
        if entry.type not in EXPORTABLE_TYPES or not entry.ref:
            raise ValueError(f"exports are of insights and dashboards, not of a {entry.type!r}")
        name = paths.basename(entry.path) or entry.path
        if entry.type == "dashboard":
            if not entry.ref.isdigit():
                raise NotFoundError(f"no dashboard has the id {entry.ref!r}", status=404)
            return ExportTarget("dashboard", int(entry.ref), name)
        insight = await self._insights.by_short_id(entry.ref)
        return ExportTarget("insight", insight.id, name)

    async def create_for(self, target: ExportTarget, format: ExportFormat | str) -> ExportedAsset:
        """:meth:`create` for what :meth:`target_of` found."""
        if target.kind == "insight":
            return await self.create(format, insight=target.id)
        return await self.create(format, dashboard=target.id)

    async def get(self, id: int) -> ExportedAsset:
        response = await self._transport.request("GET", _asset_url(id))
        return _parse_asset(response)

    async def list(self, *, limit: int = 100, offset: int = 0) -> ExportPage:
        """One page of the caller's own exports, newest first."""
        response = await self._transport.request(
            "GET", "exports/", params={"limit": str(limit), "offset": str(offset)}
        )
        return parse(response, ExportPage)

    async def list_for(
        self, target: ExportTarget, *, max_pages: int = 5
    ) -> builtins.list[ExportedAsset]:
        """The caller's exports of ``target``, newest first (``created_at``, then ``id``).

        PostHog lists exports by owner, not by what they are of: this reads at most
        ``max_pages`` pages of :data:`LIST_PAGE_SIZE` and keeps ``target``'s, so an owner
        of thousands of exports waits for a bounded number of requests.
        """
        # builtins.list: within this class, list is the method.
        mine: builtins.list[ExportedAsset] = []
        offset = 0
        for _ in range(max_pages):
            page = await self.list(limit=LIST_PAGE_SIZE, offset=offset)
            mine += [asset for asset in page.results if target.owns(asset)]
            if not page.next or not page.results:
                break
            offset += len(page.results)
        return sorted(mine, key=_newest_first)

    async def wait(
        self,
        asset: ExportedAsset,
        *,
        timeout: float,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        on_progress: ProgressCallback | None = None,
    ) -> ExportedAsset:
        """The asset once its content is ready, polling while it is not.

        Answers at once when it is already ready (newer PostHog). Raises
        :class:`ExportFailedError` with the server's ``exception`` if generation failed, and
        :class:`ExportTimeoutError` after ``timeout`` seconds. Cancellable at any await
        (e.g. inside ``anyio.move_on_after``). ``on_progress(elapsed_s, asset)`` hears
        about every poll.
        """
        if timeout <= 0 or poll_interval <= 0:
            raise ValueError("timeout and poll_interval must be positive")
        started = anyio.current_time()
        current = asset
        try:
            with anyio.fail_after(timeout):
                while True:
                    if current.exception:
                        raise ExportFailedError(current.id, self._scrub(current.exception))
                    if current.has_content:
                        return current
                    if on_progress is not None:
                        on_progress(anyio.current_time() - started, current)
                    await anyio.sleep(poll_interval)
                    current = await self.get(current.id)
        except TimeoutError:
            raise ExportTimeoutError(
                f"Export {asset.id} was not ready after {timeout:g} s; the server may still"
                " be making it — try downloading it later",
                status=None,
            ) from None

    # -- the file ----------------------------------------------------------------------

    async def download(
        self,
        asset: ExportedAsset,
        folder: Path | str,
        *,
        max_bytes: int = MAX_DOWNLOAD_BYTES,
    ) -> Path:
        """Save the export's file in ``folder`` and answer its path.

        The name is the server's ``filename`` made safe (base name only, no control
        characters, bounded length; ``export-<id>.<ext>`` if nothing is left), never an
        existing file's (`` (1)`` is added), and always directly inside ``folder``. The
        bytes go to a temporary file in ``folder`` first, so a failed or cancelled
        download leaves nothing behind. A file past ``max_bytes`` is refused. The name
        never comes from ``Content-Disposition``: the asset's own field is the only one.
        """
        target = Path(folder)
        if not target.is_dir():
            raise NotADirectoryError(f"not a folder: {str(target)!r}")
        name = safe_filename(asset.filename, f"export-{asset.id}.{asset.extension}")
        url = f"{_asset_url(asset.id)}content/"
        for _ in range(MAX_NOT_READY_RETRIES + 1):
            async with self._open(url) as response:
                if response.is_success:
                    return await _save(response, target, name, self._stream_error, max_bytes)
                wait = await self._not_ready_wait(response, asset)
            await anyio.sleep(wait)
        raise ExportTimeoutError(
            f"Export {asset.id} was still not ready after {MAX_NOT_READY_RETRIES} tries"
        )

    async def _not_ready_wait(self, response: httpx.Response, asset: ExportedAsset) -> float:
        """Seconds to wait before asking for unready content again; raises for anything
        that is not "not ready yet"."""
        response = await self._transport.read(response)
        error = self._transport.error_from(response)
        status = response.status_code
        if status == 400 and error.code == "export_failed":
            raise ExportFailedError(asset.id, error.detail or "the export failed")
        if status not in _NOT_READY_STATUSES:
            raise error
        if status == 404:
            # Older PostHog answers 404 while the file is being made: only a pending asset
            # is worth waiting for (a missing one raises NotFoundError here).
            current = await self.get(asset.id)
            if current.exception:
                raise ExportFailedError(asset.id, self._scrub(current.exception))
            if current.has_content:
                raise error
        return min(MAX_NOT_READY_WAIT, error.retry_after or DEFAULT_POLL_INTERVAL)

    @asynccontextmanager
    async def _open(self, url: str) -> AsyncIterator[httpx.Response]:
        """A streamed GET of ``url``; a redirect (to object storage) is followed without
        the Authorization header, since the key belongs to PostHog alone."""
        transport = self._transport
        response = await self._send(transport.build_request("GET", url, headers=_ACCEPT_ANY))
        try:
            for _ in range(MAX_STORAGE_REDIRECTS):
                if not response.is_redirect:
                    break
                location = self._storage_url(response)
                await response.aclose()
                request = transport.build_request("GET", location, headers=_ACCEPT_ANY)
                response = await self._send(request, with_key=False)
            if response.is_redirect:
                raise UnexpectedResponseError(
                    f"{origin(response.url)} redirected the download more than"
                    f" {MAX_STORAGE_REDIRECTS} times",
                    status=response.status_code,
                )
            yield response
        finally:
            await response.aclose()

    def _storage_url(self, response: httpx.Response) -> httpx.URL:
        location = response.headers.get("Location")
        if not location:
            raise UnexpectedResponseError(
                f"{origin(response.url)} redirected the download (HTTP"
                f" {response.status_code}) without saying where",
                status=response.status_code,
            )
        url = response.url.join(location)
        if url.scheme not in ("http", "https") or not url.host:
            raise UnexpectedResponseError(
                f"{origin(response.url)} redirected the download to a non-HTTP address",
                status=response.status_code,
            )
        # Credentials in a URL would be sent as Basic auth; storage URLs carry theirs in
        # the query string.
        return url.copy_with(username=None, password=None)

    async def _send(self, request: httpx.Request, *, with_key: bool = True) -> httpx.Response:
        """Send with the transport's retry policy (transport trouble, 429, 502-504); any
        other answer — success, redirect or error — goes back to the caller, unread."""

        def describe(exc: httpx.TransportError) -> ApiError:
            return self._stream_error(exc, request)

        return await self._transport.send(
            request,
            idempotent=True,
            what=f"GET {request.url.path}",
            describe=describe,
            with_key=with_key,
            hand_back=_for_the_caller,
        )

    def _stream_error(self, exc: httpx.TransportError, request: httpx.Request) -> ApiError:
        if request.url.host == httpx.URL(self._transport.host).host:
            return self._transport.transport_error(exc, request.method, request.url.path)
        reason = self._scrub(str(exc)) or type(exc).__name__
        return ApiError(f"Downloading from {origin(request.url)} failed: {reason}")

    def _scrub(self, text: str) -> str:
        return self._transport.scrub(text)


def _for_the_caller(response: httpx.Response) -> bool:
    """The download's answers it reads itself: the file, a redirect to storage, and the
    "not ready yet" or refusal below 429; the rest is the transport's to retry or raise."""
    return response.is_success or response.is_redirect or response.status_code < 429


_ACCEPT_ANY = {"Accept": "*/*"}


async def _save(
    response: httpx.Response,
    folder: Path,
    name: str,
    stream_error: Callable[[httpx.TransportError, httpx.Request], ApiError],
    max_bytes: int,
) -> Path:
    """Stream the body to a temporary file in ``folder``, then give it its own new name."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(response, max_bytes)
    fd, temporary = tempfile.mkstemp(dir=folder, prefix=".hogtree-", suffix=".part")
    final: Path | None = None
    try:
        async with await anyio.open_file(fd, "wb") as out:
            written = 0
            try:
                async for chunk in body_chunks(response, DOWNLOAD_CHUNK):
                    written += len(chunk)
                    if written > max_bytes:
                        raise _too_big(response, max_bytes)
                    await out.write(chunk)
            except httpx.TransportError as exc:
                raise stream_error(exc, response.request) from exc
            except UNREADABLE as exc:
                raise unreadable(exc, response.request.url, "the download") from None
        final = claim(folder, name)
        os.replace(temporary, final)
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        if final is not None:
            with suppress(OSError):
                if final.stat().st_size == 0:
                    final.unlink()
        raise
    return final


def _too_big(response: httpx.Response, max_bytes: int) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"{origin(response.request.url)} sent a file of more than {max_bytes / 2**20:g} MB;"
        " hogtree stopped the download there and kept nothing",
        status=response.status_code,
    )


def _newest_first(asset: ExportedAsset) -> tuple[float, int]:
    created = asset.created_at.timestamp() if asset.created_at is not None else 0.0
    return (-created, -asset.id)


def _asset_url(id: int) -> str:
    # Quoted whole so an id can never add path segments to the URL.
    return f"exports/{quote(str(int(id)), safe='')}/"


def _parse_asset(response: httpx.Response) -> ExportedAsset:
    return parse(response, ExportedAsset)
