"""The project tree in SQLite: every file_system read and write of the local server.

Functions take an open connection inside the caller's transaction (see ``Database.write``),
so one request is one transaction however many rows it touches.
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from tui import paths
from tui.models import FileSystemListQuery
from tui.server import search
from tui.server.object_types import OBJECT_TYPES, is_deletable, unfiled_folder
from tui.server.store import name_search, objects
from tui.server.store.errors import BadRequest, InvalidField, NotFound

# The count endpoints return this many descendants besides the total.
COUNT_PREVIEW_LIMIT = 200

# Orderings a client may ask for by name; anything else falls back to newest first.
NAMED_ORDERINGS = {
    "path": "path, pk",
    "-path": "path DESC, pk DESC",
    "created_at": "created_at, pk",
    "-created_at": "created_at DESC, pk DESC",
}
# Written exactly as in the `file_system_children` index so SQLite reads pages off it.
FOLDERS_FIRST = "(type <> 'folder'), path_folded, pk"

ENTRY_COLUMNS = (
    "pk, id, path, depth, type, ref, href, meta, shortcut, created_at, created_by, last_viewed_at"
)


def now() -> str:
    """A timestamp as the server stores and answers it (UTC, microseconds, ``Z``)."""
    return format_time(datetime.now(UTC))


def format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Derived:
    """Columns computed from a path so that indexes can answer listings and searches."""

    depth: int
    parent_path: str
    path_folded: str
    name_folded: str

    @classmethod
    def of(cls, path: str) -> Derived:
        segments = paths.split(path)
        name = paths.escape(segments[-1]) if segments else ""
        return cls(
            depth=len(segments),
            parent_path=paths.join(segments[:-1]),
            path_folded=path.casefold(),
            name_folded=name.casefold(),
        )


def entry_json(row: sqlite3.Row, *, last_viewed_at: str | None = None) -> dict[str, Any]:
    """A row as PostHog's API answers it. ``last_viewed_at``: the caller's last view, which
    Recents report (see :mod:`tui.server.store.view_log`); elsewhere the row's column,
    which the server never writes (null, unless a test's data set it)."""
    return {
        "id": row["id"],
        "path": row["path"],
        "depth": row["depth"],
        "type": row["type"],
        "ref": row["ref"],
        "href": row["href"],
        "meta": json.loads(row["meta"]),
        "shortcut": bool(row["shortcut"]),
        "created_at": row["created_at"],
        "last_viewed_at": last_viewed_at or row["last_viewed_at"],
        "user_access_level": "editor",
    }


# --------------------------------------------------------------------------- reading


def get_row(conn: sqlite3.Connection, project_id: int, entry_id: str) -> sqlite3.Row:
    """The entry ``entry_id`` of this project, or 404 (also for a malformed id)."""
    try:
        uuid.UUID(entry_id)
    except ValueError:
        raise NotFound() from None
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM file_system WHERE id = ? AND project_id = ?",
        (entry_id, project_id),
    ).fetchone()
    if row is None:
        raise NotFound()
    return row


# The name this module knew the query by; the query itself is the wire's, stated once.
ListQuery = FileSystemListQuery


