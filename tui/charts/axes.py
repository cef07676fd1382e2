"""Axis labels: dates in the insight's interval, and round numbers for counts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime


def day_label(day: str, interval: str) -> str:
    """A bucket's start as the x axis shows it: ``13:00`` by hour, ``3 Mar`` by day or week,
    ``Mar 2025`` by month; the raw text when it is not a date."""
    try:
        moment = datetime.fromisoformat(day)
    except ValueError:
        return day
    if interval in ("minute", "hour"):
        return moment.strftime("%H:%M")
    if interval == "month":
        return moment.strftime("%b %Y")
    return f"{moment.day} {moment.strftime('%b')}"


def tick_positions(count: int, width: int, label_width: int) -> list[int]:
    """Indexes of the buckets that get an x label: first and last, and evenly between
    as many as fit ``width`` cells with labels ``label_width`` wide."""
    if count <= 0:
        return []
    if count == 1:
        return [0]
    fit = max(2, min(count, width // (label_width + 3)))
    step = (count - 1) / (fit - 1)
    return sorted({round(i * step) for i in range(fit)})


def nice_ceiling(value: float) -> float:
    """The smallest round number (1, 1.5, 2, 2.5… times a power of ten) at or above
    ``value``: the top of a y axis."""
    if value <= 0:
        return 1
    power = 10.0 ** math.floor(math.log10(value))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if factor * power >= value:
            return factor * power
    return 10 * power


def y_ticks(values: Sequence[float], rows: int) -> list[float]:
    """0, the top and evenly between: about one tick every three rows."""
    top = nice_ceiling(max(values, default=0))
    parts = max(1, min(4, rows // 3))
    return [top * i / parts for i in range(parts + 1)]


def number(value: float) -> str:
    """A count as an axis or a table shows it: 1,234 / 12.5k / 3.4M, decimals only when
    the value has them."""
    size = abs(value)
    if size >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if size >= 10_000:
        return f"{value / 1_000:.1f}k".replace(".0k", "k")
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")
