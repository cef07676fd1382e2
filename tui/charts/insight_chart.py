"""The chart an insight's kind and display call for, as PostHog's web app draws them:
lines for trends over time, bars for bar displays, a big number, a table, value bars for
the other totals, and funnel steps. Also the same data as plain series (``--json``)."""

from __future__ import annotations

from typing import Any

from rich.console import Group, RenderableType
from rich.text import Text

from tui.charts import axes, blocks
from tui.charts.palette import Palette, bar_fill, legend_mark
from tui.charts.plotting import Lines, draw_lines, series_values
from tui.models.insights import BAR_DISPLAYS, TOTAL_DISPLAYS, Insight, TrendSeries

# Shorter than this and a line chart is unreadable: draw its totals instead.
MIN_PLOT_HEIGHT = 5
MIN_PLOT_WIDTH = 20


def draw_insight(insight: Insight, width: int, height: int, palette: Palette) -> RenderableType:
    """``insight``'s result drawn ``width`` cells wide, its plot ``height`` rows high (a
    legend or steps may add rows)."""
    width = max(10, width)
    if insight.kind == "FunnelsQuery":
        steps = insight.funnel_steps()
        if not steps:
            return _nothing(insight)
        return blocks.funnel([s.title for s in steps], [s.count for s in steps], palette, width)
    series = insight.trend_series()
    if not series:
        return _nothing(insight)
    names = [s.name for s in series]
    display = insight.display
    if display in TOTAL_DISPLAYS or all(not s.data for s in series):
        totals = [_total(s) for s in series]
        if display == "BoldNumber":
            return blocks.big_number(names, totals, palette, width)
        if display == "ActionsTable":
            rows = [[name, axes.number(t)] for name, t in zip(names, totals, strict=True)]
            return blocks.small_table(["series", "total"], rows, palette)
        return blocks.value_bars(names, totals, palette, width)
    totals = [s.count for s in series]
    bars = display in BAR_DISPLAYS
    legend = blocks.legend(names, totals, palette, width, bar_fill if bars else legend_mark)
    if height < MIN_PLOT_HEIGHT or width < MIN_PLOT_WIDTH:
        return legend
    days = series[0].days or series[0].labels
    lines = Lines(
        x_labels=tuple(axes.day_label(day, insight.interval) for day in days),
        values=series_values([_padded(s.data, len(days)) for s in series]),
    )
    plot = draw_lines(lines, width, height, palette, bars=bars)
    return Group(plot, legend)


def _nothing(insight: Insight) -> Text:
    kind = insight.kind or "insight"
    if insight.result is None:
        return Text(f"No result for this {kind} yet.", style="dim italic")
    return Text(f"Cannot draw this {kind}'s result.", style="dim italic")


def _total(series: TrendSeries) -> float:
    if series.aggregated_value is not None:
        return series.aggregated_value
    return series.count or sum(series.data)


def _padded(data: list[float], length: int) -> list[float]:
    return (data + [0.0] * length)[:length]


def chart_series(insight: Insight) -> dict[str, Any]:
    """The insight's result as plain data: what its chart draws."""
    base: dict[str, Any] = {
        "id": insight.id,
        "short_id": insight.short_id,
        "name": insight.title,
        "kind": insight.kind,
    }
    if insight.kind == "FunnelsQuery":
        steps = insight.funnel_steps()
        first = steps[0].count if steps else 0
        base["steps"] = [
            {
                "name": step.title,
                "count": step.count,
                "conversion": step.count / first if first else 0.0,
            }
            for step in steps
        ]
        return base
    base["display"] = insight.display
    base["interval"] = insight.interval
    base["series"] = [
        {
            "label": s.name,
            "days": s.days,
            "data": s.data,
            "count": s.count,
            **({"aggregated_value": s.aggregated_value} if s.aggregated_value is not None else {}),
        }
        for s in insight.trend_series()
    ]
    return base
