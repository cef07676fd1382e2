"""The exports bodies (``exports/``): an exported asset and its formats.

Shared vocabulary: the client parses responses with them, the local server uses the
formats and their extensions. Unknown fields are ignored, and ``export_format`` stays a
plain string on the asset so a format a newer PostHog adds does not break parsing.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from tui.models.file_system import Page, WireModel


class ExportFormat(StrEnum):
    """Every ``export_format`` PostHog accepts (any other value: 400 ``invalid_choice``)."""

    PNG = "image/png"
    PDF = "application/pdf"
    CSV = "text/csv"
    XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    WEBM = "video/webm"
    MP4 = "video/mp4"
    GIF = "image/gif"
    JSON = "application/json"

    @property
    def extension(self) -> str:
        return EXTENSIONS[self]

    @property
    def is_table(self) -> bool:
        """CSV and XLSX: rows of data, kept a week (images and PDFs: half a year)."""
        return self in TABLE_FORMATS


# The file extension PostHog gives each format's filename.
EXTENSIONS: dict[ExportFormat, str] = {
    ExportFormat.PNG: "png",
    ExportFormat.PDF: "pdf",
    ExportFormat.CSV: "csv",
    ExportFormat.XLSX: "xlsx",
    ExportFormat.WEBM: "webm",
    ExportFormat.MP4: "mp4",
    ExportFormat.GIF: "gif",
    ExportFormat.JSON: "json",
}

TABLE_FORMATS = frozenset({ExportFormat.CSV, ExportFormat.XLSX})


def export_format(value: str) -> ExportFormat | None:
    """``value`` as a known format, or ``None`` for one this hogtree does not know."""
    try:
        return ExportFormat(value)
    except ValueError:
        return None


class ExportedAsset(WireModel):
    """One export: what was exported, in which format, and whether its content is ready."""

    id: int
    dashboard: int | None = None
    insight: int | None = None
    export_format: str
    created_at: datetime | None = None
    has_content: bool = False
    export_context: dict[str, Any] | None = None
    filename: str | None = None
    expires_after: datetime | None = None
    exception: str | None = None

    @property
    def format(self) -> ExportFormat | None:
        return export_format(self.export_format)

    @property
    def extension(self) -> str:
        """The extension its file should carry (``bin`` for a format hogtree does not know)."""
        known = self.format
        return known.extension if known is not None else "bin"

    @property
    def is_finished(self) -> bool:
        """Content ready, or generation failed: either way, polling is over."""
        return self.has_content or bool(self.exception)


class ExportCreate(WireModel):
    """``POST exports/``: a format and one of dashboard, insight, export_context."""

    export_format: ExportFormat
    dashboard: int | None = None
    insight: int | None = None
    export_context: dict[str, Any] | None = None


class ExportPage(Page[ExportedAsset]):
    pass
