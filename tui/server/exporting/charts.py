"""Line charts of trends insights, and dashboards as a grid of them, drawn with Pillow.

An insight chart has its title, a y axis with round gridlines, day labels spaced so they
never overlap, one coloured line per series, and a legend with each series' total.
"""

from __future__ import annotations

import io
import math
from datetime import date
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from tui.server.exporting.subjects import DashboardSubject, InsightSubject
from tui.server.trends import TrendsResult

# PostHog's export images are about this shape: wide enough for a month of day labels.
INSIGHT_SIZE = (1200, 630)
# A dashboard is a grid of smaller charts, two to a row, under a header with its name.
TILE_SIZE = (800, 450)
DASHBOARD_COLUMNS = 2
GAP = 24
DASHBOARD_HEADER = 80

# PostHog's series colours, in its order, so exports look like the web app's charts.
PALETTE = (
    "#1d4aff",
    "#621da6",
    "#42827e",
    "#ce0e74",
    "#f14f58",
    "#7c440e",
    "#529a0a",
    "#0476fb",
    "#fe729e",
    "#35416b",
)
BACKGROUND = "#ffffff"
CANVAS = "#f3f4ef"  # around dashboard tiles
TEXT = "#1f2328"
MUTED = "#6b7280"
GRID = "#e5e7eb"
AXIS = "#9ca3af"
BORDER = "#d0d7de"

# At most this many y gridlines (plus zero), so labels stay legible on a small tile.
MAX_Y_TICKS = 5
# Legend lines under a chart; more series than fit are summed up as "+N more".
MAX_LEGEND_LINES = 2
# DejaVu covers far more scripts than Pillow's built-in font; used when installed.
PREFERRED_FONT = "DejaVuSans.ttf"
PREFERRED_BOLD_FONT = "DejaVuSans-Bold.ttf"
MAX_TEXT = 400

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@lru_cache(maxsize=32)
def font(size: int, *, bold: bool = False) -> Font:
    try:
        return ImageFont.truetype(PREFERRED_BOLD_FONT if bold else PREFERRED_FONT, size)
    except OSError:
        return ImageFont.load_default(size=size)


def dashboard_size(tile_count: int) -> tuple[int, int]:
    """The pixel size of a dashboard image with ``tile_count`` tiles (at least one cell)."""
    columns = min(DASHBOARD_COLUMNS, max(1, tile_count))
    rows = max(1, math.ceil(tile_count / DASHBOARD_COLUMNS))
    width = columns * TILE_SIZE[0] + (columns + 1) * GAP
    height = DASHBOARD_HEADER + rows * TILE_SIZE[1] + (rows + 1) * GAP
    return width, height


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --------------------------------------------------------------------------- one insight


def insight_image(subject: InsightSubject, size: tuple[int, int] = INSIGHT_SIZE) -> Image.Image:
    width, height = size
    scale = min(width / INSIGHT_SIZE[0], height / INSIGHT_SIZE[1])
    pad = round(24 * scale)
    title_font = font(max(14, round(26 * scale)), bold=True)
    text_font = font(max(11, round(15 * scale)))

    image = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    title = fit_text(draw, subject.title or "Untitled insight", title_font, width - 2 * pad)
    draw.text((pad, pad), title, font=title_font, fill=TEXT)
    top = pad + _line_height(title_font) + round(18 * scale)

    if subject.result is None or not subject.result.buckets:
        reason = subject.problem or "no data in its date range"
        message = fit_text(draw, f"Nothing to chart: {reason}", text_font, width - 2 * pad)
        draw.text((pad, top + pad), message, font=text_font, fill=MUTED)
        return image

    legend_top = _draw_legend(draw, subject.result, text_font, width, height, pad, scale)
    _draw_plot(
        draw,
        subject.result,
        text_font,
        box=(pad, top, width - pad, legend_top - round(10 * scale)),
        scale=scale,
    )
    return image


def _draw_plot(
    draw: ImageDraw.ImageDraw,
    result: TrendsResult,
    text_font: Font,
    *,
    box: tuple[int, int, int, int],
    scale: float,
) -> None:
    left, top, right, bottom = box
    label_height = _line_height(text_font)
    top_value, step = nice_scale(max((max(s.values, default=0) for s in result.series), default=0))
    ticks = [step * i for i in range(round(top_value / step) + 1)]
    tick_labels = [f"{tick:,}" for tick in ticks]
    left += round(max(draw.textlength(text, font=text_font) for text in tick_labels)) + round(
        10 * scale
    )
    bottom -= label_height + round(10 * scale)
    plot_height = max(1, bottom - top)

    def y_of(value: float) -> float:
        return bottom - value / top_value * plot_height

    for tick, text in zip(ticks, tick_labels, strict=True):
        y = y_of(tick)
        draw.line([(left, y), (right, y)], fill=GRID if tick else AXIS, width=1)
        text_width = draw.textlength(text, font=text_font)
        draw.text(
            (left - round(8 * scale) - text_width, y - label_height / 2),
            text,
            font=text_font,
            fill=MUTED,
        )

    count = len(result.buckets)
    inset = round(8 * scale)
    span = max(1, right - left - 2 * inset)

    def x_of(index: int) -> float:
        if count == 1:
            return left + inset + span / 2
        return left + inset + index * span / (count - 1)

    labels = [bucket_label(day, result.interval) for day in result.buckets]
    widest = max(draw.textlength(text, font=text_font) for text in labels)
    every = label_step(count, widest + 24 * scale, span)
    drawn_until = -math.inf
    for index in range(0, count, every):
        text = labels[index]
        text_width = draw.textlength(text, font=text_font)
        x = min(max(x_of(index) - text_width / 2, left), right - text_width)
        # Kept inside the plot at both ends, the last label can be pushed onto its neighbour.
        if x < drawn_until:
            continue
        drawn_until = x + text_width + 12 * scale
        draw.line([(x_of(index), bottom), (x_of(index), bottom + 4 * scale)], fill=AXIS)
        draw.text((x, bottom + round(6 * scale)), text, font=text_font, fill=MUTED)

    line_width = max(2, round(3 * scale))
    for index, series in enumerate(result.series):
        colour = PALETTE[index % len(PALETTE)]
        points = [(x_of(i), y_of(value)) for i, value in enumerate(series.values)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=line_width, joint="curve")
        # Dots only while they stay apart; on a long range they would blur the line.
        if count <= 62 or len(points) == 1:
            radius = line_width + 1
            for x, y in points:
                draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=colour)


