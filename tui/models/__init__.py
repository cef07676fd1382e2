"""The bodies PostHog's API sends and receives, as pydantic models, one module per resource.

Shared vocabulary: the client parses responses with them, the local server documents and
validates with them.
"""

from tui.models.file_system import (
    HOG_FUNCTION_KINDS,
    CountResponse,
    DeletedObject,
    DeleteResponse,
    EntryCreate,
    EntryUpdate,
    ErrorBody,
    FileSystemEntry,
    FileSystemListQuery,
    FileSystemPage,
    NewPath,
    Page,
    UndoItem,
    UndoneObject,
    UndoRequest,
    UndoResponse,
    UnfiledResponse,
    UserBasic,
    WireModel,
)

__all__ = [
    "HOG_FUNCTION_KINDS",
    "CountResponse",
    "DeleteResponse",
    "DeletedObject",
    "EntryCreate",
    "EntryUpdate",
    "ErrorBody",
    "FileSystemEntry",
    "FileSystemListQuery",
    "FileSystemPage",
    "NewPath",
    "Page",
    "UndoItem",
    "UndoRequest",
    "UndoResponse",
    "UndoneObject",
    "UnfiledResponse",
    "UserBasic",
    "WireModel",
]
