"""The first line of a row of the Exports list, laid out in columns for the list's width:
the format (as wide as the widest listed), the state, the date; two spaces between. What
does not fit is left out, never run into its neighbour: first the date's year, then the
date."""

from __future__ import annotations

from rich.text import Text

GAP = "  "


def short_date(created: str) -> str:
    """``2026-12-03 14:00`` → ``12-03 14:00``; anything else unchanged."""
    return created[5:] if len(created) == 16 and created[4] == "-" else created


def export_row_line(
    format_name: str, state: Text, created: str, *, widths: tuple[int, int], width: int
) -> Text:
    """``PNG        ready   2026-12-03 14:00``: the format and the state padded to
    ``widths`` (the widest of each in the list), the whole no wider than ``width``."""
    format_width, state_width = widths
    line = Text()
    line.append(format_name.ljust(format_width), style="bold")
    line.append(GAP)
    line.append_text(state)
    line.append(" " * (state_width - state.cell_len))
    for date in (created, short_date(created)):
        if line.cell_len + len(GAP) + len(date) <= width:
            line.append(GAP + date, style="dim")
            break
    line.no_wrap = True
    line.overflow = "ellipsis"
    return line