def _draw_legend(
    draw: ImageDraw.ImageDraw,
    result: TrendsResult,
    text_font: Font,
    width: int,
    height: int,
    pad: int,
    scale: float,
) -> int:
    """Draw the legend at the bottom; answer the y where it starts."""
    line_height = _line_height(text_font) + round(8 * scale)
    swatch = round(12 * scale)
    gap = round(22 * scale)
    items = [
        (PALETTE[i % len(PALETTE)], f"{s.label} ({sum(s.values):,})")
        for i, s in enumerate(result.series)
    ]
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0.0
    available = width - 2 * pad
    for colour, text in items:
        text = fit_text(draw, text, text_font, available - swatch - 8)
        item_width = swatch + 8 + draw.textlength(text, font=text_font) + gap
        if lines[-1] and used + item_width > available:
            lines.append([])
            used = 0.0
        lines[-1].append((colour, text))
        used += item_width
    if len(lines) > MAX_LEGEND_LINES:
        hidden = sum(len(line) for line in lines[MAX_LEGEND_LINES - 1 :])
        lines = [*lines[: MAX_LEGEND_LINES - 1], [(MUTED, f"+{hidden} more series")]]
    legend_top = height - pad - len(lines) * line_height
    for row, line in enumerate(lines):
        x = float(pad)
        y = legend_top + row * line_height
        for colour, text in line:
            middle = y + _line_height(text_font) / 2
            draw.rectangle([x, middle - swatch / 2, x + swatch, middle + swatch / 2], fill=colour)
            x += swatch + 8
            draw.text((x, y), text, font=text_font, fill=TEXT)
            x += draw.textlength(text, font=text_font) + gap
    return legend_top


# --------------------------------------------------------------------------- a dashboard


def dashboard_image(subject: DashboardSubject) -> Image.Image:
    size = dashboard_size(len(subject.tiles))
    image = Image.new("RGB", size, CANVAS)
    draw = ImageDraw.Draw(image)
    title_font = font(30, bold=True)
    title = fit_text(draw, subject.title or "Untitled dashboard", title_font, size[0] - 2 * GAP)
    draw.text(
        (GAP, (DASHBOARD_HEADER + GAP - _line_height(title_font)) // 2),
        title,
        font=title_font,
        fill=TEXT,
    )
    tiles = subject.tiles or (
        InsightSubject(title="This dashboard has no insights", result=None, problem="no tiles"),
    )
    for index, tile in enumerate(tiles):
        row, column = divmod(index, DASHBOARD_COLUMNS)
        x = GAP + column * (TILE_SIZE[0] + GAP)
        y = DASHBOARD_HEADER + GAP + row * (TILE_SIZE[1] + GAP)
        image.paste(insight_image(tile, TILE_SIZE), (x, y))
        draw.rectangle([x - 1, y - 1, x + TILE_SIZE[0], y + TILE_SIZE[1]], outline=BORDER)
    return image


# --------------------------------------------------------------------------- helpers


def nice_scale(maximum: float) -> tuple[int, int]:
    """A round top for the y axis and its step (1, 2 or 5 times 10^k), at most MAX_Y_TICKS steps."""
    if maximum <= 0:
        return MAX_Y_TICKS - 1, 1
    raw = maximum / MAX_Y_TICKS
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    return math.ceil(maximum / step) * step, step


def label_step(count: int, label_width: float, span: float) -> int:
    """Show every n-th bucket label so that neighbouring labels never overlap."""
    if count <= 1:
        return 1
    spacing = span / (count - 1)
    return max(1, math.ceil(label_width / max(spacing, 1e-9)))


def bucket_label(day: date, interval: str) -> str:
    if interval == "month":
        return f"{day.strftime('%b')} {day.year}"
    return f"{day.strftime('%b')} {day.day}"


def fit_text(draw: ImageDraw.ImageDraw, text: str, text_font: Font, width: float) -> str:
    """``text`` cut with an ellipsis to fit ``width`` pixels; control characters dropped."""
    # Longer than any chart is wide, in any font: no need to measure it letter by letter.
    text = "".join(ch if ch.isprintable() else " " for ch in text[:MAX_TEXT])
    if draw.textlength(text, font=text_font) <= width:
        return text
    while text and draw.textlength(text + "…", font=text_font) > width:
        text = text[:-1]
    return text + "…"


def _line_height(text_font: Font) -> int:
    box = text_font.getbbox("Ag")
    return int(box[3])
