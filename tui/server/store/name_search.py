"""Search terms answered off the trigram index of names (``file_system_name_search``)
instead of a scan of every row.

A ``name:`` term is a substring of the folded name; a plain word a substring of the folded
path or of the type. Both stay exactly what :func:`tui.server.store.file_system._term_sql`
says (the tests compare the two); this module only finds the same rows faster:

- a name: the index holds every row's ``name_folded`` and, with ``case_sensitive 1``, a
  quoted phrase of three characters or more matches exactly the names holding it as a
  substring (consecutive trigrams). Shorter terms have no trigram: they keep the scan.
- a plain word (never a "/" in it: those search across segments, elsewhere) lies in a
  path within one of its "/"-separated pieces, so in a row whose path is its parent_path,
  "/" and its name (all but :data:`ODD_PATH` rows) it lies in the name or in the parent's
  path. Names come off the index; parents off ``file_system_child_counts``, one row per
  folder path (4,320 at a million entries), whose paths are folded and tested one by one;
  their rows off the children index. The odd rows (almost always none) are tested whole,
  and a type holding the word brings its rows (the project's types are few: read off the
  ``file_system_ref`` index one distinct value at a time).

Paths are not indexed as such: a move rewrites every moved row's path, and an index of
paths would rewrite each one's trigrams too (B4 moves 100,000 rows); names do not change.
"""

from __future__ import annotations

from typing import Any

# Trigrams: a term needs three characters (after casefold) to be looked up.
MIN_TERM_CHARS = 3

# A row whose path is not (parent_path "/")? name, as far as the folded columns tell: only
# for the others does a plain word found in neither the name nor the parent's path miss the
# path. The partial index file_system_search_odd is built on this very expression.
ODD_PATH = (
    "NOT ((parent_path = '' OR substr(path, 1, length(parent_path) + 1) = parent_path || '/')"
    " AND (path_folded = name_folded"
    " OR substr(path_folded, -length(name_folded) - 1) = '/' || name_folded))"
)

_NAME_MATCHES = "SELECT rowid FROM file_system_name_search WHERE file_system_name_search MATCH ?"

# The project's distinct types, one index seek each (SQLite has no skip scan without
# statistics), then those whose folded spelling holds the word.
_TYPES_HOLDING = (
    "WITH RECURSIVE kinds(kind) AS ("
    " SELECT MIN(type) FROM file_system WHERE project_id = ?"
    " UNION ALL SELECT (SELECT MIN(type) FROM file_system WHERE project_id = ? AND type > kind)"
    " FROM kinds WHERE kind IS NOT NULL)"
    " SELECT kind FROM kinds WHERE kind IS NOT NULL AND instr(casefold(kind), ?) > 0"
)


def phrase(folded: str) -> str:
    """``folded`` as one FTS5 string: quoted, its quotes doubled; nothing in it is syntax."""
    return '"' + folded.replace('"', '""') + '"'


def indexable(folded: str) -> bool:
    return len(folded) >= MIN_TERM_CHARS


def name_clause(folded: str) -> tuple[str, list[Any]]:
    """Rows whose ``name_folded`` holds ``folded`` (three characters or more)."""
    return f"pk IN ({_NAME_MATCHES})", [phrase(folded)]


def text_walk_clause(project_id: int, folded: str) -> tuple[str, list[Any]]:
    """:func:`text_clause`'s rows, tested on an entry of file_system_folded_names (a page
    read in order): the folded path is there; the type is not, so the few types holding the
    word bring their rows' pks."""
    sql = (
        "(instr(path_folded, ?) > 0 OR pk IN"
        f" (SELECT pk FROM file_system WHERE project_id = ? AND type IN ({_TYPES_HOLDING})))"
    )
    return sql, [folded, project_id, project_id, project_id, folded]


def text_clause(project_id: int, folded: str) -> tuple[str, list[Any]]:
    """Rows of ``project_id`` whose ``path_folded`` or folded type holds ``folded`` (three
    characters or more, no "/"): as ``instr(path_folded, ?) OR instr(casefold(type), ?)``.

    Compound SELECTs run left to right: names and parents, less the odd rows; then the types;
    then the odd rows, each tested whole.
    """
    sql = (
        f"pk IN ({_NAME_MATCHES}"
        " UNION SELECT pk FROM file_system WHERE project_id = ? AND parent_path IN"
        "  (SELECT parent_path FROM file_system_child_counts"
        "   WHERE project_id = ? AND instr(casefold(parent_path), ?) > 0)"
        f" EXCEPT SELECT pk FROM file_system WHERE project_id = ? AND {ODD_PATH}"
        f" UNION SELECT pk FROM file_system WHERE project_id = ? AND type IN ({_TYPES_HOLDING})"
        f" UNION SELECT pk FROM file_system WHERE project_id = ? AND {ODD_PATH}"
        "  AND instr(path_folded, ?) > 0)"
    )
    params: list[Any] = [
        phrase(folded),
        project_id,
        project_id,
        folded,
        project_id,
        project_id,
        project_id,
        project_id,
        folded,
        project_id,
        folded,
    ]
    return sql, params
