"""The personal API key, kept where no repr, log line or traceback can show it, and sent only
where it is safe to send.

The key travels as a pydantic ``SecretStr`` (its repr is ``'**********'``) and is unwrapped
only inside an expression that puts it in the request header: never into a plain local
variable, which a traceback printed with locals (Textual's are) would show.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Generator

import httpx
from pydantic import SecretStr

from tui.api.redaction import remember_secret

# A header value holds visible ASCII only, and PostHog keys are "phx_" and URL-safe
# characters. Anything else is a copy-and-paste accident (a trailing line break), which
# would otherwise fail deep in the HTTP library with the key quoted in its message.
_KEY_PATTERN = re.compile(r"[!-~]+")

INSECURE_HTTP_FLAG = "--allow-insecure-http"


class InsecureTransportError(ValueError):
    """The key would cross the network in clear text; the message says what to do."""


def mask(key: str) -> str:
    """A recognisable but useless rendering of a key: its ``phx_`` prefix at most."""
    return key[:4] + "…" if len(key) > 8 else "…"


def as_secret(key: str | SecretStr | None) -> SecretStr:
    if isinstance(key, SecretStr):
        return key
    return SecretStr(key or "")


def check_key(key: SecretStr) -> None:
    """Refuse a key no server could accept, without quoting it."""
    if key.get_secret_value() and not _KEY_PATTERN.fullmatch(key.get_secret_value()):
        raise ValueError(
            "the API key holds a space, a line break or a non-ASCII character:"
            " copy it again from PostHog (Settings → Personal API keys)"
        )


def is_loopback(host: str) -> bool:
    """``localhost``, 127.0.0.0/8 or ::1: traffic that never leaves this machine."""
    name = host.strip("[]").rstrip(".").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_transport(url: str, *, has_key: bool, allow_insecure_http: bool = False) -> None:
    """Refuse to send a key over plain ``http://`` to another machine: anyone on the path
    could read it. Loopback is fine (the local server); ``allow_insecure_http`` says the
    user knows the network (a VPN, a lab)."""
    parsed = httpx.URL(url)
    if parsed.scheme != "http" or not has_key or allow_insecure_http or is_loopback(parsed.host):
        return
    raise InsecureTransportError(
        f"refusing to send the API key in clear text to http://{parsed.host}: use https://,"
        f" or pass {INSECURE_HTTP_FLAG} if you trust every network in between"
    )


class BearerAuth(httpx.Auth):
    """Sends ``Authorization: Bearer <key>``; PostHog also takes the key as a query
    parameter, which would put it in URLs and logs, so that form is never used."""

    def __init__(self, key: str | SecretStr | None) -> None:
        self._key = as_secret(key)
        check_key(self._key)
        remember_secret(self._key)  # no log record may show it

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # no key: let the server say "not authenticated" rather than send "Bearer "
        if self._key.get_secret_value():
            request.headers["Authorization"] = "Bearer " + self._key.get_secret_value()
        yield request

    @property
    def key(self) -> SecretStr:
        """The key, still wrapped (for another client on the same key)."""
        return self._key

    @property
    def has_key(self) -> bool:
        return bool(self._key.get_secret_value())

    @property
    def secrets(self) -> tuple[SecretStr, ...]:
        """What error messages must be scrubbed of."""
        return (self._key,) if self.has_key else ()

    def __repr__(self) -> str:
        return f"BearerAuth(key={mask(self._key.get_secret_value())!r})"
