"""Filing the objects the tree does not hold yet (PostHog's ``file_system/unfiled/``).

PostHog files each object without an entry under ``Unfiled/<its kind>``; the folders it
may write are listed here so that whoever shows the tree knows what to read again.
"""

from __future__ import annotations

from tui import paths
from tui.api import PostHogClient

UNFILED_ROOT = "Unfiled"

# PostHog's folder for each kind of object it files (unfiled_file_saver.py).
UNFILED_FOLDERS: tuple[str, ...] = tuple(
    paths.child(UNFILED_ROOT, kind)
    for kind in (
        "Insights",
        "Dashboards",
        "Feature Flags",
        "Experiments",
        "Notebooks",
        "Cohorts",
        "Surveys",
        "Early Access Features",
        "Replay playlists",
        "Transformations",
        "Destinations",
        "Site apps",
        "Sources",
    )
)


async def file_unfiled(client: PostHogClient, type: str | None = None) -> int:
    """File every object of ``type`` (all kinds when ``None``) that has no entry; answers
    how many entries PostHog created. Running it again files nothing twice."""
    return (await client.unfiled(type)).count


def touched_folders() -> list[str]:
    """The folders a filing may have written into, the top level first (``Unfiled``
    itself may be new)."""
    return ["", UNFILED_ROOT, *UNFILED_FOLDERS]
