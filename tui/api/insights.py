"""Insights and dashboards through PostHog's API (read only).

The project tree names an insight by its short id (an entry's ``ref``) while exports want
its numeric id: :meth:`InsightsApi.by_short_id` bridges the two.
"""

from __future__ import annotations

import asyncio
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

    async def get(self, id: int, *, refresh: str | None = None) -> Insight:
        """One insight; ``refresh`` is PostHog's mode (absent: ``force_cache``, which
        answers a cached result or none)."""
        params = {"refresh": refresh} if refresh is not None else None
        response = await self._transport.request("GET", f"insights/{_number(id)}/", params=params)
        return parse(response, Insight)

    async def with_result(
        self, id: int, *, poll_every: float = 1.0, max_polls: int = 30
    ) -> Insight:
        """The insight with its result, as a preview should ask (api.md 8.7): the cache
        first, a computation only on a miss (``blocking`` reuses a fresh result rather
        than forcing PostHog to recompute), then ``force_cache`` again while PostHog says
        the query still runs. An insight whose kind has no result keeps ``result`` None."""
        insight = await self.get(id, refresh="force_cache")
        if insight.result is None and not insight.computing:
            insight = await self.get(id, refresh="blocking")
        polls = 0
        while insight.computing and polls < max_polls:
            polls += 1
            await asyncio.sleep(poll_every)
            insight = await self.get(id, refresh="force_cache")
        return insight

    async def dashboard(self, id: int) -> Dashboard:
        response = await self._transport.request("GET", f"dashboards/{_number(id)}/")
        return parse(response, Dashboard)


def _number(id: int) -> str:
    # int() first: a string id such as "../x" can never become part of the path.
    return quote(str(int(id)), safe="")
