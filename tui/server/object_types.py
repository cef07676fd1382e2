"""What the local server knows about each kind of object behind a tree entry.

Mirrors PostHog's file-system registrations: which types a user may delete through the
tree, whether the object is soft-deleted (and so can be restored by ``undo_delete``), how
its ``ref`` and web path look, and which ``Unfiled/<Plural>`` folder holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tui.models import HOG_FUNCTION_KINDS


@dataclass(frozen=True)
class ObjectType:
    type: str
    plural: str  # the folder under Unfiled/
    href_prefix: str  # web path before the ref
    short_id: bool  # ref is a short id (else the numeric id as text)
    soft_delete: bool  # has a deleted flag: deletion can be undone
    api_collection: str  # where PostHog's own API lives, for the undo hint

    def href(self, ref: str) -> str:
        return f"{self.href_prefix}{ref}"

    @property
    def undo_hint(self) -> str:
        if not self.soft_delete:
            return ""
        return f"Send PATCH /api/projects/@current/{self.api_collection}/{{id}} with deleted=false."


_TYPES: list[ObjectType] = [
    ObjectType("insight", "Insights", "/insights/", True, True, "insights"),
    ObjectType("dashboard", "Dashboards", "/dashboard/", False, True, "dashboards"),
    ObjectType("feature_flag", "Feature Flags", "/feature_flags/", False, True, "feature_flags"),
    ObjectType("experiment", "Experiments", "/experiments/", False, True, "experiments"),
    ObjectType("notebook", "Notebooks", "/notebooks/", True, True, "notebooks"),
    ObjectType("cohort", "Cohorts", "/cohorts/", False, True, "cohorts"),
    ObjectType("action", "Actions", "/data-management/actions/", False, True, "actions"),
    ObjectType("survey", "Surveys", "/surveys/", False, False, "surveys"),
    ObjectType(
        "early_access_feature",
        "Early Access Features",
        "/early_access_features/",
        False,
        False,
        "early_access_feature",
    ),
    ObjectType(
        "session_recording_playlist",
        "Replay Playlists",
        "/replay/playlists/",
        True,
        True,
        "session_recordings/playlists",
    ),
    *(
        ObjectType(
            f"hog_function/{kind}",
            kind.replace("_", " ").title() + "s",
            "/pipeline/hog-functions/",
            False,
            True,
            "hog_functions",
        )
        for kind in HOG_FUNCTION_KINDS
    ),
]

OBJECT_TYPES: dict[str, ObjectType] = {t.type: t for t in _TYPES}

# Types an entry may have for the tree to delete it; "folder" and "link" have no object.
DELETABLE_TYPES: frozenset[str] = frozenset({"folder", "link", *OBJECT_TYPES})


def is_deletable(entry_type: str) -> bool:
    return entry_type in DELETABLE_TYPES


def unfiled_folder(entry_type: str) -> str:
    """``Unfiled/<Plural>`` for a type, escaped and ready to join a name to."""
    object_type = OBJECT_TYPES.get(entry_type)
    plural = object_type.plural if object_type else entry_type.replace("_", " ").title() + "s"
    return f"Unfiled/{plural}"
