"""Bodies a PostHog server answers with, for the client tests that fake the server (a
transport or a hostile server): one of each, shared instead of copied."""

from __future__ import annotations

from typing import Any

# An export as ``exports/<id>/`` describes it once made: a CSV of insight 3.
ASSET: dict[str, Any] = {
    "id": 7,
    "dashboard": None,
    "insight": 3,
    "export_format": "text/csv",
    "created_at": "2024-05-01T12:00:00Z",
    "has_content": True,
    "export_context": None,
    "filename": "report.csv",
    "expires_after": "2024-05-08T00:00:00Z",
    "exception": None,
}
# The content of that export.
CSV_BODY = b"date,x\r\n2024-05-01,1\r\n"

# One entry of a ``file_system/`` page.
ENTRY: dict[str, Any] = {
    "id": "0b5a6c1e-0000-4000-8000-000000000001",
    "path": "Reports/Weekly",
    "depth": 2,
    "type": "insight",
    "ref": "abc123",
    "href": "/insights/abc123",
    "meta": {},
    "shortcut": False,
    "created_at": "2024-05-01T12:00:00Z",
}
