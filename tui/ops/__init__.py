"""Every change hogtree makes to a project, once: new folders, moves, renames, links,
deletes (with their plan) and the steps that undo them.

Plain async functions over :class:`tui.api.PostHogClient` that answer plain records
(:mod:`tui.ops.results`); no wording for a screen or a terminal. The app
(:mod:`tui.app`) and the shell commands (:mod:`tui.scripting`) both call these and only
ask and format, so that the app's confirmation and ``hogtree rm`` name the same entries
and objects, and a move means the same thing wherever it is made.
"""

from __future__ import annotations

from tui.ops.deletion import DeletePlan, Restore, delete, plan_delete
from tui.ops.errors import ChangeRefused, outcome_unknown
from tui.ops.folders import make_folder
from tui.ops.relocate import MoveBack, link, move, rename
from tui.ops.resolve import Destination, Found, destination, lookup, materialize, require
from tui.ops.results import (
    Changed,
    ChangeResult,
    Deleted,
    DeleteResult,
    Failure,
    Undo,
    UndoResult,
)

__all__ = [
    "ChangeRefused",
    "ChangeResult",
    "Changed",
    "DeletePlan",
    "DeleteResult",
    "Deleted",
    "Destination",
    "Failure",
    "Found",
    "MoveBack",
    "Restore",
    "Undo",
    "UndoResult",
    "delete",
    "destination",
    "link",
    "lookup",
    "make_folder",
    "materialize",
    "move",
    "outcome_unknown",
    "plan_delete",
    "rename",
    "require",
]
