"""``/_health``: answers 200 while the server is up; no key needed."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["health"])


@router.get("/_health")
def health() -> dict[str, str]:
    return {"status": "ok"}