class _Where:
    """Accumulates SQL conditions and their parameters."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []
        # A search term found its rows off the name index (see :func:`_page_table`).
        self.indexed_search = False

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def _descendants_clause(where: _Where, folder: str) -> None:
    """``path`` starts with ``folder + "/"``, as an index range: "0" sorts right after "/"."""
    where.add("path >= ? AND path < ?", folder + "/", folder + "0")


def _parse_time(name: str, value: str) -> str:
    try:
        moment = datetime.fromisoformat(value.replace(" ", "+") if "T" in value else value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return format_time(moment)
    except (ValueError, OverflowError):  # OverflowError: year 1 or 9999 shifted out of range
        raise InvalidField("Enter a valid date/time.", attr=name) from None


def _list_where(
    project_id: int,
    query: FileSystemListQuery,
    caller_id: int | None,
    *,
    odd_children: bool = True,
    walking: bool = False,
) -> _Where:
    """The conditions of ``query``. ``odd_children=False`` says no row under ``query.parent``
    has an odd path (see :func:`_has_odd_children`), so its children need no prefix test.
    ``walking``: for a page read along file_system_folded_names (see :func:`_walks_in_order`),
    search terms tested on that index's entries rather than looked up in the name index."""
    where = _Where()
    where.add("project_id = ?", project_id)
    depth = query.depth_value
    parent = query.parent or ""
    children_only = _is_children_query(query)
    if depth is not None and not children_only:
        # (A row under a clean parent_path has that depth + 1 by construction: checking it
        # would read every child's row.)
        where.add("depth = ?", depth)
        if depth == 1:
            # Implied by depth 1 (one segment, no parent), and lets file_system_children
            # answer the top level in order: no index starts with depth.
            where.add("parent_path = ''")
    if query.path:
        where.add("path = ?", query.path)
    if parent:
        if children_only:
            # A folder's direct children: answered by the children index alone.
            where.add("parent_path = ?", parent)
            if odd_children:
                # PostHog's exact semantics for odd stored paths (e.g. a leading "/"). Costly:
                # every child's row is read to check it, 100,000 of them in a big folder.
                where.add("substr(path, 1, ?) = ?", len(parent) + 1, parent + "/")
        else:
            _descendants_clause(where, parent)
    if query.type:
        where.add("type = ?", query.type)
    if query.not_type:
        where.add("type <> ?", query.not_type)
    if query.type__startswith:
        where.add("substr(type, 1, ?) = ?", len(query.type__startswith), query.type__startswith)
    if query.ref:
        where.add("ref = ?", query.ref)
    if query.created_at__gt:
        where.add("created_at > ?", _parse_time("created_at__gt", query.created_at__gt))
    if query.created_at__lt:
        where.add("created_at < ?", _parse_time("created_at__lt", query.created_at__lt))
    if query.search:
        for term in search.parse(query.search, name_only=query.name_only):
            indexed = None if term.negated else _indexed_term_sql(term, project_id)
            if indexed is not None:
                where.indexed_search = True
                if not walking:
                    # Never NULL, and bare: wrapped in COALESCE, SQLite would not see the
                    # `pk IN (…)` it can start from.
                    where.add(indexed[0], *indexed[1])
                    continue
            if walking and indexed is not None and term.field is search.Field.TEXT:
                clause, params = name_search.text_walk_clause(project_id, term.value.casefold())
            else:
                clause, params = _term_sql(term, caller_id)
            # COALESCE: a NULL (e.g. no ref) must count as "no match", so that negating it
            # keeps the row, as PostHog's NOT on a nullable column does.
            if term.negated:
                where.add(f"NOT COALESCE(({clause}), 0)", *params)
            else:
                where.add(f"COALESCE(({clause}), 0)", *params)
    return where


def list_where(project_id: int, query: FileSystemListQuery, caller_id: int | None) -> _Where:
    """The conditions of ``query`` on ``file_system`` (columns unqualified), for a caller
    that joins it with other tables (Recents)."""
    return _list_where(project_id, query, caller_id)


def _indexed_term_sql(term: search.Term, project_id: int) -> tuple[str, list[Any]] | None:
    """The rows of :func:`_term_sql`'s clause for ``term``, found off the name index, or
    None when the index cannot find them (a short term, another field)."""
    folded = term.value.casefold()
    if not name_search.indexable(folded):
        return None
    if term.field is search.Field.NAME:
        return name_search.name_clause(folded)
    if term.field is search.Field.TEXT and "/" not in folded:
        # (A "/" can come in through an unknown field, "x:a/b", searched as text.)
        return name_search.text_clause(project_id, folded)
    return None


