"""The file_system bodies (the project tree), as pydantic models.

Shared vocabulary: the client parses responses with them, the local server documents and
validates with them. Unknown fields are ignored so that a newer PostHog adding a field does
not break an older hogtree.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from tui import startup

# Types whose entries PostHog lets a user delete (anything else: 400, nothing deleted).
HOG_FUNCTION_KINDS: tuple[str, ...] = (
    "broadcast",
    "campaign",
    "destination",
    "internal_destination",
    "site_app",
    "site_destination",
    "source",
    "source_webhook",
    "transformation",
)


class WireModel(BaseModel):
    # defer_build in the app's own process only (see tui.startup): each model is built when
    # it first validates, not all ~60 at import, most never used by the first screen.
    model_config = ConfigDict(
        extra="ignore", populate_by_name=True, defer_build=startup.DEFER_MODEL_BUILDS
    )


# The words PostHog (Django REST framework) reads as true in a boolean query parameter.
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "on", "1"})


def query_flag(value: str | None) -> bool:
    """PostHog's reading of a boolean query parameter: anything else is false."""
    return value is not None and value.strip().lower() in TRUE_WORDS


class FileSystemListQuery(WireModel):
    """The filters of ``GET file_system/`` (all ANDed), spelt as the wire carries them.

    The one statement of this query: the client sends it, the local server's route reads
    it from the query string and its store answers it. Every field stays the text sent,
    as PostHog judges some itself: a ``depth`` that is not an integer is ignored
    (:attr:`depth_value`), ``search_name_only`` is true for PostHog's true words
    (:attr:`name_only`), and a bad ``created_at__gt``/``__lt`` is a 400 from the store.
    ``limit`` and ``offset`` are not filters: they page any list the same way.
    """

    parent: str | None = None
    depth: str | None = None
    path: str | None = None
    type: str | None = None
    not_type: str | None = None
    type__startswith: str | None = None
    ref: str | None = None
    created_at__gt: str | None = None
    created_at__lt: str | None = None
    search: str | None = None
    search_name_only: str | None = None
    order_by: str | None = None

    @property
    def depth_value(self) -> int | None:
        """``depth`` if it is an integer; PostHog ignores anything else."""
        if self.depth is None:
            return None
        try:
            value = int(self.depth)
        except ValueError:
            return None
        # No path is that deep; keep the number inside SQLite's 64-bit integers.
        return value if abs(value) < 2**62 else -1

    @property
    def name_only(self) -> bool:
        return query_flag(self.search_name_only)

    def params(self) -> dict[str, str]:
        """The query parameters that carry this query (unset fields left out)."""
        return {name: value for name, value in self.model_dump().items() if value is not None}


class FileSystemEntry(WireModel):
    """One row of the project tree: a folder, or an entry standing for an object."""

    id: str
    path: str
    depth: int | None = None
    type: str = ""
    ref: str | None = None
    href: str | None = None
    meta: dict[str, Any] | None = None
    shortcut: bool | None = False
    created_at: datetime | None = None
    last_viewed_at: datetime | None = None
    user_access_level: str | None = None

    @property
    def is_folder(self) -> bool:
        return self.type == "folder"


class UserBasic(WireModel):
    id: int
    uuid: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""


T = TypeVar("T")


class Page(WireModel, Generic[T]):
    """PostHog's offset pagination body."""

    count: int
    next: str | None = None
    previous: str | None = None
    results: list[T]


class FileSystemPage(Page[FileSystemEntry]):
    users: list[UserBasic] = Field(default_factory=list)


class EntryCreate(WireModel):
    """``POST file_system/``: only ``path`` is required."""

    path: str = Field(json_schema_extra={"minLength": 1})
    type: str = Field(default="", max_length=100)
    ref: str | None = Field(default=None, max_length=100)
    href: str | None = None
    meta: dict[str, Any] | None = None
    shortcut: bool | None = None


class EntryUpdate(WireModel):
    """``PATCH file_system/{id}/``: the fields given are changed, the rest stay."""

    path: str | None = None
    type: str | None = Field(default=None, max_length=100)
    ref: str | None = Field(default=None, max_length=100)
    href: str | None = None
    meta: dict[str, Any] | None = None
    shortcut: bool | None = None


class NewPath(WireModel):
    """Body of ``link`` and ``move``."""

    new_path: str


class DeletedObject(WireModel):
    """An object (insight, dashboard, flag…) that a delete took with it."""

    type: str
    ref: str | None = None
    mode: Literal["soft", "hard"] = "soft"
    path: str | None = None
    can_undo: bool = False
    undo: str = ""


class DeleteResponse(WireModel):
    deleted: list[DeletedObject] = Field(default_factory=list)


class UndoItem(WireModel):
    type: str
    ref: str
    path: str | None = None


class UndoRequest(WireModel):
    items: list[UndoItem]


class UndoneObject(WireModel):
    type: str
    ref: str


class UndoResponse(WireModel):
    undone: list[UndoneObject]


class CountResponse(WireModel):
    count: int
    entries: list[FileSystemEntry] = Field(default_factory=list)
    has_more: bool = False


class UnfiledResponse(WireModel):
    count: int


class ErrorBody(WireModel):
    """PostHog's error body. The file_system actions answer some 400s with ``detail`` only."""

    type: str | None = None
    code: str | None = None
    detail: str | None = None
    attr: str | None = None
