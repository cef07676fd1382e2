"""An insight's result as PostHog serves it: from a cache, computed only when the
``refresh`` mode asks (api.md 8.7).

PostHog's default, ``force_cache``, never computes: a miss answers ``result: null`` and a
client that wants a chart asks again with ``blocking``. The local server keeps its cache in
memory, per server process; the async modes compute at once (the local server is fast) and
say so with a complete ``query_status``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

Mode = Literal["force_cache", "blocking", "async", "lazy_async", "force_blocking", "force_async"]
MODES: frozenset[str] = frozenset(
    {"force_cache", "blocking", "async", "lazy_async", "force_blocking", "force_async"}
)
# Modes that recompute even a fresh result.
_FORCING = frozenset({"force_blocking", "force_async"})
# Modes that compute on a miss or a stale result.
_COMPUTING = frozenset({"blocking", "async", "lazy_async"})
_ASYNC = frozenset({"async", "lazy_async", "force_async"})

# How long a result stays fresh, by the query's interval (PostHog's default thresholds).
_FRESH_FOR = {
    "minute": timedelta(seconds=15),
    "hour": timedelta(minutes=15),
    "day": timedelta(hours=6),
    "week": timedelta(days=1),
    "month": timedelta(days=1),
}
_FRESH_DEFAULT = timedelta(hours=6)


def refresh_mode(raw: str | None) -> Mode:
    """``refresh`` as PostHog reads it: absent = ``force_cache``; ``true`` or empty =
    ``force_blocking``; ``false`` or an unknown word = ``force_cache``."""
    if raw is None:
        return "force_cache"
    word = raw.strip().lower()
    if word in ("", "true", "1"):
        return "force_blocking"
    return word if word in MODES else "force_cache"  # type: ignore[return-value]


@dataclass(frozen=True)
class Cached:
    result: Any
    computed_at: datetime


@dataclass(frozen=True)
class Answer:
    """What the insight's response says of its result."""

    result: Any
    last_refresh: datetime | None
    is_cached: bool
    query_status: dict[str, Any] | None


class ResultCache:
    """Results by (project, insight, query): an edited query is a miss, as on PostHog."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, int, str], Cached] = {}

    def answer(
        self,
        project_id: int,
        insight_id: int,
        query: Any,
        mode: Mode,
        compute: Callable[[], Any],
        *,
        now: datetime | None = None,
    ) -> Answer:
        now = now or datetime.now(UTC)
        key = (project_id, insight_id, json.dumps(query, sort_keys=True, default=str))
        with self._lock:
            cached = self._entries.get(key)
        fresh = cached is not None and now - cached.computed_at < _fresh_for(query)
        if mode in _FORCING or (mode in _COMPUTING and not fresh):
            result = compute()
            with self._lock:
                self._entries[key] = Cached(result, now)
            return Answer(result, now, False, _status(mode, now))
        if cached is None:
            return Answer(None, None, False, None)
        return Answer(cached.result, cached.computed_at, True, _status(mode, now))


def _fresh_for(query: Any) -> timedelta:
    source = query.get("source", query) if isinstance(query, dict) else None
    interval = source.get("interval") if isinstance(source, dict) else None
    return (
        _FRESH_FOR.get(interval, _FRESH_DEFAULT) if isinstance(interval, str) else (_FRESH_DEFAULT)
    )


def _status(mode: Mode, now: datetime) -> dict[str, Any] | None:
    """An async mode's query status: always complete here, the work being done at once."""
    if mode not in _ASYNC:
        return None
    return {"id": f"local-{now.timestamp():.6f}", "complete": True, "error": False}
