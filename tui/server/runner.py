"""Run the local server: in the foreground (``hogtree serve``) or on a background thread
(the embedded server of the app, and the tests)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from tui.server.app import create_app
from tui.server.limits import MAX_URL_BYTES
from tui.server.settings import ServerSettings

# The most a request's head (request line and headers) may hold: a URL up to the server's own
# limit, which answers in the contract's format, and room for headers. uvicorn's default
# (16 KiB) would refuse long folder paths with a plain-text 400 of its own.
MAX_REQUEST_HEAD_BYTES = MAX_URL_BYTES + 64 * 1024

# How long an idle connection stays open. Longer than httpx's own keep-alive expiry (5 s):
# with uvicorn's default, also 5 s, a client reusing a connection at the moment the server
# drops it reads "Server disconnected without sending a response". The client must be the
# one to let go first, as behind PostHog's load balancers (idle timeouts of a minute or more).
KEEP_ALIVE_S = 75

# How long a background server may take to start listening before we call it failed.
STARTUP_TIMEOUT_S = 15.0


def is_loopback(host: str) -> bool:
    return host in {"localhost", "::1"} or host.startswith("127.")


def uvicorn_config(settings: ServerSettings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings),
        host=host,
        port=port,
        log_level="warning",
        # Our own access lines are enough; uvicorn's would print every request URL.
        access_log=False,
        lifespan="on",
        h11_max_incomplete_event_size=MAX_REQUEST_HEAD_BYTES,
        timeout_keep_alive=KEEP_ALIVE_S,
    )


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` for uvicorn to serve on (``hogtree serve`` and the
    background server alike)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit this. Without it a response written in more than one
    # piece (a page of 100 entries) waits ~40 ms for the client's delayed ACK (Nagle), as
    # asyncio does not set it on sockets it is handed.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


@dataclass
class BackgroundServer:
    """A uvicorn server on a daemon thread, listening on ``url``."""

    server: uvicorn.Server
    thread: threading.Thread
    url: str

    def stop(self, *, wait: bool = True) -> None:
        """Ask the server to shut down; ``wait`` until its thread has ended (uvicorn notices
        within about 0.1 s, then closes its connections)."""
        self.server.should_exit = True
        if wait:
            self.thread.join(timeout=10)


def start_in_thread(
    settings: ServerSettings, host: str = "127.0.0.1", port: int = 0
) -> BackgroundServer:
    """Start the server on a free loopback port (``port=0``) and wait until it listens."""
    return serve_in_thread(lambda port: uvicorn_config(settings, host, port), host, port)


def serve_in_thread(
    config_for: Callable[[int], uvicorn.Config], host: str = "127.0.0.1", port: int = 0
) -> BackgroundServer:
    """Serve the app of ``config_for(bound port)`` on a daemon thread; wait until it listens."""
    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    server = uvicorn.Server(config_for(bound_port))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="hogtree-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError("the local server did not start")
        time.sleep(0.005)
    return BackgroundServer(server=server, thread=thread, url=f"http://{host}:{bound_port}")