def _term_sql(term: search.Term, caller_id: int | None) -> tuple[str, list[Any]]:
    value = term.value
    folded = value.casefold()
    match term.field:
        case search.Field.NAME:
            return "instr(name_folded, ?) > 0", [folded]
        case search.Field.PATH:
            # Everything before the last segment; a parent segment holding the text.
            return (
                "instr(substr(path_folded, 1, length(path_folded) - length(name_folded)), ?) > 0",
                [folded],
            )
        case search.Field.TYPE:
            return "type = ?", [value]
        case search.Field.TYPE_PREFIX:
            return "substr(type, 1, ?) = ?", [len(value), value]
        case search.Field.REF:
            return "ref = ?", [value]
        case search.Field.ME:
            return "created_by = ?", [caller_id]
        case search.Field.USER:
            return (
                "created_by IN (SELECT id FROM users WHERE"
                " instr(casefold(first_name || ' ' || last_name), ?) > 0"
                " OR instr(casefold(email), ?) > 0)",
                [folded, folded],
            )
        case search.Field.TEXT:
            return "(instr(path_folded, ?) > 0 OR instr(casefold(type), ?) > 0)", [folded, folded]
        case search.Field.TEXT_ACROSS:
            # Each "/" of the text matches a separator or an escaped slash inside a name.
            pattern = r"(?:/|\\/)".join(re.escape(part) for part in value.split("/"))
            return "(path REGEXP ? OR type REGEXP ?)", [pattern, pattern]
    raise AssertionError(term.field)  # pragma: no cover - every field is handled above


def _list_order(query: FileSystemListQuery) -> str:
    if query.ref:
        return "shortcut, path_folded, pk"  # originals before shortcuts
    if query.order_by:
        return NAMED_ORDERINGS.get(query.order_by, NAMED_ORDERINGS["-created_at"])
    if query.depth_value is not None:
        return FOLDERS_FIRST
    return "path_folded, pk"


def list_entries(
    conn: sqlite3.Connection,
    project_id: int,
    query: FileSystemListQuery,
    *,
    limit: int,
    offset: int,
    caller_id: int | None,
) -> tuple[int, list[sqlite3.Row]]:
    """One page of entries and the total count of entries matching ``query``."""
    odd = _has_odd_children(conn, project_id, query.parent) if query.parent else False
    where = _list_where(project_id, query, caller_id, odd_children=odd)
    if not odd and _only_children(query):
        # Every entry with this parent_path, which the triggers keep counted: one seek
        # instead of counting a big folder's index entries on every page.
        total = _child_count(conn, project_id, query.parent or "")
    else:
        total = conn.execute(
            f"SELECT COUNT(*) FROM file_system WHERE {where.sql()}", where.params
        ).fetchone()[0]
    order = _list_order(query)
    if _walks_in_order(where, order, total, limit, offset):
        # The page's pks off the ordered index alone (the terms tested on its entries: no row
        # read for the ones skipped), then their rows.
        walk = _list_where(project_id, query, caller_id, odd_children=odd, walking=True)
        rows = conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM file_system WHERE pk IN"
            " (SELECT pk FROM file_system INDEXED BY file_system_folded_names"
            f" WHERE {walk.sql()} ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
            [*walk.params, limit, offset],
        ).fetchall()
        return total, rows
    # A searched page sorts its matches, read by pk (SQLite, not knowing how few they are,
    # would rather read the whole project in order); pk lookups stay allowed.
    table = "file_system NOT INDEXED" if where.indexed_search else "file_system"
    rows = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM {table} WHERE {where.sql()}"
        f" ORDER BY {order} LIMIT ? OFFSET ?",
        [*where.params, limit, offset],
    ).fetchall()
    return total, rows


# Up to this many matches, a searched page sorts its matches (read by pk); past it, the page
# reads the project in order and stops once it has the page, if the page lies early enough
# among the matches (WALK_SHARE): a million entries, 2,000 matches spread over them, a page
# of 100 is found within ~50,000 index entries (~10 ms), where sorting 20,000 matches costs
# ~60 ms and walking to a rare word's 50th match ~250 ms.
SORT_AT_MOST = 2_000
WALK_SHARE = 20


def _walks_in_order(where: _Where, order: str, total: int, limit: int, offset: int) -> bool:
    """Whether a searched page is read walking the project in name-and-path order (see
    SORT_AT_MOST), a choice SQLite cannot make: it has no idea how many rows a search
    matches."""
    return (
        where.indexed_search
        and order == "path_folded, pk"
        and total > SORT_AT_MOST
        and (offset + limit) * WALK_SHARE <= total
    )


