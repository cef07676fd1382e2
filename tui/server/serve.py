"""``hogtree serve``: the local server in the foreground, for demos and scripts."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from tui.server.runner import is_loopback, listening_socket, uvicorn_config
from tui.server.settings import ApiKeySpec, SeedKind, ServerSettings, generate_key
from tui.server.store import accounts
from tui.server.store.db import Database


def run_serve(
    *,
    bind: str,
    port: int,
    db_path: Path,
    seed: SeedKind,
    projects: Sequence[int],
    api_keys: Sequence[str],
    export_delay: float = 0.0,
    live_events_per_minute: float = 0.0,
    latency_ms: float = 0.0,
) -> int:
    if export_delay < 0 or live_events_per_minute < 0 or latency_ms < 0:
        raise ValueError("--export-delay, --live-events and --latency-ms cannot be negative")
    keys = [ApiKeySpec.parse(text) for text in api_keys]
    generated = None
    if not keys:
        generated = generate_key()
        # A new key each run: on the demo it acts as the demo's owner, so what the owner
        # viewed and starred is there whatever key was printed (tui.server.app.user_for_spec).
        keys = [ApiKeySpec(key=generated, as_demo_owner=True)]
    db_path.parent.mkdir(parents=True, exist_ok=True)
    is_new = not db_path.exists()
    settings = ServerSettings(
        db_path=db_path,
        projects=tuple(projects),
        keys=tuple(keys),
        seed=seed,
        export_delay=export_delay,
        live_events_per_minute=live_events_per_minute,
        latency_ms=latency_ms,
    )

    out = sys.stderr
    if not is_loopback(bind):
        print(
            f"warning: listening on {bind}: anyone who can reach this address can try keys;"
            " the local server is meant for loopback.",
            file=out,
        )
    # The port first: a taken one is said at once, before a new database is seeded (the
    # demo takes seconds) and left behind for nothing.
    try:
        sock = listening_socket(bind, port)
    except OSError as exc:
        print(f"hogtree: cannot listen on {bind}:{port}: {exc.strerror or exc}", file=out)
        return 1
    try:
        config = uvicorn_config(settings, bind, port)  # opens, and if new seeds, the database
    except BaseException:
        sock.close()
        raise
    print(f"hogtree local PostHog server on http://{bind}:{port}", file=out)
    print(f"  database  {db_path}{f' (new, seed: {seed})' if is_new else ''}", file=out)
    db: Database = config.app.state.db  # type: ignore[union-attr]
    with db.read() as conn:
        tokens = accounts.project_tokens(conn)
    for project_id in projects:
        # The public token SDKs capture events with (POST /capture/, /batch/).
        print(f"  project   {project_id}   token {tokens[project_id]}", file=out)
    if generated:
        # Printed once, here, so the user can copy it; it is never logged anywhere else.
        print(f"  API key   {generated}   (generated for this run)", file=out)
        print(
            f"  try: curl -H 'Authorization: Bearer {generated}' "
            f"http://{bind}:{port}/api/projects/{projects[0]}/file_system/?depth=1",
            file=out,
        )
    else:
        print(f"  API keys  {len(keys)} from --api-key", file=out)
    if latency_ms:
        print(f"  latency   {latency_ms:g} ms added to every response", file=out)
    out.flush()
    uvicorn.Server(config).run(sockets=[sock])
    return 0
