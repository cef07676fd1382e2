"""``hogtree --debug``: a log file of what hogtree asked, what it was answered, its retries
and its errors, for a bug report. It never holds a key (:mod:`tui.api.redaction`), and
only its owner may read it: entry names and hosts are the user's business.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import platformdirs
from pydantic import SecretStr

from tui.api.redaction import RedactingFilter

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
# Only the owner may read the log or list its folder.
FILE_MODE = 0o600
DIR_MODE = 0o700

# hogtree's own records in full; httpx's one line per request (method, URL, status); the
# transport's trace underneath it only when it fails (it would repeat every header).
LEVELS = {"tui": logging.DEBUG, "httpx": logging.INFO, "httpcore": logging.WARNING}


# Control characters a terminal would obey, written as escapes: a log is read with
# ``cat`` or ``less -R``, and names, paths and server messages in it may hold anything.
# Line breaks and tabs stay (tracebacks span lines).
_ESCAPES = {
    code: f"\\x{code:02x}"
    for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))
    if code not in (9, 10)
} | {code: f"\\u{code:04x}" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


class EscapingFormatter(logging.Formatter):
    """Formats as usual, then escapes what a terminal showing the log would obey."""

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).translate(_ESCAPES)


def default_log_dir() -> Path:
    return Path(platformdirs.user_log_dir("hogtree"))


def start_debug_log(directory: Path | None = None) -> logging.FileHandler:
    """Send hogtree's log records to a new file in ``directory`` (its path is the handler's
    ``baseFilename``)."""
    directory = directory or default_log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = directory / f"hogtree-debug-{stamp}-{os.getpid()}.log"
    # Created here with its mode, rather than by the handler under the umask.
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))
    handler = logging.FileHandler(path, mode="a", encoding="utf-8")
    handler.setFormatter(EscapingFormatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.WARNING)  # other libraries: their warnings and errors
    for name, level in LEVELS.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(True)
    return handler


def stop_debug_log(handler: logging.FileHandler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()


def open_debug_log(description: str, api_key: SecretStr | None) -> Path:
    """``--debug``: start the log, say where it is (on stderr) and what it is about."""
    from tui import __version__
    from tui.api.redaction import remember_secret

    if api_key is not None:  # redacted from the first record on, before a client exists
        remember_secret(api_key)
    path = Path(start_debug_log().baseFilename)
    print(f"hogtree: debug log: {path}", file=sys.stderr)
    logging.getLogger("tui.cli").info("hogtree %s on %s", __version__, description)
    return path
