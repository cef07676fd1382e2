"""The personal API key, kept where no repr, log line or traceback can show it."""

from __future__ import annotations

from collections.abc import Generator

import httpx
from pydantic import SecretStr


def mask(key: str) -> str:
    """A recognisable but useless rendering of a key: its ``phx_`` prefix at most."""
    return key[:4] + "…" if len(key) > 8 else "…"


def as_secret(key: str | SecretStr | None) -> SecretStr:
    if isinstance(key, SecretStr):
        return key
    return SecretStr(key or "")


class BearerAuth(httpx.Auth):
    """Sends ``Authorization: Bearer <key>``; PostHog also takes the key as a query
    parameter, which would put it in URLs and logs, so that form is never used."""

    def __init__(self, key: str | SecretStr | None) -> None:
        self._key = as_secret(key)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        key = self._key.get_secret_value()
        if key:  # no key: let the server say "not authenticated" rather than send "Bearer "
            request.headers["Authorization"] = f"Bearer {key}"
        yield request

    @property
    def secrets(self) -> tuple[str, ...]:
        """What error messages must be scrubbed of."""
        key = self._key.get_secret_value()
        return (key,) if key else ()

    def __repr__(self) -> str:
        return f"BearerAuth(key={mask(self._key.get_secret_value())!r})"
