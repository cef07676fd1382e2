"""A user's Shortcuts (``file_system_shortcut/``) and view log (``file_system/log_view/``),
as pydantic models.

Shortcuts are the caller's own starred items, shown above the tree in PostHog's web app;
they are not the tree's ``shortcut: true`` entries (links made by ``link``). A shortcut's
``path`` is its display name (PostHog's web app stores the item's escaped last segment);
a folder's shortcut has ``type`` ``folder`` and the folder's path as ``ref``.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tui.models.file_system import Page, WireModel

# Django's IntegerField, which PostHog's ``order`` is: a 32-bit signed integer.
MIN_ORDER = -(2**31)
MAX_ORDER = 2**31 - 1


class Shortcut(WireModel):
    """One of the caller's shortcuts."""

    id: str
    path: str
    type: str = ""
    ref: str | None = None
    href: str | None = None
    order: int = 0
    created_at: datetime | None = None
    user_access_level: str | None = None


class ShortcutPage(Page[Shortcut]):
    """``GET file_system_shortcut/``: offset paginated."""


class ShortcutCreate(WireModel):
    """``POST file_system_shortcut/`` (and ``PUT``): only ``path`` is required."""

    path: str = Field(json_schema_extra={"minLength": 1})
    type: str = Field(default="", max_length=100)
    ref: str | None = Field(default=None, max_length=100)
    href: str | None = None
    order: int | None = Field(default=None, ge=MIN_ORDER, le=MAX_ORDER)


class ShortcutUpdate(WireModel):
    """``PATCH file_system_shortcut/{id}/``: the fields given change."""

    path: str | None = None
    type: str | None = Field(default=None, max_length=100)
    ref: str | None = Field(default=None, max_length=100)
    href: str | None = None
    order: int | None = Field(default=None, ge=MIN_ORDER, le=MAX_ORDER)


class ShortcutReorder(WireModel):
    """``POST file_system_shortcut/reorder/``: the caller's shortcuts, top to bottom."""

    ordered_ids: list[str] = Field(min_length=1)


class ShortcutBulkItem(WireModel):
    path: str
    type: str = Field(default="", max_length=100)
    ref: str | None = Field(default=None, max_length=4000)
    href: str | None = None


class ShortcutBulkUpdate(WireModel):
    """``POST file_system_shortcut/bulk_update/``: add and remove in one transaction."""

    add: list[ShortcutBulkItem] = Field(default_factory=list, max_length=500)
    remove_ids: list[str] = Field(default_factory=list, max_length=500)


class ViewLogEntry(WireModel):
    """One row of ``GET file_system/log_view/``: when the caller last viewed an object."""

    type: str
    ref: str
    viewed_at: datetime


class ViewLogCreate(WireModel):
    """``POST file_system/log_view/``: ``viewed_at`` defaults to now."""

    type: str
    ref: str
    viewed_at: str | None = None
