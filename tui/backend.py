"""Where the app's data comes from: a PostHog host, or the local server the app starts.

No Textual here, and nothing heavy imported at the top: ``hogtree`` starts the local
server (in a process of its own, see tui/server/process.py) before it imports the app,
so that the server's start-up (importing the web framework costs about half a second)
runs on another core while the app starts. The app asks for a client once it is on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tui.config import Connection, secret

if TYPE_CHECKING:  # imported where used: httpx is not needed to start the local server
    from pydantic import SecretStr  # nor pydantic (~50 ms), which starting it does not need

    from tui.api import PostHogClient, RetryNotice
    from tui.server.process import ServerProcess


class Backend(Protocol):
    """Gives the app a client, and cleans up after it."""

    @property
    def description(self) -> str:
        """For the header: which server, and whether it is the local one."""
        ...

    @property
    def place(self) -> str:
        """Which server, without the project (the header after a switch of project)."""
        ...

    @property
    def is_local(self) -> bool: ...

    @property
    def project_id(self) -> int: ...

    @property
    def web_host(self) -> str:
        """Where an entry's web page lives."""
        ...

    def connect(self, on_retry: Callable[[RetryNotice], None] | None = None) -> PostHogClient:
        """A client for the project. May block (start a server): call it off the UI."""
        ...

    def close(self) -> None:
        """Stop whatever :meth:`connect` started; safe to call more than once."""
        ...


@dataclass
class RemoteBackend:
    """A PostHog host (Cloud, self-hosted, or a ``hogtree serve`` elsewhere)."""

    connection: Connection

    @property
    def description(self) -> str:
        return f"{self.place} · project {self.connection.project_id}"

    @property
    def place(self) -> str:
        return self.connection.host or ""

    @property
    def is_local(self) -> bool:
        return False

    @property
    def project_id(self) -> int:
        return self.connection.project_id

    @property
    def web_host(self) -> str:
        return self.connection.host or ""

    def connect(self, on_retry: Callable[[RetryNotice], None] | None = None) -> PostHogClient:
        from tui.api import PostHogClient

        assert self.connection.host is not None
        return PostHogClient(
            self.connection.host,
            self.connection.project_id,
            self.connection.api_key,
            on_retry=on_retry,
            allow_insecure_http=self.connection.allow_insecure_http,
            key_source=self.connection.key_source,
        )

    def close(self) -> None:
        return None


class LocalBackend:
    """The local PostHog-compatible server on a free loopback port, in a process of its
    own, with a key made for this run only. Stopped on :meth:`close`."""

    is_local = True

    def __init__(self, db_path: Path, project_id: int = 1) -> None:
        self.db_path = db_path
        self.project_id = project_id
        self.place = "local demo"
        self.description = f"{self.place} · project {project_id}"
        self.web_host = ""
        self._lock = threading.Lock()
        self._server: ServerProcess | None = None
        self._key: SecretStr | None = None
        self._closed = False

    def start(self) -> None:
        """Start the server now, without waiting for it (``connect`` waits)."""
        from tui.server.process import ServerProcess
        from tui.server.settings import generate_key

        with self._lock:
            if self._closed:
                raise RuntimeError("the app is closing")
            if self._server is not None:
                return
            key = generate_key()
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            self._server = ServerProcess(self.db_path, key, self.project_id)
            self.web_host = self._server.url
            # A SecretStr, like every key the app holds: a traceback shows no plain copy.
            # Wrapped once the server is on its way: wrapping imports pydantic.
            self._key = secret(key)

    def connect(self, on_retry: Callable[[RetryNotice], None] | None = None) -> PostHogClient:
        from tui.api import PostHogClient

        self.start()
        server = self._server
        if server is None:  # closed in the meantime
            raise RuntimeError("the app is closing")
        # Made before the server is ready, not after: making a client loads the HTTP
        # library's connection code and the TLS settings (about 0.2 s), which this way
        # overlaps the server's start-up. It has sent nothing, so there is nothing to
        # close if the server then fails to start.
        client = PostHogClient(
            server.url,
            self.project_id,
            self._key,
            on_retry=on_retry,
            key_source="the key the local demo made for this run",
        )
        server.wait_ready()
        return client

    def close(self) -> None:
        with self._lock:
            self._closed = True
            server = self._server
            self._server = None
        if server is not None:
            server.stop()


def backend_for(connection: Connection, db_path: Path) -> Backend:
    """The configured host, or the local demo on ``db_path`` when no host is configured."""
    if connection.is_local:
        return LocalBackend(db_path, connection.project_id)
    return RemoteBackend(connection)
