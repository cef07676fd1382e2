"""``hogtree`` with a fault no server can cause: the HTTP transport raises a plain
RuntimeError on the first change (a POST), after the request got its Authorization header.
The worker that sent it dies and Textual prints the traceback, with every frame's locals,
when the app exits. tests/crosscutting/test_secrets.py greps that traceback for the key."""

from __future__ import annotations

import sys

import httpx

from tui.cli import main

CRASH_MESSAGE = "forced crash in the transport"

_real_send = httpx.AsyncHTTPTransport.handle_async_request


async def _crashing_send(self: httpx.AsyncHTTPTransport, request: httpx.Request) -> httpx.Response:
    if request.method == "POST":
        raise RuntimeError(CRASH_MESSAGE)
    return await _real_send(self, request)


if __name__ == "__main__":
    httpx.AsyncHTTPTransport.handle_async_request = _crashing_send  # type: ignore[method-assign]
    sys.exit(main())
