"""Reading answer bodies so that no server can fill memory, and so that every body httpx
cannot read becomes an :class:`UnexpectedResponseError` rather than httpx's own exception.

httpx unpacks a compressed body one network read at a time, and one 64 kB read of a gzip
bomb unpacks to ~64 MB before anything can measure it. gzip and deflate (what PostHog and
the proxies in front of it send) are therefore unpacked here, a bounded step at a time;
any other encoding is left to httpx.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator

import httpx

from tui.api.errors import UnexpectedResponseError, origin

# The most of one answer held in memory. hogtree's largest answers are pages of 100 entries
# or events, and a count listing 200 entries: kilobytes, a few MB with very large event
# properties. Past this it is a broken or hostile server filling memory, and the answer is
# refused (a declared Content-Length at once, before a byte of it is read).
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
# The most one unpacking step may produce, so a limit is checked every so often.
UNPACK_STEP = 256 * 1024
# What httpx raises, beyond transport trouble, on answers no PostHog gives: a redirect to
# something that is not a URL, a body that does not decode as its Content-Encoding says.
# Uncaught, these escaped as httpx's own exceptions and crashed the app's worker.
UNREADABLE = (httpx.InvalidURL, httpx.DecodingError)

# zlib's window bits for each encoding unpacked here (16 + : with a gzip header).
_ZLIB_WBITS = {
    "gzip": 16 + zlib.MAX_WBITS,
    "x-gzip": 16 + zlib.MAX_WBITS,
    "deflate": zlib.MAX_WBITS,
}


async def read_bounded(response: httpx.Response, limit: int) -> httpx.Response:
    """Read a streamed ``response``'s body into memory, refusing it once it is past
    ``limit`` bytes: a declared ``Content-Length`` over the limit before a byte is read, a
    body without one as soon as it grows past it. Answers a response holding the body
    (see :func:`with_body`); the streamed one is still the caller's to close."""
    declared = response.headers.get("Content-Length", "").strip()
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(response, limit)
    body = bytearray()
    # Unpacked bytes are counted, so a compressed body is measured as it unpacks.
    async for chunk in body_chunks(response):
        if len(body) + len(chunk) > limit:
            raise _too_large(response, limit)
        body += chunk
    return with_body(response, bytes(body))


# Headers that describe the bytes on the wire, no longer true of the unpacked body.
_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


def with_body(response: httpx.Response, body: bytes) -> httpx.Response:
    """``response`` (status, headers, request, extensions) holding ``body``, already unpacked.

    httpx fills a streamed response's ``content`` only through its own ``aread()``, which
    has no limit; its public way to hold given bytes is a new ``Response``. The headers
    that describe the wire (encoding, length) are dropped: httpx would otherwise unpack
    the body a second time, and they are not true of it any more.
    """
    headers = [
        (name, value) for name, value in response.headers.raw if name.lower() not in _WIRE_HEADERS
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=response.request,
        extensions=response.extensions,
        history=response.history,
        default_encoding=response.default_encoding,
    )


async def body_chunks(response: httpx.Response, step: int = UNPACK_STEP) -> AsyncIterator[bytes]:
    """A streamed ``response``'s body, unpacked, in pieces of at most ``step`` bytes when
    it is gzip or deflate. Raises ``httpx.DecodingError`` where httpx would."""
    encoding = response.headers.get("Content-Encoding", "").strip().lower()
    wbits = _ZLIB_WBITS.get(encoding)
    if wbits is None:  # none, or one httpx unpacks (br, zstd, a chain of several)
        async for chunk in response.aiter_bytes(step):
            yield chunk
        return
    unpacker = zlib.decompressobj(wbits)
    first = True
    async for data in response.aiter_raw():
        while data:
            try:
                piece = unpacker.decompress(data, step)
            except zlib.error as exc:
                if first and encoding == "deflate":
                    # Some servers send "deflate" without its zlib header, as httpx allows.
                    unpacker = zlib.decompressobj(-zlib.MAX_WBITS)
                    first = False
                    continue
                raise httpx.DecodingError(str(exc)) from exc
            first = False
            data = unpacker.unconsumed_tail
            if piece:
                yield piece
    try:
        rest = unpacker.flush()
    except zlib.error as exc:
        raise httpx.DecodingError(str(exc)) from exc
    if rest:
        yield rest


def unreadable(exc: Exception, url: httpx.URL, what: str) -> UnexpectedResponseError:
    """The error for one of :data:`UNREADABLE` (its text may quote the server: left out)."""
    why = (
        "a redirect to an address that is not a URL"
        if isinstance(exc, httpx.InvalidURL)
        else "a body that does not decode as its Content-Encoding says"
    )
    return UnexpectedResponseError(
        f"{origin(url)} answered {what} with {why}; is this a PostHog server?"
    )


def _too_large(response: httpx.Response, limit: int) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        f"{origin(response.request.url)} sent more than {limit / 2**20:g} MB in answer to"
        f" {response.request.method} {response.request.url.path}; hogtree stops reading"
        " there (no PostHog answer is that big: is this a PostHog server?)",
        status=response.status_code,
    )
