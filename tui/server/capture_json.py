"""Capture's JSON bodies read in one pass, storability checked on the way.

:func:`tui.server.http.unstorable` refuses parsed JSON that cannot be stored and sent back (a
number out of range, a lone surrogate) by encoding the whole payload once more: for a batch
of a thousand events that second pass cost as much as parsing it. :func:`parse_storable`
answers the same without it in the usual case, and falls back on ``unstorable`` (so on its
very words) whenever a body might hold either:

- out-of-range numbers can only be the literals ``NaN``/``Infinity``/``-Infinity`` or a float
  literal too big for a float (``1e999``), and the parser hands each of those to a hook;
- a lone surrogate can only come from a ``\\uD800``-``\\uDFFF`` escape without its other
  half, or from the bytes of one (``json.loads`` reads bytes with ``surrogatepass``), both
  visible in the raw body.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from tui.server.http import unstorable


class _NotFinite(Exception):
    """A number JSON cannot hold, met while parsing (not a ValueError: that means "not JSON")."""


def _refuse_constant(_name: str) -> Any:
    raise _NotFinite


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NotFinite
    return value


# Once a body holds an escaped backslash, "\\ud800" may be text rather than an escape: such
# bodies (rare in events) take the full check instead of a subtler scan.
_ESCAPED_BACKSLASH = b"\\\\"
# Either half of a surrogate pair, escaped (each pattern starts with a literal, which the
# regex engine scans for quickly: a pattern with a look-behind first read every byte slowly).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE_BYTES = re.compile(rb"\xed[\xa0-\xbf]")
_HIGH_HALF = b"89abAB"


def _surely_no_surrogate(raw: bytes) -> bool:
    """Whether ``raw`` surely parses to no lone surrogate: valid pairs of escapes only."""
    if (
        json.detect_encoding(raw) != "utf-8"
        or _ESCAPED_BACKSLASH in raw
        or _SURROGATE_BYTES.search(raw) is not None
    ):
        return False
    high_ends_at = -1  # where the last high half ends, while it waits for its low half
    for escape in _SURROGATE_ESCAPE.finditer(raw):
        is_high = escape.group()[3] in _HIGH_HALF
        if high_ends_at >= 0:
            if is_high or escape.start() != high_ends_at:
                return False  # the high half before had no low half right after it
            high_ends_at = -1
        elif is_high:
            high_ends_at = escape.end()
        else:
            return False  # a low half with no high half before it
    return high_ends_at < 0


def parse_storable(raw: bytes) -> tuple[Any, str | None]:
    """``json.loads(raw)`` and why it cannot be stored (``unstorable``'s answer, ``None``
    when it can). Raises what ``json.loads`` raises for a body that is not JSON, as it
    would have first."""
    try:
        payload = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except _NotFinite:
        # Parsed again, plainly: a body that is not JSON at all is refused for that first.
        payload = json.loads(raw)
        return payload, unstorable(payload)
    if _surely_no_surrogate(raw):
        return payload, None
    return payload, unstorable(payload)
