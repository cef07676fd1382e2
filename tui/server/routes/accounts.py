"""Endpoints outside the projects: the current user, the projects and environments a
switcher lists, the organisations, and the personal API key itself.

The local server has one organisation (``accounts.ORGANIZATION``) holding every project of
the database; each project has one environment of the same id, as PostHog's do since it
split the two. Scopes as PostHog's viewsets: ``user:read``, ``project:read``,
``organization:read``. A key limited to some projects may read ``users/@me/`` but none of
the lists (PostHog's 403, which tells such a key to use ``@me``).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from tui.models.accounts import CurrentUser, KeyInfo, OrganizationPage, TeamPage
from tui.server.auth import Caller, requires_outside_projects
from tui.server.errors import not_found
from tui.server.http import add_route, page_body, page_window
from tui.server.settings import mask
from tui.server.store import accounts
from tui.server.store.db import Database

router = APIRouter(tags=["accounts"])

ReadUser = Annotated[Caller, Depends(requires_outside_projects("user:read", any_project_key=True))]
ReadProjects = Annotated[Caller, Depends(requires_outside_projects("project:read"))]
ReadOrganizations = Annotated[Caller, Depends(requires_outside_projects("organization:read"))]
AnyKey = Annotated[Caller, Depends(requires_outside_projects(None, any_project_key=True))]
# Read by page_window (as DRF reads them); declared so the schema documents them.
Limit = Annotated[str | None, Query()]
Offset = Annotated[str | None, Query()]


def _db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def current_user(request: Request, caller: ReadUser) -> JSONResponse:
    """The key's user, their organisation with its projects, and their organisations."""
    with _db(request).read() as conn:
        user = accounts.user_json(conn, caller.user_id)
        rows = accounts.projects(conn)
    return JSONResponse(
        {
            **user,
            # PostHog's web app's current environment; a key has none of its own, so the
            # first project stands for it.
            "team": accounts.team_json(rows[0]) if rows else None,
            "organization": accounts.organization_json(rows),
            "organizations": [accounts.organization_basic_json()],
        }
    )


def _teams(request: Request) -> JSONResponse:
    limit, offset = page_window(request)
    with _db(request).read() as conn:
        rows = accounts.projects(conn)
    results = [accounts.team_json(row) for row in rows[offset : offset + limit]]
    return JSONResponse(page_body(request, len(rows), limit, offset, results))


def list_projects(
    request: Request, caller: ReadProjects, limit: Limit = None, offset: Offset = None
) -> JSONResponse:
    """Every project of the user's organisations."""
    return _teams(request)


def list_environments(
    request: Request, caller: ReadProjects, limit: Limit = None, offset: Offset = None
) -> JSONResponse:
    """Every environment: one per project, of the same id."""
    return _teams(request)


def list_organization_projects(
    request: Request,
    caller: ReadProjects,
    organization_id: str,
    limit: Limit = None,
    offset: Offset = None,
) -> JSONResponse:
    """The projects of one organisation (``@current``: the user's)."""
    if organization_id not in ("@current", accounts.ORGANIZATION.id):
        raise not_found()
    return _teams(request)


def list_organizations(
    request: Request, caller: ReadOrganizations, limit: Limit = None, offset: Offset = None
) -> JSONResponse:
    page_limit, page_offset = page_window(request)
    everything = [accounts.organization_basic_json()]
    results = everything[page_offset : page_offset + page_limit]
    return JSONResponse(page_body(request, len(everything), page_limit, page_offset, results))


def current_key(request: Request, caller: AnyKey) -> JSONResponse:
    """The key the request came with: its rules, never its value (PostHog's ``value`` is
    only ever sent when a key is made). Any key may read itself, whatever its scopes."""
    spec = caller.spec
    return JSONResponse(
        {
            "id": accounts.key_id(spec.key),
            "label": caller.label,
            "value": None,
            "mask_value": mask(spec.key),
            "created_at": request.app.state.started_at,
            "last_used_at": None,
            "user_id": caller.user_id,
            "scopes": sorted(spec.scopes),
            "scoped_teams": sorted(spec.projects) if spec.projects is not None else None,
            "scoped_organizations": None,
            "last_rolled_at": None,
        }
    )


add_route(router, "/api/users/@me", current_user, methods=["GET"], response_model=CurrentUser)
add_route(router, "/api/projects", list_projects, methods=["GET"], response_model=TeamPage)
add_route(router, "/api/environments", list_environments, methods=["GET"], response_model=TeamPage)
add_route(
    router,
    "/api/organizations",
    list_organizations,
    methods=["GET"],
    response_model=OrganizationPage,
)
add_route(
    router,
    "/api/organizations/{organization_id}/projects",
    list_organization_projects,
    methods=["GET"],
    response_model=TeamPage,
)
add_route(
    router, "/api/personal_api_keys/@current", current_key, methods=["GET"], response_model=KeyInfo
)
