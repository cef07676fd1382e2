"""A last line of defence: an unexpected error becomes PostHog's generic 500 body.

Starlette's own handler for ``Exception`` sends the response and then re-raises, and
uvicorn answers a re-raised error by closing the connection: a keep-alive client then
meets "connection reset" on its next request. Catching here ends the request cleanly.
"""

from __future__ import annotations

import logging

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tui.server.errors import server_error

log = logging.getLogger("hogtree.server")


class CatchUnexpectedErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
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
