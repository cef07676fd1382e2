"""``query/`` bodies for a TrendsQuery, as pydantic models: what the client reads back.

Unknown fields are ignored, so a newer PostHog adding fields does not break hogtree.
"""

from __future__ import annotations

from pydantic import Field

from tui.models.file_system import WireModel


class TrendsSeries(WireModel):
    """One series of a TrendsQuery's answer: a value per bucket, ``days`` naming the
    buckets (``2024-05-01``, by hour ``2024-05-01 13:00:00``)."""

    label: str = ""
    data: list[float] = Field(default_factory=list)
    days: list[str] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    count: float = 0


class TrendsResponse(WireModel):
    """``POST query/`` for a TrendsQuery: the series, and the range PostHog resolved."""

    results: list[TrendsSeries] = Field(default_factory=list)
    timezone: str | None = None
    is_cached: bool | None = None
