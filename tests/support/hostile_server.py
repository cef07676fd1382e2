"""A tiny HTTP server that answers whatever a test scripts, over a real socket: hostile
headers, redirects to another host, bodies that never end. A well-behaved server cannot be
made to do these, and ``httpx.MockTransport`` skips the parts that matter here (header
size limits, a body that streams, a socket the client closes).

Each request is recorded raw (request line, headers, body), so a test can check that a
secret never reached a server it must not reach.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Bytes per write of a long body: big enough to be quick, small enough that the server
# notices soon after the client hangs up.
WRITE_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Seen:
    """One request as it arrived."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    raw: bytes


@dataclass
class Reply:
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    # A long body made of ``fill`` repeated up to ``stream_bytes`` bytes, written a chunk at
    # a time until the client hangs up: chunked, unless ``content_length`` declares a size.
    stream_bytes: int = 0
    fill: bytes = b" "
    content_length: int | None = None


Respond = Callable[[Seen], Reply]


class HostileServer:
    def __init__(self, respond: Respond) -> None:
        self.respond = respond
        self.seen: list[Seen] = []
        self.body_bytes_sent = 0
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._http.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._http.server_address[1]}"
        # Polled often, so that stopping (which waits for a poll) takes no time in tests.
        self._thread = threading.Thread(
            target=self._http.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        self._thread.join(timeout=5)

    def sent(self, n: int) -> None:
        with self._lock:
            self.body_bytes_sent += n


@contextmanager
def hostile_server(respond: Respond) -> Iterator[HostileServer]:
    server = HostileServer(respond).start()
    try:
        yield server
    finally:
        server.stop()


def _handler_for(server: HostileServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._serve()

        do_POST = do_PATCH = do_DELETE = do_GET

        def log_message(self, format: str, *args: object) -> None:
            return None  # quiet: tests read what was seen, not a log

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            raw = f"{self.requestline}\r\n{self.headers}".encode("latin-1") + body
            seen = Seen(
                method=self.command,
                path=self.path,
                headers={name.lower(): value for name, value in self.headers.items()},
                raw=raw,
            )
            server.seen.append(seen)
            reply = server.respond(seen)
            self.close_connection = True
            with suppress(BrokenPipeError, ConnectionResetError):
                self._write(reply)

        def _write(self, reply: Reply) -> None:
            head = [f"HTTP/1.1 {reply.status} Hostile\r\n", "Connection: close\r\n"]
            head += [f"{name}: {value}\r\n" for name, value in reply.headers]
            streaming = reply.stream_bytes > 0
            if not streaming:
                head.append(f"Content-Length: {len(reply.body)}\r\n")
            elif reply.content_length is not None:
                head.append(f"Content-Length: {reply.content_length}\r\n")
            else:
                head.append("Transfer-Encoding: chunked\r\n")
            self.wfile.write(("".join(head) + "\r\n").encode("latin-1"))
            if not streaming:
                self.wfile.write(reply.body)
                return
            chunk = (reply.fill * (WRITE_CHUNK // len(reply.fill) + 1))[:WRITE_CHUNK]
            chunked = reply.content_length is None
            left = reply.stream_bytes
            while left > 0:
                piece = chunk[: min(left, len(chunk))]
                if chunked:
                    self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                else:
                    self.wfile.write(piece)
                server.sent(len(piece))
                left -= len(piece)
            if chunked:
                self.wfile.write(b"0\r\n\r\n")

    return Handler
