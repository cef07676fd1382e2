"""B2: the server at 1,000,000 entries answers one page of a folder's children over HTTP
(one kept-alive connection), beside the bare SQLite statements that answer it.

The folder is ``Big`` (100,000 children at the real size), the hardest folder of the
project; pages are the app's (``parent``, ``depth``, ``limit=100``) at offsets drawn all over
it, as a user scrolling or jumping through it asks for them. Each HTTP request is timed right
beside the same page read straight from SQLite (its count, then its rows), so a moment of
machine noise hits both.
"""

from __future__ import annotations

import random
from typing import Any

from benchmarks.harness import Figure, percentile, timed_ms
from benchmarks.scale_support import bare, ok_json, scale_database, served, size, warm
from tui.server.seed_scale import BIG_FOLDER, BIG_SHARE

SCENARIO = "B2"
TITLE = "server at 1,000,000 entries: a page of a folder's children over HTTP"

PAGE = 100
SAMPLES = 400
SMOKE_SAMPLES = 10
P50_TARGET_MS = 15.0
P99_TARGET_MS = 50.0
# The HTTP page may cost at most this many times the bare SQLite that answers it.
RATIO_TARGET = 3.0

# The statements that answer a page of a folder's children: its count kept by the store's
# triggers (the server no longer COUNTs 100,000 index entries per page), then the page off
# the children index.
COUNT_SQL = "SELECT children FROM file_system_child_counts WHERE project_id = 1 AND parent_path = ?"
PAGE_SQL = (
    "SELECT pk, id, path, depth, type, ref, href, meta, shortcut, created_at, created_by,"
    " last_viewed_at FROM file_system WHERE project_id = 1 AND parent_path = ?"
    " ORDER BY (type <> 'folder'), path_folded, pk LIMIT ? OFFSET ?"
)


def run(smoke: bool) -> list[Figure]:
    spec = size(smoke)
    db_path, figures = scale_database(spec)
    children = spec.entries // BIG_SHARE
    rng = random.Random(2)
    offsets = [
        rng.randrange(children // PAGE) * PAGE for _ in range(SMOKE_SAMPLES if smoke else SAMPLES)
    ]
    conn = bare(db_path)
    http_ms: list[float] = []
    bare_ms: list[float] = []
    with served(db_path) as server:

        def page(offset: int) -> Any:
            params = {"parent": BIG_FOLDER, "depth": 2, "limit": PAGE, "offset": offset}
            return ok_json(server.client.get("file_system/", params=params))

        def bare_page(offset: int) -> None:
            conn.execute(COUNT_SQL, (BIG_FOLDER,)).fetchone()
            conn.execute(PAGE_SQL, (BIG_FOLDER, PAGE, offset)).fetchall()

        warm(lambda: page(0))
        warm(lambda: bare_page(0))
        first = page(0)
        assert first["count"] == children and len(first["results"]) == PAGE, first["count"]
        for offset in offsets:
            http_ms += timed_ms(lambda offset=offset: page(offset), 1)
            bare_ms += timed_ms(lambda offset=offset: bare_page(offset), 1)
    conn.close()

    name = f"page of {PAGE} of {BIG_FOLDER} ({children:,} children)"
    p50, p50_bare = percentile(http_ms, 50), percentile(bare_ms, 50)
    p99, p99_bare = percentile(http_ms, 99), percentile(bare_ms, 99)
    return [
        *figures,
        Figure(
            scenario=SCENARIO,
            name=f"{name}, p50",
            value=p50,
            unit="ms",
            reference_name="bare SQLite count + page",
            reference=p50_bare,
            ratio=p50 / p50_bare,
            target=f"≤ {P50_TARGET_MS:.0f} ms, ≤ {RATIO_TARGET:.0f}x",
            passed=p50 <= P50_TARGET_MS and p50 / p50_bare <= RATIO_TARGET,
        ),
        Figure(
            scenario=SCENARIO,
            name=f"{name}, p99",
            value=p99,
            unit="ms",
            reference_name="bare SQLite count + page",
            reference=p99_bare,
            ratio=p99 / p99_bare,
            target=f"≤ {P99_TARGET_MS:.0f} ms",
            passed=p99 <= P99_TARGET_MS,
        ),
    ]
