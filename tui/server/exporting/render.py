"""One entry point: an export's format and gathered data in, the file's bytes out."""

from __future__ import annotations

from tui.models.exports import ExportFormat
from tui.server.exporting import tables
from tui.server.exporting.subjects import DashboardSubject, InsightSubject, Subject, Table


class ExportUnsupported(Exception):
    """This server cannot make this export; the message says so in words for a user."""


# Formats PostHog makes with a headless browser recording; the local server has none.
UNSUPPORTED_FORMATS = frozenset(
    {ExportFormat.WEBM, ExportFormat.MP4, ExportFormat.GIF, ExportFormat.JSON}
)


def unsupported_format_message(export_format: ExportFormat) -> str:
    return (
        f"Exporting as {export_format.value} is not supported by the local server;"
        " use PNG, PDF, CSV or XLSX."
    )


def render(export_format: ExportFormat, subject: Subject) -> bytes:
    # Imported on the first export, not when the server starts: Pillow and XlsxWriter
    # are a good part of the server's start-up, which the app's first page waits for.
    from tui.server.exporting import charts, documents, spreadsheets

    if export_format in UNSUPPORTED_FORMATS:
        raise ExportUnsupported(unsupported_format_message(export_format))
    if export_format.is_table:
        table = _as_table(subject)
        if export_format is ExportFormat.CSV:
            return spreadsheets.csv_bytes(table)
        return spreadsheets.xlsx_bytes(table)
    if isinstance(subject, Table):
        raise ExportUnsupported(
            "The local server exports rows of data as CSV or XLSX only, not as an image or PDF."
        )
    if isinstance(subject, InsightSubject):
        image = charts.insight_image(subject)
    else:
        image = charts.dashboard_image(subject)
    if export_format is ExportFormat.PNG:
        return charts.png_bytes(image)
    return documents.pdf_bytes([image], subject.title)


def _as_table(subject: Subject) -> Table:
    if isinstance(subject, Table):
        return subject
    if isinstance(subject, DashboardSubject):
        raise ExportUnsupported(
            "A dashboard exports as PNG or PDF; export one of its insights as CSV or XLSX."
        )
    if subject.result is None:
        raise ExportUnsupported(f"Cannot export this insight's data: {subject.problem}.")
    return tables.trends_table(subject.title, subject.result)
