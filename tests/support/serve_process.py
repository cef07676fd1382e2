"""``hogtree serve`` as a separate process, for tests that need a real process (its
command line, its output, or killing it)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx

STARTUP_TIMEOUT_S = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_serve(
    *args: str, port: int | None = None, output: int | IO[str] = subprocess.PIPE
) -> tuple[str, subprocess.Popen[str]]:
    """Start ``python -m tui serve --port <port> <args>`` and wait until ``/_health`` answers."""
    port = port or free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tui", "serve", "--port", str(port), *args],
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:
        if process.poll() is not None:
            out = process.communicate()[0] if output == subprocess.PIPE else ""
            raise AssertionError(f"the server exited with {process.returncode}: {out}")
        try:
            if httpx.get(url + "/_health", timeout=1).status_code == 200:
                return url, process
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the server did not start")
        time.sleep(0.05)


@contextmanager
def serving(*args: str) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    url, process = start_serve(*args)
    try:
        yield url, process
    finally:
        process.terminate()
        process.wait(timeout=10)
