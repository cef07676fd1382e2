"""Run a command in a real pseudo-terminal and keep every byte it writes to the terminal.

What a terminal obeys is what the app's driver writes, not what its widgets hold: tests of
hostile names and of secrets read this output. :func:`foreign_controls` finds what in it
did not come from the app's own drawing (cursor moves and colours).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

# Generous: a cold start on a busy CI machine (Textual and the app import in ~1 s).
WAIT_TIMEOUT_S = 20.0

KEY_PAUSE_S = 0.05
ESCAPE_PAUSE_S = 0.4

KEYS = {
    "down": b"\x1b[B",
    "up": b"\x1b[A",
    "enter": b"\r",
    "escape": b"\x1b",
    "end": b"\x1b[F",
}

# What Textual itself writes: CSI sequences (cursor moves, colours, modes) and OSC 22 (the
# mouse pointer's shape). Anything else starting with ESC came from somewhere else.
_APP_SEQUENCES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\]22;[^\x07\x1b]*(?:\x07|\x1b\\)")
# C0 controls a terminal acts on, besides the line ends of the drawing and ESC.
_C0_OBEYED = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1a\x1c-\x1f\x7f]")
_C1 = re.compile(r"[\x80-\x9f]")


def foreign_controls(output: str) -> list[str]:
    """Every control sequence or character in ``output`` the app's drawing does not make:
    an OSC (title, clipboard, hyperlink), a lone ESC, BEL or another C0, any C1."""
    rest = _APP_SEQUENCES.sub("", output)
    found = [rest[m.start() : m.start() + 12] for m in re.finditer("\x1b", rest)]
    found += _C0_OBEYED.findall(rest)
    found += _C1.findall(rest)
    return found


def plain(output: str) -> str:
    """``output`` without the app's colours and cursor moves: the characters it drew."""
    return _APP_SEQUENCES.sub("", output)


class Terminal:
    """``argv`` in a pty of ``size`` (columns, rows); stdin, stdout and stderr all on it,
    as in a terminal window."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str],
        size: tuple[int, int] = (120, 40),
        cwd: Path | None = None,
    ) -> None:
        self._master, slave = pty.openpty()
        columns, rows = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.process = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env={"TERM": "xterm-256color", "COLORTERM": "truecolor", **env},
            cwd=cwd,
            start_new_session=True,  # the pty becomes its controlling terminal
        )
        os.close(slave)
        self._output = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self._master, 65536)
            except OSError:  # EIO: the process closed the terminal
                return
            if not data:
                return
            with self._lock:
                self._output.extend(data)

    @property
    def raw(self) -> bytes:
        with self._lock:
            return bytes(self._output)

    @property
    def text(self) -> str:
        return self.raw.decode("utf-8", errors="replace")

    def wait_for(self, needle: str, *, after: int = 0, timeout: float = WAIT_TIMEOUT_S) -> int:
        """Wait until ``needle`` is written at or after byte ``after``; its end's offset."""
        encoded = needle.encode()
        deadline = time.monotonic() + timeout
        while True:
            found = self.raw.find(encoded, after)
            if found >= 0:
                return found + len(encoded)
            if self.process.poll() is not None or time.monotonic() > deadline:
                tail = self.text[-3000:]
                raise AssertionError(f"{needle!r} never appeared; the terminal ends:\n{tail!r}")
            time.sleep(0.05)

    def press(self, *keys: str) -> None:
        for key in keys:
            os.write(self._master, KEYS.get(key, key.encode()))
            # Textual tells a lone ESC from the start of a sequence by the pause after it.
            time.sleep(ESCAPE_PAUSE_S if key == "escape" else KEY_PAUSE_S)

    def close(self, timeout: float = 10.0) -> int:
        """Wait for the process to end (killing it after ``timeout``); its exit code."""
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self._reader.join(2)
        if self._master >= 0:
            os.close(self._master)
            self._master = -1
        return code

    def __enter__(self) -> Terminal:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.close()


def hogtree_argv(*args: str) -> list[str]:
    """The ``hogtree`` command, run by this interpreter."""
    return [sys.executable, "-m", "tui", *args]
