"""Insights and dashboards through PostHog's API (read only).

The project tree names an insight by its short id (an entry's ``ref``) while exports want
its numeric id: :meth:`InsightsApi.by_short_id` bridges the two.
"""

from __future__ import annotations

from urllib.parse import quote

from tui.api.errors import NotFoundError
from tui.api.transport import Transport, parse
from tui.models.insights import Dashboard, Insight, InsightPage


class InsightsApi:
    """``client.insights``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def by_short_id(self, short_id: str) -> Insight:
        """The insight a tree entry's ``ref`` names; :class:`NotFoundError` if none."""
        response = await self._transport.request(
            "GET", "insights/", params={"short_id": short_id, "limit": "1"}
        )
        page = parse(response, InsightPage)
        # Older servers ignore unknown filters: only an exact match counts.
        for insight in page.results:
            if insight.short_id == short_id:
                return insight
        raise NotFoundError(f"Not found: no insight has the short id {short_id!r}", status=404)

    async def get(self, id: int) -> Insight:
        response = await self._transport.request("GET", f"insights/{_number(id)}/")
        return parse(response, Insight)

    async def dashboard(self, id: int) -> Dashboard:
        response = await self._transport.request("GET", f"dashboards/{_number(id)}/")
        return parse(response, Dashboard)


def _number(id: int) -> str:
    # int() first: a string id such as "../x" can never become part of the path.
    return quote(str(int(id)), safe="")
