"""``evaluations/``: PostHog forbids hard deletes of evaluations, whatever the id."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from tui.server.auth import Access, requires
from tui.server.http import add_route

router = APIRouter(tags=["evaluations"])


def destroy(
    access: Annotated[Access, Depends(requires("evaluation:write"))], evaluation_id: str
) -> Response:
    """Always 405 with no body, after authentication and the scope check."""
    return Response(status_code=405)


add_route(
    router,
    "/evaluations/{evaluation_id}",
    destroy,
    methods=["DELETE"],
    status_code=405,
    response_class=Response,
    responses={405: {"description": "Hard deletes are not allowed"}},
)
