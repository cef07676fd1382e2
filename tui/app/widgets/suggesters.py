"""Inline completions (accepted with ``→``) for the Events tab's filter boxes: from what
the loaded events held, and from the values the server knows of a property."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.suggester import Suggester

from tui.api import ApiError, PostHogClient
from tui.app.event_text import as_text
from tui.models.events import split_property_text


def first_completion(candidates: Iterable[str], typed: str) -> str | None:
    """The first candidate (in any case's order) that ``typed`` begins, other than itself."""
    folded = typed.casefold()
    for candidate in sorted(set(candidates), key=str.casefold):
        if candidate != typed and candidate.casefold().startswith(folded):
            return candidate
    return None


class SeenSuggester(Suggester):
    """Completes from ``source()`` (what the loaded events held); with a ``separator``,
    the last of several values."""

    def __init__(self, source: Callable[[], Iterable[str]], separator: str | None = None) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.source = source
        self.separator = separator

    async def get_suggestion(self, value: str) -> str | None:
        head, last = "", value
        if self.separator and self.separator in value:
            at = value.rindex(self.separator) + len(self.separator)
            head, last = value[:at], value[at:]
            head, last = head + last[: len(last) - len(last.lstrip())], last.lstrip()
        if not last:
            return None
        found = first_completion(self.source(), last)
        return head + found if found is not None else None


class PropertySuggester(Suggester):
    """``key`` completes from ``keys()`` (the property keys seen); ``key=val`` from the
    values the server knows (``events/values/``) for the events named by ``event_names()``.
    ``client()`` is the client, once there is one."""

    def __init__(
        self,
        client: Callable[[], PostHogClient | None],
        keys: Callable[[], Iterable[str]],
        event_names: Callable[[], list[str]],
    ) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.client = client
        self.keys = keys
        self.event_names = event_names

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        key, mark, typed = split_property_text(value)
        if not mark:
            return first_completion(self.keys(), value)
        client = self.client()
        names = self.event_names()
        if client is None or not key.strip() or not names:
            return None
        try:
            found = await client.events.values(key.strip(), names, value=typed or None)
        except ApiError:
            return None
        values = [as_text(v.name) for v in found.results if v.name is not None]
        completion = first_completion(values, typed) if typed else (values[0] if values else None)
        return f"{key}{mark}{completion}" if completion is not None else None
