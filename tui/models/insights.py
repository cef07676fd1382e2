"""Insights and dashboards as PostHog's API reads them (``insights/``, ``dashboards/``).

Exports take an insight's numeric ``id`` while the project tree names it by its short id,
so the client looks insights up by ``short_id``. A trends insight's ``result`` is one
entry per series, each with a value per day, as PostHog sends it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from tui.models.file_system import Page, WireModel


class TrendSeries(WireModel):
    """One series of a trends result: its values over ``days``."""

    label: str = ""
    count: float = 0
    data: list[float] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    days: list[str] = Field(default_factory=list)
    action: dict[str, Any] | None = None


class Insight(WireModel):
    id: int
    short_id: str
    name: str | None = None
    derived_name: str | None = None
    description: str | None = None
    deleted: bool = False
    query: dict[str, Any] | None = None
    # Only trends are computed by the local server; PostHog sends other shapes for other
    # kinds of insight, so anything is accepted here.
    result: Any = None
    created_at: datetime | None = None
    last_refresh: datetime | None = None

    @property
    def title(self) -> str:
        return self.name or self.derived_name or f"Insight {self.short_id}"

    @property
    def event_names(self) -> list[str]:
        """The events the insight's query counts (``query.source.series[].event``), each
        once, in order; none for a query of another shape."""
        query = self.query
        if not isinstance(query, dict):
            return []
        source = query.get("source", query)
        series = source.get("series") if isinstance(source, dict) else None
        names: list[str] = []
        for item in series if isinstance(series, list) else []:
            name = item.get("event") if isinstance(item, dict) else None
            if isinstance(name, str) and name and name not in names:
                names.append(name)
        return names


class InsightPage(Page[Insight]):
    pass


class TileInsight(WireModel):
    """The insight a dashboard tile shows (PostHog sends the whole insight; this is the
    part hogtree reads)."""

    id: int
    short_id: str
    name: str | None = None


class DashboardTile(WireModel):
    id: int
    insight: TileInsight | None = None  # a text tile has none


class Dashboard(WireModel):
    id: int
    name: str | None = None
    description: str | None = None
    deleted: bool = False
    created_at: datetime | None = None
    tiles: list[DashboardTile] = Field(default_factory=list)
