"""The app's local server in a process of its own (``python -m tui.server.process``).

Why a process and not a thread: starting the server means importing FastAPI and uvicorn
and building the routes, about as much CPU as starting the app itself. In a thread of
the app's process that work takes turns with the app's on one interpreter lock; in its
own process it runs on another core while the app starts, and later the server's work
(a big export, a move of 100,000 rows) never holds the app's event loop either.

The app's side (:class:`ServerProcess`) imports only the standard library, so it can
start the server before it imports anything heavy of its own. The listening socket is
made here and handed down, so the address is known at once; the key and the settings go
down the child's stdin (never its command line, which ``ps`` shows). The child answers
"ready" on stdout once it serves, and stops when its stdin closes: when the app stops
it, or when the app dies in any way at all.
"""

from __future__ import annotations

import contextlib
import gc
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

from tui.startup import start_lean_server

READY = "ready"
# How long the server may take to start serving before the app calls it failed.
STARTUP_TIMEOUT_S = 30.0
# How long a stopping server may take to finish what it is doing.
STOP_TIMEOUT_S = 10.0
HOST = "127.0.0.1"
# The app's first request: the top level's first page (tui.api's list_folder of "").
FIRST_LISTING = "/api/projects/{project}/file_system/?depth=1&limit=100&offset=0"
# A warm-up that takes longer than this is given up: the server is ready all the same.
WARM_UP_TIMEOUT_S = 10.0


class ServerProcess:
    """``python -m tui.server.process`` serving ``db_path`` on a free loopback port."""

    def __init__(self, db_path: Path, key: str, project_id: int = 1) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # Accepted connections inherit this; without it each response waits for a
        # delayed ACK (Nagle), about 40 ms.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((HOST, 0))
        sock.listen(128)  # requests made before the child serves wait in the backlog
        self.url = f"http://{HOST}:{sock.getsockname()[1]}"
        # A file, not a pipe: nobody reads the server's log while it runs, and a full
        # pipe would block it. Read back only to say why the server did not start.
        self._log: IO[bytes] = tempfile.TemporaryFile(prefix="hogtree-server-")  # noqa: SIM115 - open while the server runs
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui.server.process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            pass_fds=(sock.fileno(),),
            text=True,
            # Its own session: a ctrl+c or ctrl+z meant for the app's terminal is not its.
            start_new_session=True,
        )
        request = {"fd": sock.fileno(), "db": str(db_path), "key": key, "project": project_id}
        sock.close()  # the child holds it now; if the child dies, connections are refused
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        self._ready = False
        self._lock = threading.Lock()

    def wait_ready(self, timeout: float = STARTUP_TIMEOUT_S) -> None:
        """Block until the server serves; raise RuntimeError with its reason if it fails."""
        with self._lock:
            if self._ready:
                return
            stdout = self.process.stdout
            assert stdout is not None
            answer: list[str] = []
            reader = threading.Thread(target=lambda: answer.append(stdout.readline()), daemon=True)
            reader.start()
            reader.join(timeout)
            if not answer or answer[0].strip() != READY:
                if self.process.poll() is None:  # still starting after all this time
                    self.process.kill()
                self.process.wait()
                reason = self._last_log_line()
                self.stop()
                raise RuntimeError(f"the local server did not start: {reason}")
            self._ready = True

    def _last_log_line(self) -> str:
        self._log.seek(0)
        lines = [line for line in self._log.read().decode(errors="replace").splitlines() if line]
        return lines[-1] if lines else "no reason given"

    def stop(self) -> None:
        """Ask the server to stop (its stdin closes) and wait until it has."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            with contextlib.suppress(OSError):  # it had already gone
                self.process.stdin.close()
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        self._log.close()


def warm_up(port: int, key: str, project_id: int) -> None:
    """Ask this server, once it serves, for what the app asks first (the top level's
    first page), so that the app's own first request finds it warm.

    Why: FastAPI builds a router's routes (their parameters' validators) the first time a
    request passes through it, and the first listing also opens the database and builds
    its response's serializers: ~200 ms (B5 measured 200-300 ms against 4 ms for the next
    one). Done here, before "ready", it runs while the app is still importing and laying
    out its first screen on the other core, instead of after the app's request arrives,
    where the first paint waits for it. A GET of a listing changes nothing; a failure
    here is the app's own request's to report, so it is ignored.
    """
    import http.client  # the child's alone: the app imports this module to start it

    connection = http.client.HTTPConnection(HOST, port, timeout=WARM_UP_TIMEOUT_S)
    try:
        connection.request(
            "GET",
            FIRST_LISTING.format(project=project_id),
            headers={"Authorization": f"Bearer {key}"},
        )
        connection.getresponse().read()
    except (OSError, http.client.HTTPException):
        pass
    finally:
        connection.close()


def main() -> int:
    """The child: serve on the inherited socket until stdin closes."""
    # Start-up builds only what lives as long as the server (modules, routes, schemas): a
    # collector pass then frees nothing, and the passes cost ~80 ms of the app's cold start
    # (B5), which waits for this server. Frozen and back on once the server is built.
    gc.disable()
    start_lean_server()
    request = json.loads(sys.stdin.readline())
    sock = socket.socket(fileno=request["fd"])

    import uvicorn

    from tui.server.runner import uvicorn_config
    from tui.server.settings import ApiKeySpec, ServerSettings

    settings = ServerSettings(
        db_path=Path(request["db"]),
        # The demo's projects (the seed makes 1 and 2), and whatever else the database
        # holds; not the project asked for: one that does not exist is PostHog's 404
        # "Project not found.", not an empty project made on the spot.
        projects=(1,),
        # The key made for this run acts as the demo's owner, whose Recents and Shortcuts
        # carry over from run to run (see tui.server.app.user_for_spec).
        keys=(ApiKeySpec(key=request["key"], as_demo_owner=True),),
        seed="demo",
    )
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(settings, HOST, port))
    gc.freeze()
    gc.enable()

    def watch() -> None:
        while not server.started:
            if server.should_exit:
                return
            time.sleep(0.005)
        warm_up(port, request["key"], int(request.get("project", 1)))
        print(READY, flush=True)
        sys.stdin.read()  # returns when the app closes our stdin, or dies
        server.should_exit = True

    threading.Thread(target=watch, name="hogtree-server-watch", daemon=True).start()
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
