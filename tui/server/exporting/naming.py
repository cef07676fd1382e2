"""An export's filename and expiry, as PostHog gives them."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, time, timedelta

from tui.models.exports import ExportFormat

# Tables are cheap to remake and may hold personal data: kept a week. Images and PDFs
# are shared in reports and subscriptions: kept half a year.
TABLE_LIFETIME = timedelta(days=7)
IMAGE_LIFETIME = timedelta(days=180)

_NOT_SLUG = re.compile(r"[^\w\s-]")
_SEPARATORS = re.compile(r"[-\s]+")


def slugify(text: str) -> str:
    """Django's ``slugify`` (PostHog uses it): ASCII letters, digits, ``_`` and single
    hyphens, lower case. "Q4 / Q1 launch — conversions" gives ``q4-q1-launch-conversions``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    ascii_text = _NOT_SLUG.sub("", ascii_text.lower())
    return _SEPARATORS.sub("-", ascii_text).strip("-_")


def export_filename(
    export_format: ExportFormat,
    created_at: datetime,
    *,
    name: str | None = None,
    context_filename: str | None = None,
) -> str:
    """``export-<slug of name>-YYYY-mm-dd-HHMMSS.<ext>``, or the slug of the context's
    ``filename`` when it has one.

    **Local server differs:** a context filename whose slug is empty (``"../.."``) falls
    back to the dated name instead of giving a file called ``.csv``.
    """
    extension = export_format.extension
    if context_filename:
        slug = slugify(context_filename)
        if slug:
            return f"{slug}.{extension}"
    stem = "export"
    if name:
        slug = slugify(name)
        stem = f"{stem}-{slug}" if slug else stem
    return f"{stem}-{created_at.strftime('%Y-%m-%d-%H%M%S')}.{extension}"


def expires_after(export_format: ExportFormat, created_at: datetime) -> datetime:
    """Midnight (in ``created_at``'s zone) of the day the export's lifetime ends."""
    lifetime = TABLE_LIFETIME if export_format.is_table else IMAGE_LIFETIME
    return datetime.combine((created_at + lifetime).date(), time(0), tzinfo=created_at.tzinfo)
