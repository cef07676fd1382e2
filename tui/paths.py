"""PostHog's path rules for the project tree.

A path is its segments joined by ``/``. Inside a segment a backslash is written ``\\\\`` and
a slash ``\\/``; stored paths are always in this escaped form. These pure functions are the
shared vocabulary of the client, the local server and the UI, so all three agree on what a
path means.
"""

from __future__ import annotations

from collections.abc import Iterable

SEPARATOR = "/"
ESCAPE = "\\"


def escape(segment: str) -> str:
    """Escape one segment so it can be joined into a path."""
    return segment.replace(ESCAPE, ESCAPE * 2).replace(SEPARATOR, ESCAPE + SEPARATOR)


def unescape(text: str) -> str:
    """Undo :func:`escape`: ``\\`` before ``/`` or ``\\`` yields that character; any other
    backslash stays as it is."""
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == ESCAPE and i + 1 < len(text) and text[i + 1] in (ESCAPE, SEPARATOR):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(char)
            i += 1
    return "".join(out)


def split(path: str) -> list[str]:
    """Split an escaped path into its unescaped segments; empty segments are dropped."""
    segments: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(path):
        char = path[i]
        if char == ESCAPE and i + 1 < len(path) and path[i + 1] in (ESCAPE, SEPARATOR):
            current.append(path[i + 1])
            i += 2
            continue
        if char == SEPARATOR:
            if current:
                segments.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    if current:
        segments.append("".join(current))
    return segments


def join(segments: Iterable[str]) -> str:
    """Join unescaped segments into an escaped path."""
    return SEPARATOR.join(escape(segment) for segment in segments)


def parent(path: str) -> str:
    """The escaped path of the folder holding ``path`` (``""`` at the top level)."""
    return join(split(path)[:-1])


def basename(path: str) -> str:
    """The unescaped last segment of ``path`` (``""`` for an empty path)."""
    segments = split(path)
    return segments[-1] if segments else ""


def depth(path: str) -> int:
    """The number of segments of ``path``."""
    return len(split(path))


def child(folder: str, name: str) -> str:
    """The path of an entry called ``name`` (unescaped) inside ``folder`` (escaped)."""
    return join([*split(folder), name])


def normalize(path: str) -> str:
    """The canonical spelling of ``path``: no empty segments, every escape minimal."""
    return join(split(path))


def ends_with_separator(text: str) -> bool:
    """Whether ``text`` ends in an unescaped ``/`` (``Reports/`` does, ``Q4 \\/`` does not):
    the slash is escaped when an odd number of backslashes stands before it."""
    if not text.endswith(SEPARATOR):
        return False
    before = text[:-1]
    return (len(before) - len(before.rstrip(ESCAPE))) % 2 == 0


def is_within(path: str, folder: str) -> bool:
    """Whether ``path`` lies strictly inside ``folder`` (PostHog's ``startswith(folder + "/")``)."""
    return path.startswith(folder + SEPARATOR)
