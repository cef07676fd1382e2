"""ASGI middleware: a last line of defence that turns an unexpected error into PostHog's
generic 500 body, the limits on a request's size, and CORS on the capture routes."""

from __future__ import annotations

import logging

from fastapi.responses import JSONResponse
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tui.server.errors import ApiProblem, server_error
from tui.server.limits import MAX_BODY_BYTES, MAX_URL_BYTES, body_too_large, url_too_long

log = logging.getLogger("hogtree.server")


class HttpMiddleware:
    """ASGI middleware that acts on HTTP requests alone: lifespan and other messages pass
    straight through to the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class CatchUnexpectedErrors(HttpMiddleware):
    """Starlette's own handler for ``Exception`` sends the response and then re-raises, and
    uvicorn answers a re-raised error by closing the connection: a keep-alive client then
    meets "connection reset" on its next request. Catching here ends the request cleanly."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # The traceback goes to the server's log; the client learns nothing about it.
            log.exception("unexpected error on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise  # too late for a clean answer: let the server drop the connection
            problem = server_error()
            await JSONResponse(problem.body(), status_code=problem.status)(scope, receive, send)


class _BodyTooLarge(Exception):
    """Raised into the app when the body it is reading goes past the limit."""


class LimitRequestSize(HttpMiddleware):
    """A URL over :data:`MAX_URL_BYTES` or a body over :data:`MAX_BODY_BYTES` gets the
    contract's 400, and the handler never runs (or its answer is replaced).

    The body is limited while it is read, never buffered here: a declared ``Content-Length``
    over the limit is refused before a byte of it is read, and a chunked body is counted as
    it arrives and refused as soon as it passes the limit, however much more is coming. The
    answer closes the connection, as the rest of the body is never read.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raw_path: bytes = scope.get("raw_path") or scope["path"].encode()
        if len(raw_path) + len(scope.get("query_string", b"")) > MAX_URL_BYTES:
            await _refuse(url_too_long(), scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > MAX_BODY_BYTES:
            await _refuse(body_too_large(), scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    exceeded = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app made of the cut-off body, the answer is ours
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(body_too_large(), scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(problem: ApiProblem, scope: Scope, receive: Receive, send: Send) -> None:
    # The body is left unread, so the connection cannot carry another request.
    headers = {**problem.headers, "Connection": "close"}
    response = JSONResponse(problem.body(), status_code=problem.status, headers=headers)
    await response(scope, receive, send)


class CaptureCors(HttpMiddleware):
    """CORS on the capture routes alone, as PostHog's capture sets it: posthog-js sends
    from the site's own origin, so the origin and the asked-for headers are mirrored and
    credentials allowed (the project token is public; nothing can be read through it).
    The API under ``/api/`` has none, as PostHog's personal-key API."""

    def __init__(self, app: ASGIApp, paths: frozenset[str]) -> None:
        super().__init__(app)
        self.paths = paths
        self.cors = CORSMiddleware(
            app,
            allow_origin_regex=".*",
            allow_credentials=True,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["*"],
        )

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", "")).rstrip("/")
        await (self.cors if path in self.paths else self.app)(scope, receive, send)
