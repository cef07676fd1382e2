"""Play a far server: every HTTP response waits a fixed time before it is produced.

PostHog Cloud answers from 100-300 ms away; ``hogtree serve --latency-ms 300`` lets the
app (and its benchmarks) be tried against that on a laptop. The wait is an
``asyncio.sleep``, so requests overlap while they wait, as they would on a real link;
a ``time.sleep`` would stall the whole server and serialise them.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AddedLatency:
    """ASGI middleware: ``latency_ms`` before each HTTP request is handled."""

    def __init__(self, app: ASGIApp, latency_ms: float) -> None:
        self.app = app
        self.delay_s = latency_ms / 1000

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await asyncio.sleep(self.delay_s)
        await self.app(scope, receive, send)
