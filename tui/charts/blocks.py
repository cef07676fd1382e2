"""What is drawn with rich text rather than a plot: the legend, a big number, funnel steps
as horizontal bars with their conversion, and a small table."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.style import Style
from rich.table import Table
from rich.text import Text

from tui.charts import axes
from tui.charts.palette import Palette, legend_mark

# Eighths of a cell, for bar ends finer than a whole cell.
_EIGHTHS = " ▏▎▍▌▋▊▉"


def _style(palette: Palette, index: int, *, bold: bool = False) -> Style:
    color = palette.color(index)
    return Style(color=color, bold=bold) if color else Style(bold=bold)


def legend(
    names: Sequence[str],
    totals: Sequence[float],
    palette: Palette,
    width: int,
    mark: Callable[[int], str] = legend_mark,
) -> Text:
    """One line a series: its marker (``mark``) in its colour, its name, its total."""
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, (name, total) in enumerate(zip(names, totals, strict=True)):
        if index:
            text.append("\n")
        text.append(f"{mark(index)} ", style=_style(palette, index))
        room = max(4, width - 4 - len(axes.number(total)) - 2)
        text.append(name if len(name) <= room else name[: room - 1] + "…")
        text.append(f"  {axes.number(total)}", style="dim")
    return text


def hbar(fraction: float, width: int) -> str:
    """A bar ``fraction`` of ``width`` cells long, to an eighth of a cell."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    full, part = divmod(eighths, 8)
    return "█" * full + (_EIGHTHS[part] if part else "")


# Digits three rows high (block cells), for a number that is read across a room.
_BIG = {
    "0": ("█▀█", "█ █", "▀▀▀"),
    "1": ("▀█ ", " █ ", "▀▀▀"),
    "2": ("▀▀█", "█▀▀", "▀▀▀"),
    "3": ("▀▀█", " ▀█", "▀▀▀"),
    "4": ("█ █", "▀▀█", "  ▀"),
    "5": ("█▀▀", "▀▀█", "▀▀▀"),
    "6": ("█▀▀", "█▀█", "▀▀▀"),
    "7": ("▀▀█", "  █", "  ▀"),
    "8": ("█▀█", "█▀█", "▀▀▀"),
    "9": ("█▀█", "▀▀█", "▀▀▀"),
    ",": ("  ", "  ", "▄▀"),
    ".": (" ", " ", "▀"),
    "-": ("   ", "▀▀▀", "   "),
    "k": ("█  ", "█▄▀", "▀ ▀"),
    "M": ("█▄▄█", "█▀▀█", "▀  ▀"),
}


def big_digits(shown: str) -> list[str]:
    """``shown`` as three rows of block cells (characters without a glyph are left out)."""
    glyphs = [_BIG[c] for c in shown if c in _BIG]
    return [" ".join(g[row] for g in glyphs) for row in range(3)]


def big_number(names: Sequence[str], values: Sequence[float], palette: Palette, width: int) -> Text:
    """PostHog's BoldNumber: the first series' value in big digits (plain when they do
    not fit), its name below; other series on a line each, smaller."""
    text = Text()
    for index, (name, value) in enumerate(zip(names, values, strict=True)):
        shown = f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
        if index == 0:
            rows = big_digits(shown)
            if len(rows[0]) <= width:
                for row in rows:
                    text.append(row + "\n", style=_style(palette, 0, bold=True))
                text.append(name, style="bold")
                continue
        if index:
            text.append("\n")
        text.append(shown, style=_style(palette, index, bold=True))
        text.append(f"  {name}", style="dim" if index else "bold")
    return text


def value_bars(names: Sequence[str], values: Sequence[float], palette: Palette, width: int) -> Text:
    """One horizontal bar a series, as PostHog's ActionsBarValue (and pie, in a terminal)."""
    top = max(values, default=0) or 1
    label_width = min(max((len(n) for n in names), default=1), max(6, width // 3))
    number_width = max((len(axes.number(v)) for v in values), default=1)
    room = max(1, width - label_width - number_width - 3)
    text = Text(no_wrap=True)
    for index, (name, value) in enumerate(zip(names, values, strict=True)):
        if index:
            text.append("\n")
        label = name if len(name) <= label_width else name[: label_width - 1] + "…"
        text.append(f"{label:<{label_width}} ")
        bar = hbar(value / top, room)
        text.append(bar, style=_style(palette, index))
        text.append(" " * (room - len(bar)))
        text.append(f" {axes.number(value):>{number_width}}", style="bold")
    return text


def funnel(names: Sequence[str], counts: Sequence[float], palette: Palette, width: int) -> Text:
    """Funnel steps top to bottom: a bar the share of the first step, the count, and the
    conversion from the first step and (from the second step on) from the previous one."""
    first = counts[0] if counts else 0
    room = max(4, width - 2)
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, (name, count) in enumerate(zip(names, counts, strict=True)):
        if index:
            text.append("\n")
        overall = count / first if first else 0.0
        text.append(f"{index + 1}. ", style="bold")
        text.append(name)
        text.append(f"  {axes.number(count)}", style="bold")
        text.append(f"  {overall:.1%}")
        if index:
            previous = counts[index - 1]
            step = count / previous if previous else 0.0
            text.append(f"  ({step:.1%} of step {index})", style="dim")
        text.append("\n  ")
        bar = hbar(overall, room)
        text.append(bar or "▏", style=_style(palette, 0))
        text.append("░" * max(0, room - len(bar) - (0 if bar else 1)), style="dim")
    return text


def small_table(header: Sequence[str], rows: Sequence[Sequence[str]], palette: Palette) -> Table:
    """A table as PostHog's ActionsTable: a row per series, its total."""
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="bold")
    for index, title in enumerate(header):
        table.add_column(title, justify="right" if index else "left", overflow="ellipsis")
    for index, row in enumerate(rows):
        first, *others = row
        table.add_row(Text(f"{legend_mark(index)} ", style=_style(palette, index)) + first, *others)
    return table
