"""An httpx transport that carries requests to a real server, except the ones a test picks
to fail: refused, dropped after the server acted, answered too late, answered with a
gateway's 502, a 429 with ``Retry-After``, or HTML where JSON belongs.

Everything not picked goes to the real server over real HTTP, so the server's state stays
the truth a test can check. The transport counts what the client *tried* to send and what
*reached* the server, which is how a test proves a change was never sent twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import anyio
import httpx

Match = Callable[[httpx.Request], bool]

# How long a LATE fault keeps the client waiting before its read times out.
LATE_WAIT_S = 0.2


class FaultKind(StrEnum):
    REFUSE = "refuse"  # the connection is refused: the request never leaves
    DROP = "drop"  # the server gets the request and acts; the connection dies before the answer
    LATE = "late"  # the server acts; its answer comes after the client's read timeout
    ANSWER = "answer"  # a proxy or gateway answers in the server's place


@dataclass
class Fault:
    """What happens to the next ``times`` requests that ``match``."""

    kind: FaultKind
    match: Match
    times: int = 1
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """How the fault reads in a figure: its kind, and the status it answers."""
        return f"{self.kind} {self.status}" if self.kind is FaultKind.ANSWER else str(self.kind)


def refuse(match: Match, times: int = 1) -> Fault:
    return Fault(FaultKind.REFUSE, match, times)


def drop(match: Match, times: int = 1) -> Fault:
    return Fault(FaultKind.DROP, match, times)


def late(match: Match, times: int = 1) -> Fault:
    return Fault(FaultKind.LATE, match, times)


def answer(match: Match, status: int, body: bytes, times: int = 1, **headers: str) -> Fault:
    return Fault(FaultKind.ANSWER, match, times, status, body, headers)


def gateway_error(match: Match, status: int = 502, times: int = 1) -> Fault:
    """The HTML error page a load balancer answers with when the app behind it is down."""
    page = f"<html><body><h1>{status} Bad Gateway</h1>nginx</body></html>".encode()
    return answer(match, status, page, times, **{"Content-Type": "text/html"})


def throttled(match: Match, retry_after: str, times: int = 1) -> Fault:
    body = b'{"type": "throttled_error", "code": "throttled", "detail": "Request was throttled."}'
    return answer(
        match, 429, body, times, **{"Content-Type": "application/json", "Retry-After": retry_after}
    )


def captive_portal(match: Match, times: int = 1) -> Fault:
    """A 200 with an HTML page: what a hotel Wi-Fi login or a misrouted proxy answers."""
    page = b"<!doctype html><html><body>Please sign in to the network</body></html>"
    return answer(match, 200, page, times, **{"Content-Type": "text/html"})


# -- matchers ------------------------------------------------------------------------------


def listing(folder: str | None = None) -> Match:
    """``GET file_system/``: of ``folder``'s children, or any listing when ``None``."""

    def match(request: httpx.Request) -> bool:
        if request.method != "GET" or not request.url.path.endswith("/file_system/"):
            return False
        if folder is None:
            return True
        if folder == "":
            return "parent" not in request.url.params
        return request.url.params.get("parent") == folder

    return match


def action(method: str, suffix: str) -> Match:
    """A ``method`` request whose path ends with ``suffix`` (e.g. ``"/move/"``)."""
    return lambda request: request.method == method and request.url.path.endswith(suffix)


# -- the transport -------------------------------------------------------------------------


class FaultyTransport(httpx.AsyncBaseTransport):
    def __init__(self, *faults: Fault) -> None:
        self._real = httpx.AsyncHTTPTransport()
        self.faults = list(faults)
        self.attempts: list[str] = []  # "METHOD /path" of every request the client sent
        self.delivered: list[str] = []  # … of every request that reached the server
        self.injected: list[str] = []  # the name of every fault that struck

    def add(self, *faults: Fault) -> None:
        self.faults.extend(faults)

    def attempted(self, method: str, suffix: str) -> int:
        return sum(1 for a in self.attempts if a.startswith(method) and a.endswith(suffix))

    def reached(self, method: str, suffix: str) -> int:
        return sum(1 for a in self.delivered if a.startswith(method) and a.endswith(suffix))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        what = f"{request.method} {request.url.path}"
        self.attempts.append(what)
        fault = self._take(request)
        if fault is None:
            return await self._deliver(request, what)
        self.injected.append(fault.name)
        match fault.kind:
            case FaultKind.REFUSE:
                raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
            case FaultKind.ANSWER:
                return httpx.Response(
                    fault.status, headers=fault.headers, content=fault.body, request=request
                )
            case FaultKind.DROP:
                await self._consume(await self._deliver(request, what))
                raise httpx.RemoteProtocolError(
                    "Server disconnected without sending a response.", request=request
                )
            case FaultKind.LATE:
                await self._consume(await self._deliver(request, what))
                # What httpcore raises when the read timeout passes without an answer. The
                # wait itself is shortened: the client's timeout is not what is under test,
                # and a short real timeout would make every slow request on CI fail too.
                await anyio.sleep(LATE_WAIT_S)
                raise httpx.ReadTimeout("timed out", request=request)

    def _take(self, request: httpx.Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.match(request):
                fault.times -= 1
                return fault
        return None

    async def _deliver(self, request: httpx.Request, what: str) -> httpx.Response:
        self.delivered.append(what)
        return await self._real.handle_async_request(request)

    @staticmethod
    async def _consume(response: httpx.Response) -> None:
        await response.aread()
        await response.aclose()

    async def aclose(self) -> None:
        await self._real.aclose()
