"""B3: the server at 1,000,000 entries answers a ``search`` with a ``name:`` token, and a
``count`` of ``Big`` (100,000 entries), over HTTP; each beside the bare SQLite that answers
it, timed alternately.

Searches are what a user types into the search screen: a ``name:`` token for words of
realistic names, common and rare.
"""

from __future__ import annotations

from benchmarks.harness import Figure, percentile, timed_ms
from benchmarks.scale_support import bare, ok_json, scale_database, served, size, warm
from tui.server.seed_scale import BIG_FOLDER, BIG_SHARE

SCENARIO = "B3"
TITLE = "server at 1,000,000 entries: a name: search, and a count of Big"

# Words of names the scale seed gives: in many names, in some, in few.
TERMS = ("retention", "checkout", "q3", "webhook", "dormant")
SAMPLES = 25
SMOKE_SAMPLES = 3
TARGET_MS = 300.0
PAGE = 100
COUNT_PREVIEW = 200

SEARCH_COUNT_SQL = (
    "SELECT COUNT(*) FROM file_system WHERE project_id = 1 AND instr(name_folded, ?) > 0"
)
SEARCH_PAGE_SQL = (
    "SELECT * FROM file_system WHERE project_id = 1 AND instr(name_folded, ?) > 0"
    " ORDER BY path_folded, pk LIMIT ?"
)
COUNT_SQL = "SELECT COUNT(*) FROM file_system WHERE project_id = 1 AND path >= ? AND path < ?"
COUNT_PAGE_SQL = (
    "SELECT * FROM file_system WHERE project_id = 1 AND path >= ? AND path < ?"
    " ORDER BY depth, path, pk LIMIT ?"
)


def run(smoke: bool) -> list[Figure]:
    spec = size(smoke)
    db_path, figures = scale_database(spec)
    samples = SMOKE_SAMPLES if smoke else SAMPLES
    conn = bare(db_path)
    search_ms: list[float] = []
    search_bare_ms: list[float] = []
    count_ms: list[float] = []
    count_bare_ms: list[float] = []
    with served(db_path) as server:
        big = ok_json(server.client.get("file_system/", params={"path": BIG_FOLDER}))
        big_id = big["results"][0]["id"]  # type: ignore[index]

        def search(term: str) -> object:
            params = {"search": f"name:{term}", "limit": PAGE}
            return ok_json(server.client.get("file_system/", params=params))

        def bare_search(term: str) -> None:
            conn.execute(SEARCH_COUNT_SQL, (term,)).fetchone()
            conn.execute(SEARCH_PAGE_SQL, (term, PAGE)).fetchall()

        def count() -> object:
            return ok_json(server.client.post(f"file_system/{big_id}/count/"))

        def bare_count() -> None:
            bounds = (BIG_FOLDER + "/", BIG_FOLDER + "0")
            conn.execute(COUNT_SQL, bounds).fetchone()
            conn.execute(COUNT_PAGE_SQL, (*bounds, COUNT_PREVIEW)).fetchall()

        warm(lambda: search(TERMS[0]), 1)
        warm(count, 1)
        counted = count()
        assert counted["count"] == spec.entries // BIG_SHARE, counted  # type: ignore[index]
        assert search(TERMS[0])["count"] > 0  # type: ignore[index]
        for index in range(samples):
            term = TERMS[index % len(TERMS)]
            search_ms += timed_ms(lambda term=term: search(term), 1)
            search_bare_ms += timed_ms(lambda term=term: bare_search(term), 1)
            count_ms += timed_ms(count, 1)
            count_bare_ms += timed_ms(bare_count, 1)
    conn.close()

    def figure(name: str, ms: list[float], bare_ms: list[float], reference: str) -> Figure:
        p50, p50_bare = percentile(ms, 50), percentile(bare_ms, 50)
        return Figure(
            scenario=SCENARIO,
            name=name,
            value=p50,
            unit="ms",
            reference_name=reference,
            reference=p50_bare,
            ratio=p50 / p50_bare,
            target=f"p50 ≤ {TARGET_MS:.0f} ms",
            passed=p50 <= TARGET_MS,
        )

    return [
        *figures,
        figure(
            f"search name:<word> over {spec.entries:,} entries, p50",
            search_ms,
            search_bare_ms,
            "bare SQLite count + page",
        ),
        figure(
            f"count of {BIG_FOLDER} ({spec.entries // BIG_SHARE:,} entries), p50",
            count_ms,
            count_bare_ms,
            "bare SQLite count + first 200",
        ),
    ]
