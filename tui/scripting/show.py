"""``show``: an insight's chart (or a dashboard's tiles, one chart each) printed to the
terminal, drawn as the app's Details pane draws it; ``--json`` prints the series instead.

Colour only on a terminal (and never with ``NO_COLOR``): piped, the chart is plain text,
its series told apart by their markers.
"""

from __future__ import annotations

import argparse
import os
import shutil

from rich.console import Console

from tui.api import PostHogClient
from tui.charts import Palette, chart_series, draw_insight
from tui.charts.palette import MONOCHROME
from tui.labels import type_name
from tui.models.insights import Insight
from tui.ops import require
from tui.scripting.errors import CommandError
from tui.scripting.output import Output

CHART_HEIGHT = 14
TILE_HEIGHT = 9
# Piped output has no width to follow: charts this wide.
PIPED_WIDTH = 80


async def show(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    found = await require(client, args.path)
    entry = found.entry
    if entry is None or entry.type not in ("insight", "dashboard") or not entry.ref:
        kind = type_name(entry.type) if entry is not None else "folder"
        raise CommandError(f"{found.describe()} is a {kind}: show draws insights and dashboards")
    if entry.type == "insight":
        insight = await client.insights.by_short_id(entry.ref)
        charts = [await client.insights.with_result(insight.id)]
        title = None
    else:
        try:
            dashboard = await client.insights.dashboard(int(entry.ref))
        except ValueError:
            raise CommandError(f"{found.describe()}: its ref names no dashboard") from None
        charts = [
            await client.insights.with_result(tile.insight.id)
            for tile in dashboard.tiles
            if tile.insight is not None
        ]
        title = dashboard.name
    if out.json:
        for insight in charts:
            out.json_line(chart_series(insight))
        return 0
    _print(charts, title, out, height=CHART_HEIGHT if title is None else TILE_HEIGHT)
    return 0


def _print(charts: list[Insight], dashboard: str | None, out: Output, *, height: int) -> None:
    color = out.stream.isatty() and not os.environ.get("NO_COLOR")
    width = shutil.get_terminal_size((PIPED_WIDTH, 24)).columns if color else PIPED_WIDTH
    console = Console(
        file=out.stream,
        width=width,
        no_color=not color,
        color_system="truecolor" if color else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    palette = Palette() if color else MONOCHROME
    if dashboard is not None:
        console.print(dashboard, style="bold underline")
        if not charts:
            console.print("This dashboard has no insight tiles.")
    for index, insight in enumerate(charts):
        if index or dashboard is not None:
            console.print()
        console.print(insight.title, style="bold")
        console.print(draw_insight(insight, width, height, palette))
    out.flush()
