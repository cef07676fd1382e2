"""An entry's path as the shell commands take it, ready to paste after ``hogtree mv``.

The commands take paths as the tree stores them: segments joined by ``/``, a slash inside a
name escaped as ``\\/`` (``Marketing/Q4 \\/ Q1``). Pasted into a shell, the path must reach
the command as one argument, backslashes included: single quotes do that (``shlex.quote``).
"""

from __future__ import annotations

import shlex

from tui import labels


def shell_path(path: str) -> str | None:
    """``path`` quoted for a POSIX shell (bare when it needs no quotes); ``None`` when it
    holds a control or invisible character, which no paste should carry into a shell."""
    if labels.visible(path) != path:
        return None
    return shlex.quote(path)
