"""Above the Details fields: the chart of the insight under the cursor, or a dashboard's
first tiles as small charts (people decide by looking: the chart comes first, the fields
scroll below it).

Results are fetched in one exclusive worker after a short pause, so a fast j/j/j replaces
the request rather than queueing one per row passed; each insight's result is kept for
the session. Drawing happens at the pane's width and again when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from rich.console import Group, RenderableType
from rich.rule import Rule
from rich.text import Text
from textual import work
from textual.events import Resize
from textual.widgets import Static

from tui.api import ApiError, PostHogClient
from tui.app.errors import describe
from tui.charts import Palette, draw_insight
from tui.models import FileSystemEntry
from tui.models.insights import Insight

# A pause before fetching: the cursor passing over a row fetches nothing.
DEBOUNCE_S = 0.15
# Rows of a plot in the pane, and of each small chart on a dashboard.
PLOT_HEIGHT = 12
TILE_HEIGHT = 7
# How many of a dashboard's tiles are drawn (the first ones, as the web app lays them out).
MAX_TILES = 4
CHARTED = frozenset({"insight", "dashboard"})


@dataclass(frozen=True)
class Board:
    """A dashboard's drawn tiles and how many more it has."""

    name: str
    tiles: tuple[Insight, ...]
    more: int


class InsightChart(Static):
    """The chart of ``entry`` (an insight or a dashboard), or nothing for other entries."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.client: PostHogClient | None = None
        self.entry: FileSystemEntry | None = None
        self.shown: Insight | Board | str | None = None  # a str: why there is nothing
        self._insights: dict[str, Insight] = {}  # by short id: results of this session
        self._boards: dict[str, Board] = {}  # by dashboard id
        # What each fetched chart looks like at each width it was drawn at.
        self._drawn: dict[tuple[int, int], RenderableType] = {}

    def connect(self, client: PostHogClient) -> None:
        if self.client is not None and client is not self.client:
            # Another project (P): what was fetched belongs to the one before.
            self._insights.clear()
            self._boards.clear()
            self._drawn.clear()
        self.client = client

    def show(self, entry: FileSystemEntry | None) -> None:
        """The cursor is on ``entry``: draw its chart (from the session's cache, or fetched
        after a pause)."""
        same = (
            entry is not None
            and self.entry is not None
            and (entry.type, entry.ref) == (self.entry.type, self.entry.ref)
        )
        self.entry = entry
        if same and self.shown is not None:
            return
        if entry is None or entry.type not in CHARTED or not entry.ref:
            self.shown = None
            self.display = False
            self.workers.cancel_group(self, "chart")
            return
        self.display = True
        cached = (
            self._insights.get(entry.ref)
            if entry.type == "insight"
            else self._boards.get(entry.ref)
        )
        if cached is not None:
            self.workers.cancel_group(self, "chart")
            self._draw(cached)
            return
        self.shown = None
        self.update(Text("Loading the chart…", style="dim italic"))
        self.fetch_if_seen()

    def fetch_if_seen(self) -> None:
        """Fetch the entry's chart if it is wanted and the pane and tab are on show (a
        hidden pane costs no request); the pane calls this again when it opens."""
        entry = self.entry
        if self.client is None or entry is None or self.shown is not None:
            return
        if entry.type not in CHARTED or not entry.ref or not self._in_sight():
            return
        self._load(entry)

    def _in_sight(self) -> bool:
        """No ancestor hidden: the pane is open and the Details tab is the active one."""
        return all(getattr(node, "display", True) for node in self.ancestors)

    @work(exclusive=True, group="chart")
    async def _load(self, entry: FileSystemEntry) -> None:
        assert self.client is not None and entry.ref
        await anyio.sleep(DEBOUNCE_S)
        try:
            if entry.type == "insight":
                found: Insight | Board = await self._insight(entry.ref)
            else:
                found = await self._board(entry.ref)
        except ApiError as error:
            if entry is self.entry:
                self._draw(f"No chart: {describe(error)}")
            return
        except ValueError as error:  # a ref that names no number
            if entry is self.entry:
                self._draw(f"No chart: {error}")
            return
        if entry is self.entry:
            await self._draw_aside(entry, found)

    async def _insight(self, short_id: str) -> Insight:
        assert self.client is not None
        known = self._insights.get(short_id)
        if known is not None:
            return known
        found = await self.client.insights.by_short_id(short_id)
        insight = await self.client.insights.with_result(found.id)
        self._insights[short_id] = insight
        return insight

    async def _board(self, ref: str) -> Board:
        assert self.client is not None
        dashboard = await self.client.insights.dashboard(int(ref))
        tiles = [tile.insight for tile in dashboard.tiles if tile.insight is not None]
        drawn = []
        for tile in tiles[:MAX_TILES]:
            known = self._insights.get(tile.short_id)
            if known is None:
                known = await self.client.insights.with_result(tile.id)
                self._insights[tile.short_id] = known
            drawn.append(known)
        board = Board(dashboard.name or f"Dashboard {ref}", tuple(drawn), len(tiles) - len(drawn))
        self._boards[ref] = board
        return board

    # ------------------------------------------------------------------ drawing

    def on_resize(self, event: Resize) -> None:
        shown = self.shown
        if shown is None:
            return
        if isinstance(shown, str) or (id(shown), self._width()) in self._drawn:
            self._draw(shown)  # a message, or drawn at this width before: nothing to draw
        elif self.entry is not None:
            # Drawn again at the new width in a thread, as the first time (a scrollbar coming
            # and going resizes a dashboard's four charts: ~50 ms on the loop); the drawing
            # at the old width stays until then.
            self.run_worker(
                self._draw_aside(self.entry, shown), group="chart-resize", exclusive=True
            )

    def _width(self) -> int:
        return self.content_size.width or 40

    def palette(self) -> Palette:
        """Series colours from the app's theme (primary first, as PostHog's first series)."""
        theme = self.app.current_theme
        picked = [theme.primary, theme.warning, theme.success, theme.error, theme.accent]
        colors = tuple(dict.fromkeys(c for c in picked if c))
        return Palette(colors=colors or Palette().colors)

    def _draw(self, shown: Insight | Board | str) -> None:
        """Show ``shown`` now, drawn here if it was not drawn at this width before (a
        message, the cache's chart again, a new width after a resize)."""
        if not self.is_attached:
            return  # a late answer while the app closes
        self.shown = shown
        width = self._width()
        drawn = self._drawn.get((id(shown), width))
        if drawn is None:
            drawn = self.renderable_for(shown)
            if not isinstance(shown, str):
                self._drawn[(id(shown), width)] = drawn
        self.update(drawn)

    async def _draw_aside(self, entry: FileSystemEntry, shown: Insight | Board) -> None:
        """Draw ``shown`` in a thread (a dashboard's four charts took B6's event loop past
        100 ms), then show it if the cursor is still on ``entry``."""
        width, palette = self._width(), self.palette()
        drawn = await anyio.to_thread.run_sync(chart_renderable, shown, width, palette)
        self._drawn[(id(shown), width)] = drawn
        if entry is self.entry and self.is_attached:
            self._draw(shown)

    def renderable_for(self, shown: Insight | Board | str) -> RenderableType:
        return chart_renderable(shown, self._width(), self.palette())


def chart_renderable(shown: Insight | Board | str, width: int, palette: Palette) -> RenderableType:
    """What the pane shows for ``shown`` at ``width``: a message, an insight's chart, or a
    dashboard's first tiles. Plain work on data: it may run in a thread."""
    if isinstance(shown, str):
        return Text(shown, style="italic")
    if isinstance(shown, Insight):
        return Group(draw_insight(shown, width, PLOT_HEIGHT, palette), Rule(style="dim"))
    parts: list[RenderableType] = []
    if not shown.tiles:
        parts.append(Text("This dashboard has no insight tiles.", style="dim italic"))
    for insight in shown.tiles:
        parts.append(Text(insight.title, style="bold", no_wrap=True, overflow="ellipsis"))
        parts.append(draw_insight(insight, width, TILE_HEIGHT, palette))
        parts.append(Text())
    if shown.more:
        parts.append(Text(f"+ {shown.more} more tiles", style="dim"))
    parts.append(Rule(style="dim"))
    return Group(*parts)
