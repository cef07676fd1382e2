"""What a local server is started with: its database, its projects and its API keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

ALL_SCOPES = frozenset({"*"})

# A scale project holds at least this many entries: enough for the folder Big (a tenth)
# and a few folders of the smallest size beside it.
MIN_SCALE_ENTRIES = 100
# Counts may be spelt 250k or 1m.
_SUFFIXES = {"k": 1_000, "m": 1_000_000}


@dataclass(frozen=True)
class ApiKeySpec:
    """One personal API key the server accepts. Each key acts as its own user.

    ``projects`` is ``None`` when the key may use every project. ``as_demo_owner``: the key
    acts as the demo's owner instead, when the database holds the demo (the keys the demo
    makes for itself: see :func:`tui.server.app.user_for_spec`); never set from the command
    line.
    """

    key: str
    scopes: frozenset[str] = ALL_SCOPES
    projects: frozenset[int] | None = None
    as_demo_owner: bool = False

    def __repr__(self) -> str:  # the key itself never reaches a log or a traceback
        scopes = sorted(self.scopes)
        return f"ApiKeySpec(key={mask(self.key)!r}, scopes={scopes}, projects={self.projects})"

    @classmethod
    def parse(cls, text: str) -> ApiKeySpec:
        """Read ``KEY[=SCOPES][@PROJECTS]``, e.g. ``phx_ro=file_system:read`` or ``phx_p1=*@1``."""
        rest, _, projects_text = text.partition("@")
        key, _, scopes_text = rest.partition("=")
        key = key.strip()
        if not key:
            raise ValueError("an API key cannot be empty")
        scopes = frozenset(s.strip() for s in scopes_text.split(",") if s.strip()) or ALL_SCOPES
        projects: frozenset[int] | None = None
        if projects_text.strip():
            try:
                projects = frozenset(int(p) for p in projects_text.split(",") if p.strip())
            except ValueError:
                raise ValueError(
                    f"project ids after '@' must be numbers: {projects_text!r}"
                ) from None
        return cls(key=key, scopes=scopes, projects=projects)


def key_label(index: int) -> str:
    """What the server calls its ``index``-th key (from 1): the name of the user the key
    acts as, and the key's ``label``."""
    return f"Key {index}"


def mask(key: str) -> str:
    """A recognisable but useless rendering of a secret: its first four characters."""
    return key[:4] + "…" if len(key) > 8 else "…"


def generate_key() -> str:
    """A fresh personal API key in PostHog's ``phx_`` format."""
    return "phx_" + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class ScaleSeed:
    """``--seed scale:ENTRIES[:EVENTS]``: a project at PostHog scale (see ``seed_scale``).

    ``entries`` tree entries (a tenth of them in one folder, ``Big``) and ``events`` events.
    """

    entries: int
    events: int = 0

    @classmethod
    def parse(cls, text: str) -> ScaleSeed:
        """Read ``scale:1000000``, ``scale:1m``, ``scale:100k:1m`` (entries, then events)."""
        kind, _, rest = text.partition(":")
        sizes = rest.split(":") if rest else []
        if kind != "scale" or not 1 <= len(sizes) <= 2:
            raise ValueError(f"expected scale:ENTRIES[:EVENTS], e.g. scale:1m:1m, got {text!r}")
        counts = [_count(size) for size in sizes]
        if counts[0] < MIN_SCALE_ENTRIES:
            raise ValueError(f"a scale project holds at least {MIN_SCALE_ENTRIES} entries")
        return cls(entries=counts[0], events=counts[1] if len(counts) == 2 else 0)

    def __str__(self) -> str:
        return f"scale:{self.entries}:{self.events}"


def _count(text: str) -> int:
    """``1000000``, ``1_000_000``, ``1m`` or ``250k``: a count of rows."""
    spelled = text.strip().lower().replace("_", "")
    factor = _SUFFIXES.get(spelled[-1:], 1)
    digits = spelled[:-1] if factor > 1 else spelled
    if not digits.isdigit():
        raise ValueError(f"expected a count like 1000000, 250k or 1m, got {text!r}")
    return int(digits) * factor


# What a new database starts with: the demo project, nothing, or a project at scale.
SeedKind = Literal["demo", "empty"] | ScaleSeed


def parse_seed(text: str) -> SeedKind:
    """``demo``, ``empty`` or ``scale:ENTRIES[:EVENTS]``, as ``--seed`` takes them."""
    if text == "demo":
        return "demo"
    if text == "empty":
        return "empty"
    if not text.startswith("scale:"):
        raise ValueError(f"expected demo, empty or scale:ENTRIES[:EVENTS], got {text!r}")
    return ScaleSeed.parse(text)


@dataclass(frozen=True)
class ServerSettings:
    db_path: Path
    projects: tuple[int, ...] = (1,)
    keys: tuple[ApiKeySpec, ...] = field(default_factory=tuple)
    seed: SeedKind = "demo"
    # Seconds an export takes to generate; above 0 it runs in the background and the
    # create call answers at once with has_content false, as older PostHog does.
    export_delay: float = 0.0
    # Events per minute generated in the background for a live demo (0: none).
    live_events_per_minute: float = 0.0
    # Milliseconds added before every response, to play a far server (0: none).
    latency_ms: float = 0.0
