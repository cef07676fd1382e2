"""``export``: an insight or dashboard as PNG, PDF, CSV or XLSX, saved in a folder.

The same three steps as the app's Exports tab, through ``client.exports``: create the
export, wait while the server makes it, download it under the server's filename made safe
(:mod:`tui.api.filenames`). While it waits, a terminal's stderr shows what it waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import anyio

from tui.api import PostHogClient
from tui.api.exports import DASHBOARD_FORMATS, EXPORTABLE_TYPES
from tui.labels import type_name
from tui.models.exports import EXTENSIONS, ExportFormat
from tui.ops import require
from tui.scripting.errors import CommandError, UsageError
from tui.scripting.output import Output, safe

# What --format accepts: the file extension of each format people export to.
FORMATS: dict[str, ExportFormat] = {
    EXTENSIONS[known]: known
    for known in (ExportFormat.PNG, ExportFormat.PDF, ExportFormat.CSV, ExportFormat.XLSX)
}
# How often the waiting line is redrawn.
PROGRESS_TICK_S = 0.2
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class Progress:
    """``⠹ Exporting Revenue as PNG… 3 s`` on one line of a terminal's stderr, redrawn in
    place; nothing at all when stderr is not a terminal."""

    def __init__(self, out: Output, what: str) -> None:
        self.out = out
        self.what = what
        self.shown = out.err.isatty()
        self.started = time.monotonic()
        self.ticks = 0
        self.phase = "asking the server"

    def draw(self) -> None:
        if not self.shown:
            return
        spin = SPINNER[self.ticks % len(SPINNER)]
        elapsed = time.monotonic() - self.started
        self.ticks += 1
        # \r and "erase to end of line": redraw in place, leaving no tail of a longer line.
        self.out.err.write(f"\r{spin} {self.what}: {self.phase}… {elapsed:.0f} s\x1b[K")
        self.out.err.flush()

    async def run(self) -> None:
        while self.shown:
            self.draw()
            await anyio.sleep(PROGRESS_TICK_S)

    def clear(self) -> None:
        if self.shown:
            self.out.err.write("\r\x1b[K")
            self.out.err.flush()


async def export(client: PostHogClient, args: argparse.Namespace, out: Output) -> int:
    folder = Path(args.output).expanduser() if args.output else (args.download_dir or Path.cwd())
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {folder}: not a folder")
    found = await require(client, args.path)
    entry = found.entry
    if entry is None or entry.type not in EXPORTABLE_TYPES:
        kind = type_name(entry.type) if entry is not None else "folder"
        raise CommandError(
            f"{found.describe()} is a {kind}: exports are of insights and dashboards"
        )
    format = FORMATS[args.format]
    if entry.type == "dashboard" and format not in DASHBOARD_FORMATS:
        # Refused here: the server would only fail after being asked.
        takes = " or ".join(EXTENSIONS[known].upper() for known in DASHBOARD_FORMATS)
        raise UsageError(
            f"{found.describe()} is a dashboard: a dashboard exports as {takes},"
            f" not {args.format.upper()} (CSV and XLSX are of an insight)"
        )
    try:
        # As curl --create-dirs and wget -P: the folder (and its parents) made when missing.
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"-o {folder}: {safe(error.strerror or str(error))}") from None
    progress = Progress(out, f"Exporting {found.describe()} as {args.format.upper()}")
    # A task of its own, so the spinner turns while a request waits (newer PostHog makes
    # the file before answering the create).
    spinner = asyncio.create_task(progress.run())
    try:
        target = await client.exports.target_of(entry)
        asset = await client.exports.create_for(target, format)
        progress.phase = "the server is making it"
        asset = await client.exports.wait(asset, timeout=args.timeout)
        progress.phase = "downloading"
        saved = await client.exports.download(asset, folder)
    except OSError as error:
        raise CommandError(f"could not save the export: {safe(str(error))}") from None
    finally:
        spinner.cancel()
        progress.clear()
    if out.json:
        out.json_line({"file": str(saved), "asset": asset.model_dump(mode="json")})
    else:
        out.line(str(saved))
    return 0
