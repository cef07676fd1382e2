"""Insights drawn as text: the side pane's chart and ``hogtree show`` share these.

``plotting`` draws lines and bars (plotext, braille cells); ``blocks`` draws what plotext
does not (a big number, funnel steps, a table); ``insight_chart`` picks the chart an
insight's kind and display call for, as PostHog's web app would.
"""

from tui.charts.insight_chart import chart_series, draw_insight
from tui.charts.palette import Palette

__all__ = ["Palette", "chart_series", "draw_insight"]