def _is_children_query(query: FileSystemListQuery) -> bool:
    """``parent`` with the depth of its direct children, and ``parent`` clean: a folder's
    children are then the rows filed under ``parent_path = parent``."""
    parent = query.parent or ""
    return (
        bool(parent)
        and query.depth_value == paths.depth(parent) + 1
        and paths.normalize(parent) == parent
    )


def _only_children(query: FileSystemListQuery) -> bool:
    """A folder's children and no other filter (the order does not change a count; a
    filter :func:`_list_where` skips, such as an empty ``type``, is no filter)."""
    return _is_children_query(query) and not any(
        (
            query.path,
            query.type,
            query.not_type,
            query.type__startswith,
            query.ref,
            query.created_at__gt,
            query.created_at__lt,
            query.search,
        )
    )


def _child_count(conn: sqlite3.Connection, project_id: int, parent: str) -> int:
    row = conn.execute(
        "SELECT children FROM file_system_child_counts WHERE project_id = ? AND parent_path = ?",
        (project_id, parent),
    ).fetchone()
    return int(row[0]) if row is not None else 0


def _has_odd_children(conn: sqlite3.Connection, project_id: int, parent: str) -> bool:
    """Whether a row filed under ``parent`` has a path not starting with ``parent + "/"``.

    A fast path's guard: almost never true, and answered by one seek in the partial index
    of such rows (named, so that a schema without it fails loudly rather than scanning).
    """
    row = conn.execute(
        "SELECT 1 FROM file_system INDEXED BY file_system_odd_children"
        " WHERE project_id = ? AND parent_path = ? AND parent_path <> ''"
        " AND substr(path, 1, length(parent_path) + 1) <> parent_path || '/' LIMIT 1",
        (project_id, parent),
    ).fetchone()
    return row is not None


def creator_ids(rows: Iterable[sqlite3.Row]) -> set[int]:
    """The users who created these entries (column, or ``meta.created_by`` as PostHog keeps it)."""
    ids: set[int] = set()
    for row in rows:
        if row["created_by"] is not None:
            ids.add(row["created_by"])
        created_by = json.loads(row["meta"]).get("created_by")
        if isinstance(created_by, int) and not isinstance(created_by, bool):
            ids.add(created_by)
    return ids


def descendants(
    conn: sqlite3.Connection, project_id: int, folder: str, *, limit: int | None = None
) -> tuple[int, list[sqlite3.Row]]:
    """Every entry under ``folder`` at any depth: the total, and (up to ``limit``) the rows
    ordered by depth then path."""
    where = _Where()
    where.add("project_id = ?", project_id)
    _descendants_clause(where, folder)
    total = conn.execute(
        f"SELECT COUNT(*) FROM file_system WHERE {where.sql()}", where.params
    ).fetchone()[0]
    if limit is None:
        rows = conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM file_system WHERE {where.sql()} ORDER BY depth, path, pk",
            where.params,
        ).fetchall()
        return total, rows
    # The first ``limit`` level by level: one ORDER BY depth would sort the whole subtree
    # (100,000 rows for a big folder) to keep 200; each level is the subtree's range of
    # file_system_path_depth, read in path order with depth checked in the index. Odd
    # spellings may sit at any depth, so every level the subtree holds is asked.
    shallowest, deepest = conn.execute(
        f"SELECT MIN(depth), MAX(depth) FROM file_system WHERE {where.sql()}", where.params
    ).fetchone()
    rows = []
    for depth in range(shallowest or 0, (deepest or -1) + 1):
        if len(rows) >= limit:
            break
        rows += conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM file_system WHERE {where.sql()} AND depth = ?"
            " ORDER BY path, pk LIMIT ?",
            [*where.params, depth, limit - len(rows)],
        ).fetchall()
    return total, rows


def subtree_extent(conn: sqlite3.Connection, project_id: int, folder: str) -> tuple[int, int]:
    """The longest path (in characters) and the greatest depth among ``folder``'s
    descendants, or ``(0, 0)`` when it has none."""
    where = _Where()
    where.add("project_id = ?", project_id)
    _descendants_clause(where, folder)
    longest, deepest = conn.execute(
        f"SELECT MAX(length(path)), MAX(depth) FROM file_system WHERE {where.sql()}", where.params
    ).fetchone()
    return longest or 0, deepest or 0


