"""What a local server is started with: its database, its projects and its API keys."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

SeedKind = Literal["demo", "empty"]

ALL_SCOPES = frozenset({"*"})


@dataclass(frozen=True)
class ApiKeySpec:
    """One personal API key the server accepts. Each key acts as its own user.

    ``projects`` is ``None`` when the key may use every project.
    """

    key: str
    scopes: frozenset[str] = ALL_SCOPES
    projects: frozenset[int] | None = None

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


def mask(key: str) -> str:
    """A recognisable but useless rendering of a secret: its first four characters."""
    return key[:4] + "…" if len(key) > 8 else "…"


def generate_key() -> str:
    """A fresh personal API key in PostHog's ``phx_`` format."""
    return "phx_" + secrets.token_urlsafe(32)


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
