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
    """One series of a trends result: its values over ``days`` (or, for a total display,
    one ``aggregated_value``)."""

    label: str = ""
    count: float = 0
    data: list[float] = Field(default_factory=list)
    labels: list[str] = Field(default_factory=list)
    days: list[str] = Field(default_factory=list)
    action: dict[str, Any] | None = None
    aggregated_value: float | None = None
    breakdown_value: Any = None
    compare_label: str | None = None

    @property
    def name(self) -> str:
        """The series as a legend names it (with its breakdown value or comparison)."""
        extra = [str(x) for x in (self.breakdown_value, self.compare_label) if x not in (None, "")]
        return " · ".join([self.label or "series", *extra])


class FunnelStep(WireModel):
    """One step of a funnel's result: the people who reached it."""

    name: str = ""
    custom_name: str | None = None
    order: int = 0
    count: float = 0

    @property
    def title(self) -> str:
        return self.custom_name or self.name or f"Step {self.order + 1}"


# Displays of a trends insight that show one number per series, not a value per interval.
TOTAL_DISPLAYS = frozenset(
    {"BoldNumber", "ActionsPie", "ActionsBarValue", "ActionsTable", "WorldMap", "CalendarHeatmap"}
)
BAR_DISPLAYS = frozenset({"ActionsBar", "ActionsStackedBar", "ActionsUnstackedBar"})


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
    is_cached: bool | None = None
    # Set while PostHog computes the result in the background (async refresh modes).
    query_status: dict[str, Any] | None = None
    timezone: str | None = None
    resolved_date_range: dict[str, Any] | None = None

    @property
    def computing(self) -> bool:
        """Whether PostHog is still computing the result (re-ask with ``force_cache``)."""
        status = self.query_status
        return isinstance(status, dict) and not status.get("complete", False)

    @property
    def source(self) -> dict[str, Any]:
        """The insight's query source (``query.source`` of an InsightVizNode), or {}."""
        query = self.query
        if not isinstance(query, dict):
            return {}
        source = query.get("source", query) if query.get("kind") == "InsightVizNode" else query
        return source if isinstance(source, dict) else {}

    @property
    def kind(self) -> str | None:
        """The query's kind: ``TrendsQuery``, ``FunnelsQuery``…"""
        kind = self.source.get("kind")
        return kind if isinstance(kind, str) else None

    @property
    def display(self) -> str:
        """How PostHog's web app draws a trends insight (absent = a line graph)."""
        trends_filter = self.source.get("trendsFilter")
        display = trends_filter.get("display") if isinstance(trends_filter, dict) else None
        return display if isinstance(display, str) and display else "ActionsLineGraph"

    @property
    def interval(self) -> str:
        interval = self.source.get("interval")
        return interval if isinstance(interval, str) else "day"

    def trend_series(self) -> list[TrendSeries]:
        """The result read as trends series (none when it is not a list of them)."""
        result = self.result
        if not isinstance(result, list):
            return []
        return [TrendSeries.model_validate(item) for item in result if isinstance(item, dict)]

    def funnel_steps(self) -> list[FunnelStep]:
        """The result read as funnel steps; a funnel with a breakdown answers a list per
        breakdown value, of which the first is read."""
        result = self.result
        if isinstance(result, list) and result and isinstance(result[0], list):
            result = result[0]
        if not isinstance(result, list):
            return []
        steps = [FunnelStep.model_validate(item) for item in result if isinstance(item, dict)]
        return sorted(steps, key=lambda step: step.order)

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