def count_descendants(
    conn: sqlite3.Connection, project_id: int, entry_id: str
) -> tuple[int, list[sqlite3.Row]]:
    row = get_row(conn, project_id, entry_id)
    if row["type"] != "folder":
        raise BadRequest("Count can only be called on folders")
    return descendants(conn, project_id, row["path"], limit=COUNT_PREVIEW_LIMIT)


# --------------------------------------------------------------------------- writing


def _insert(
    conn: sqlite3.Connection,
    project_id: int,
    *,
    path: str,
    type: str,
    ref: str | None = None,
    href: str | None = None,
    meta: dict[str, Any] | None = None,
    shortcut: bool = False,
    created_by: int | None,
    created_at: str | None = None,
) -> sqlite3.Row:
    derived = Derived.of(path)
    new_id = str(uuid.uuid4())
    conn.execute(
        "INSERT INTO file_system (id, project_id, path, depth, type, ref, href, meta, shortcut,"
        " created_at, created_by, parent_path, path_folded, name_folded)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            new_id,
            project_id,
            path,
            derived.depth,
            type,
            ref,
            href,
            json.dumps(meta if meta is not None else {}),
            int(shortcut),
            created_at or now(),
            created_by,
            derived.parent_path,
            derived.path_folded,
            derived.name_folded,
        ),
    )
    return get_row(conn, project_id, new_id)


# The columns of :func:`insert_many`'s rows, in this order.
BULK_COLUMNS = (
    "id, project_id, path, depth, type, ref, href, meta, shortcut, created_at, created_by,"
    " parent_path, path_folded, name_folded"
)


