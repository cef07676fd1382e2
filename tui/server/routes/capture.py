"""PostHog's capture endpoints (``/capture/``, ``/batch/``): filled in by issue 3."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["capture"])
