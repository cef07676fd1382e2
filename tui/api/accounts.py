"""Who the key is and what it may open, from endpoints outside the project: the current
user (``/api/users/@me/``), the key itself (``/api/personal_api_keys/@current/``) and the
projects of the user's organisations (``/api/projects/``), for ``doctor`` and the project
switcher.
"""

from __future__ import annotations

from tui.api.errors import PermissionDeniedError
from tui.api.transport import Transport, parse, query_params
from tui.models.accounts import (
    CurrentUser,
    KeyInfo,
    OrganizationBasic,
    ProjectSummary,
    TeamBasic,
    TeamPage,
)

PAGE_SIZE = 100
# PostHog's 403 for a key limited to some projects on an endpoint outside them.
SCOPED_PROJECTS_REFUSAL = "scoped projects are only supported on project-based endpoints"


class AccountsApi:
    """Endpoints from the API's root, not under ``/api/projects/<id>/``."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    async def me(self) -> CurrentUser:
        """The key's user, their current organisation and its projects (``user:read``; a
        key limited to some projects may ask too)."""
        response = await self._transport.request("GET", "/api/users/@me/", from_root=True)
        return parse(response, CurrentUser)

    async def key_info(self) -> KeyInfo:
        """The key's own scopes and project limits (any key may read itself)."""
        response = await self._transport.request(
            "GET", "/api/personal_api_keys/@current/", from_root=True
        )
        return parse(response, KeyInfo)

    async def teams(self) -> list[TeamBasic]:
        """Every page of ``/api/projects/`` (``project:read``): the projects of all the
        user's organisations. A key limited to some projects is refused (PostHog's 403)."""
        found: list[TeamBasic] = []
        while True:
            response = await self._transport.request(
                "GET",
                "/api/projects/",
                params=query_params(limit=PAGE_SIZE, offset=len(found)),
                from_root=True,
            )
            page = parse(response, TeamPage)
            found.extend(page.results)
            if not page.results or len(found) >= page.count:
                return found

    async def projects(self) -> list[ProjectSummary]:
        """What a project switcher lists: each project the key may open, once, by name.

        ``/api/projects/`` lists them; a key limited to some projects may not read it, so
        then the user's organisation (``@me``) gives its projects, kept to the key's
        (``key_info().scoped_teams``). Organisation names come from ``@me`` when the key may
        read it (``user:read``), else they stay ``None``.
        """
        me: CurrentUser | None
        try:
            teams = await self.teams()
        except PermissionDeniedError as refused:
            if SCOPED_PROJECTS_REFUSAL not in (refused.detail or ""):
                raise
            me = await self.me()
            allowed = (await self.key_info()).scoped_teams
            teams = list(me.organization.teams) if me.organization else []
            if allowed:
                teams = [team for team in teams if team.id in allowed]
        else:
            me = await self._me_if_allowed()
        names = _organization_names(me)
        summaries: dict[int, ProjectSummary] = {}
        for team in teams:
            project_id = team.project_id if team.project_id is not None else team.id
            summaries.setdefault(
                project_id,
                ProjectSummary(
                    id=project_id,
                    name=team.name,
                    organization_id=team.organization,
                    organization_name=names.get(team.organization or ""),
                ),
            )
        return list(summaries.values())

    async def _me_if_allowed(self) -> CurrentUser | None:
        try:
            return await self.me()
        except PermissionDeniedError:
            return None


def _organization_names(me: CurrentUser | None) -> dict[str, str]:
    if me is None:
        return {}
    known: list[OrganizationBasic] = list(me.organizations)
    if me.organization is not None:
        known.append(me.organization)
    return {organization.id: organization.name for organization in known}