def insert_many(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows of :data:`BULK_COLUMNS` as they are, derived columns included.

    Only for the scale seed (a million rows), whose caller computes the derived columns from
    segments it already holds: :func:`_insert` would split every path again.
    """
    marks = ", ".join("?" * len(BULK_COLUMNS.split(",")))
    conn.executemany(f"INSERT INTO file_system ({BULK_COLUMNS}) VALUES ({marks})", rows)


def path_exists(conn: sqlite3.Connection, project_id: int, path: str) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM file_system WHERE project_id = ? AND path = ? LIMIT 1",
            (project_id, path),
        ).fetchone()
        is not None
    )


def folder_at(conn: sqlite3.Connection, project_id: int, path: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM file_system"
        " WHERE project_id = ? AND path = ? AND type = 'folder' ORDER BY pk LIMIT 1",
        (project_id, path),
    ).fetchone()
    return row


def ensure_ancestors(
    conn: sqlite3.Connection, project_id: int, path: str, created_by: int | None
) -> None:
    """Create the missing folders above ``path``: ``a/b/c`` needs ``a`` and ``a/b``.

    Built from correctly escaped segments (PostHog's create joins them unescaped).
    """
    segments = paths.split(path)
    for depth in range(1, len(segments)):
        ancestor = paths.join(segments[:depth])
        if not path_exists(conn, project_id, ancestor):
            _insert(conn, project_id, path=ancestor, type="folder", created_by=created_by)


def create_entry(
    conn: sqlite3.Connection,
    project_id: int,
    *,
    path: str,
    type: str = "",
    ref: str | None = None,
    href: str | None = None,
    meta: dict[str, Any] | None = None,
    shortcut: bool | None = None,
    created_by: int | None,
    created_at: str | None = None,
) -> sqlite3.Row:
    ensure_ancestors(conn, project_id, path, created_by)
    return _insert(
        conn,
        project_id,
        path=path,
        type=type,
        ref=ref,
        href=href,
        meta=meta,
        shortcut=bool(shortcut),
        created_by=created_by,
        created_at=created_at,
    )


def update_entry(
    conn: sqlite3.Connection, project_id: int, entry_id: str, changes: dict[str, Any]
) -> sqlite3.Row:
    """PATCH: the given fields change; a new path recomputes depth but moves nothing else."""
    get_row(conn, project_id, entry_id)
    columns: dict[str, Any] = {}
    for name in ("type", "ref", "href"):
        if name in changes:
            columns[name] = changes[name]
    if "meta" in changes:
        columns["meta"] = json.dumps(changes["meta"] if changes["meta"] is not None else {})
    if "shortcut" in changes:
        columns["shortcut"] = int(bool(changes["shortcut"]))
    if "path" in changes:
        _set_path_columns(columns, changes["path"])
    if columns:
        assignments = ", ".join(f"{name} = ?" for name in columns)
        conn.execute(
            f"UPDATE file_system SET {assignments} WHERE id = ? AND project_id = ?",
            [*columns.values(), entry_id, project_id],
        )
    return get_row(conn, project_id, entry_id)


def _set_path_columns(columns: dict[str, Any], path: str) -> None:
    derived = Derived.of(path)
    columns.update(
        path=path,
        depth=derived.depth,
        parent_path=derived.parent_path,
        path_folded=derived.path_folded,
        name_folded=derived.name_folded,
    )


def _set_path(conn: sqlite3.Connection, pk: int, path: str) -> None:
    columns: dict[str, Any] = {}
    _set_path_columns(columns, path)
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.execute(f"UPDATE file_system SET {assignments} WHERE pk = ?", [*columns.values(), pk])


# --------------------------------------------------------------------------- delete and undo


def delete_entry(conn: sqlite3.Connection, project_id: int, entry_id: str) -> list[dict[str, Any]]:
    """Delete an entry; a folder takes its descendants with it. Returns the objects deleted.

    Nothing is deleted unless everything can be: the checks all run before the first write.
    """
    row = get_row(conn, project_id, entry_id)
    if row["shortcut"]:
        conn.execute("DELETE FROM file_system WHERE pk = ?", (row["pk"],))
        return []

    if row["type"] == "folder":
        _, rows = descendants(conn, project_id, row["path"])
        doomed = [*rows, row]
    else:
        doomed = [row]
    leaves = [r for r in doomed if not r["shortcut"] and r["type"] != "folder"]

    carriers = _object_carriers(conn, project_id, leaves)
    for leaf in leaves:
        if not is_deletable(leaf["type"]):
            # ValidationError({"detail": …}) in PostHog: attr "detail", as undo_delete's.
            raise InvalidField(
                f"Cannot delete resources with type '{leaf['type']}'.", attr="detail"
            )

    deleted: list[dict[str, Any]] = []
    for leaf in leaves:
        if leaf["pk"] in carriers and leaf["ref"]:
            # The object's last entry goes: so do everyone's views of it (Recents).
            _forget_views(conn, project_id, leaf["type"], leaf["ref"])
        if leaf["pk"] in carriers and leaf["type"] in OBJECT_TYPES and leaf["ref"]:
            deleted.append(
                objects.delete_for_entry(
                    conn, project_id, leaf["type"], leaf["ref"], path=leaf["path"]
                )
            )
    conn.executemany("DELETE FROM file_system WHERE pk = ?", [(r["pk"],) for r in doomed])
    return deleted


def _forget_views(conn: sqlite3.Connection, project_id: int, type: str, ref: str) -> None:
    conn.execute(
        "DELETE FROM file_system_view_log WHERE project_id = ? AND type = ? AND ref = ?",
        (project_id, type, ref),
    )


def _object_carriers(
    conn: sqlite3.Connection, project_id: int, leaves: Sequence[sqlite3.Row]
) -> set[int]:
    """The leaves whose deletion reaches the object behind them: for each object, one leaf,
    and only when no other non-shortcut entry outside this delete still points at it."""
    doomed_pks = {leaf["pk"] for leaf in leaves}
    groups: dict[tuple[str, str | None], list[sqlite3.Row]] = {}
    for leaf in leaves:
        groups.setdefault((leaf["type"], leaf["ref"]), []).append(leaf)

    carriers: set[int] = set()
    for (entry_type, ref), group in sorted(
        groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        siblings = conn.execute(
            "SELECT pk FROM file_system WHERE project_id = ? AND type = ? AND ref IS ?"
            " AND shortcut = 0",
            (project_id, entry_type, ref),
        ).fetchall()
        remaining = {s["pk"] for s in siblings} - doomed_pks
        if remaining:
            continue
        if entry_type in OBJECT_TYPES and not ref:
            raise InvalidField(
                f"Cannot delete type '{entry_type}' without a reference.", attr="detail"
            )
        carriers.add(group[0]["pk"])
    return carriers


UNDO_REFUSED = (
    "Couldn't restore this. It may already be restored, or you may not have access to it."
)


def undo_delete(
    conn: sqlite3.Connection, project_id: int, items: Sequence[dict[str, Any]], user_id: int | None
) -> list[dict[str, str]]:
    """Restore soft-deleted objects and give each an entry again (at ``path`` if given)."""
    undone: list[dict[str, str]] = []
    for item in items:
        obj = objects.restore(conn, project_id, item["type"], item["ref"])
        if obj is None:
            # PostHog raises ValidationError({"detail": …}): its handler names the key "detail"
            # and, as for every ValidationError, reports DRF's code invalid as invalid_input.
            raise InvalidField(UNDO_REFUSED, attr="detail")
        object_type = OBJECT_TYPES[item["type"]]
        path = item.get("path") or paths.child(unfiled_folder(item["type"]), obj["name"])
        create_entry(
            conn,
            project_id,
            path=path,
            type=item["type"],
            ref=item["ref"],
            href=object_type.href(item["ref"]),
            created_by=obj["created_by"] if obj["created_by"] is not None else user_id,
        )
        undone.append({"type": item["type"], "ref": item["ref"]})
    return undone


# --------------------------------------------------------------------------- link and move


def link_entry(
    conn: sqlite3.Connection, project_id: int, entry_id: str, new_path: str
) -> sqlite3.Row:
    """Create shortcuts: of an item at ``new_path``, or of a folder's whole subtree there."""
    row = get_row(conn, project_id, entry_id)
    if row["type"] == "folder" and new_path == row["path"]:
        raise BadRequest("Cannot link folder into itself")
    ensure_ancestors(conn, project_id, new_path, row["created_by"])
    if row["type"] != "folder":
        return _copy_as_shortcut(conn, project_id, row, new_path)

    folder_exists = folder_at(conn, project_id, new_path) is not None
    # Snapshot first: linking into its own subtree must not copy the copies.
    _, subtree = descendants(conn, project_id, row["path"])
    old_prefix = len(row["path"])
    for child_row in subtree:
        _copy_as_shortcut(conn, project_id, child_row, new_path + child_row["path"][old_prefix:])
    if folder_exists:
        return row
    return _copy_as_shortcut(conn, project_id, row, new_path)


def _copy_as_shortcut(
    conn: sqlite3.Connection, project_id: int, row: sqlite3.Row, path: str
) -> sqlite3.Row:
    return _insert(
        conn,
        project_id,
        path=path,
        type=row["type"],
        ref=row["ref"],
        href=row["href"],
        meta=json.loads(row["meta"]),
        shortcut=True,
        created_by=row["created_by"],
    )


def move_entry(
    conn: sqlite3.Connection, project_id: int, entry_id: str, new_path: str
) -> sqlite3.Row:
    """Move (or rename) an entry. A folder takes its subtree along; moving onto an existing
    folder merges the two. Answers with the entry, or the surviving folder of a merge."""
    row = get_row(conn, project_id, entry_id)
    if row["type"] != "folder":
        ensure_ancestors(conn, project_id, new_path, row["created_by"])
        _set_path(conn, row["pk"], new_path)
        return get_row(conn, project_id, entry_id)

    old_path = row["path"]
    # PostHog accepts a move into the folder's own subtree and corrupts the tree; refuse it.
    if new_path == old_path or paths.is_within(new_path, old_path):
        raise BadRequest("Cannot move folder into itself")
    ensure_ancestors(conn, project_id, new_path, row["created_by"])
    _rewrite_prefix(conn, project_id, old_path, new_path)

    target = folder_at(conn, project_id, new_path)
    if target is not None:
        conn.execute("DELETE FROM file_system WHERE pk = ?", (row["pk"],))
        return target
    _set_path(conn, row["pk"], new_path)
    return get_row(conn, project_id, entry_id)


def _rewrite_prefix(conn: sqlite3.Connection, project_id: int, old: str, new: str) -> None:
    """Every descendant of ``old`` gets ``new`` in place of that prefix, in one statement when
    the paths allow it."""
    if paths.normalize(old) == old and paths.normalize(new) == new:
        # Both paths end on a clean segment boundary, so each derived column shifts by the
        # same amount for every row: no row needs to be split again. casefold works
        # character by character, so the folded prefix can be swapped the same way.
        conn.execute(
            "UPDATE file_system SET"
            " path = ? || substr(path, ?),"
            " path_folded = ? || substr(path_folded, ?),"
            " parent_path = ? || substr(parent_path, ?),"
            " depth = depth + ?"
            " WHERE project_id = ? AND path >= ? AND path < ?",
            (
                new,
                len(old) + 1,
                new.casefold(),
                len(old.casefold()) + 1,
                new,
                len(old) + 1,
                paths.depth(new) - paths.depth(old),
                project_id,
                old + "/",
                old + "0",
            ),
        )
        return
    # Odd spellings ("a//b", a trailing backslash): recompute each row from its new path.
    _, rows = descendants(conn, project_id, old)
    for child_row in rows:
        _set_path(conn, child_row["pk"], new + child_row["path"][len(old) :])


# --------------------------------------------------------------------------- unfiled


# What PostHog names an object without a name when it files it.
UNTITLED = "Untitled"


def unfiled_types(requested: str | None) -> list[str]:
    """The object types ``unfiled?type=`` files: all for none; PostHog's model names
    otherwise, where ``hog_function`` is every kind of hog function and anything else it
    does not know (a blank, ``hog_function/destination``) is none at all."""
    if requested is None:
        return list(OBJECT_TYPES)
    if requested == "hog_function":
        return [name for name in OBJECT_TYPES if name.startswith("hog_function/")]
    if requested in OBJECT_TYPES and not requested.startswith("hog_function/"):
        return [requested]
    return []


def file_unfiled(
    conn: sqlite3.Connection, project_id: int, object_type: str | None, user_id: int | None
) -> int:
    """Give every live object without an entry one under ``Unfiled/<Plural>/`` (objects of
    :func:`unfiled_types` of ``object_type``); answers how many were filed. Objects of one
    name get one path each, as in PostHog (paths need not be unique)."""
    types = unfiled_types(object_type)
    if not types:
        return 0
    created = 0
    for obj in objects.without_entries(conn, project_id, types):
        known = OBJECT_TYPES.get(obj["type"])
        name = obj["name"] or UNTITLED
        create_entry(
            conn,
            project_id,
            path=paths.child(unfiled_folder(obj["type"]), name),
            type=obj["type"],
            ref=obj["ref"],
            href=known.href(obj["ref"]) if known else None,
            # PostHog copies the object's creation into the entry, and into meta for the UI.
            meta={"created_at": obj["created_at"], "created_by": obj["created_by"]},
            created_by=obj["created_by"] if obj["created_by"] is not None else user_id,
            created_at=obj["created_at"],
        )
        created += 1
    _repair_missing_folders(conn, project_id, user_id)
    return created


def _repair_missing_folders(conn: sqlite3.Connection, project_id: int, user_id: int | None) -> None:
    """Create any folder that an entry's path implies but that does not exist (PostHog
    does the same on ``unfiled``, after PATCHes that moved entries without parents)."""
    orphans = conn.execute(
        "SELECT DISTINCT f.parent_path FROM file_system f WHERE f.project_id = ?"
        " AND f.parent_path <> '' AND NOT EXISTS (SELECT 1 FROM file_system g"
        " WHERE g.project_id = f.project_id AND g.path = f.parent_path)",
        (project_id,),
    ).fetchall()
    for orphan in orphans:
        parent_path = orphan[0]
        if not path_exists(conn, project_id, parent_path):
            ensure_ancestors(conn, project_id, parent_path, user_id)
            _insert(conn, project_id, path=parent_path, type="folder", created_by=user_id)
