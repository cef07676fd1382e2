"""Where the app's data comes from: a PostHog host, or the local server started in-process.

No Textual here: the app asks a :class:`Backend` for a client once it is on screen, so the
local server's start-up (importing the web framework costs about half a second) overlaps
the app's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from tui.api import PostHogClient, RetryNotice
from tui.config import Connection


class Backend(Protocol):
    """Gives the app a client, and cleans up after it."""

    @property
    def description(self) -> str:
        """For the header: which server, and whether it is the local one."""
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
        return f"{self.connection.host} · project {self.connection.project_id}"

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
        assert self.connection.host is not None
        return PostHogClient(
            self.connection.host,
            self.connection.project_id,
            self.connection.api_key,
            on_retry=on_retry,
            allow_insecure_http=self.connection.allow_insecure_http,
        )

    def close(self) -> None:
        return None


class LocalBackend:
    """The local PostHog-compatible server on a free loopback port, in this process, with
    a key made for this run only. Stopped (its thread joined) on :meth:`close`."""

    is_local = True

    def __init__(self, db_path: Path, project_id: int = 1) -> None:
        self.db_path = db_path
        self.project_id = project_id
        self.description = f"local demo · project {project_id}"
        self.web_host = ""
        self._lock = threading.Lock()
        self._server: object | None = None
        self._closed = False

    def connect(self, on_retry: Callable[[RetryNotice], None] | None = None) -> PostHogClient:
        # Imported here so that starting the app does not wait for FastAPI to import.
        from tui.server.runner import start_in_thread
        from tui.server.settings import ApiKeySpec, ServerSettings, generate_key

        # A SecretStr, like every key the app holds: a traceback shows no plain copy.
        key = SecretStr(generate_key())
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        settings = ServerSettings(
            db_path=self.db_path,
            projects=(self.project_id,),
            keys=(ApiKeySpec(key=key.get_secret_value()),),
            seed="demo",
        )
        with self._lock:
            if self._closed:
                raise RuntimeError("the app is closing")
            server = start_in_thread(settings)
            self._server = server
        self.web_host = server.url
        return PostHogClient(server.url, self.project_id, key, on_retry=on_retry)

    def close(self) -> None:
        from tui.server.runner import BackgroundServer

        with self._lock:
            self._closed = True
            server = self._server
            self._server = None
        if isinstance(server, BackgroundServer):
            server.stop(wait=True)
