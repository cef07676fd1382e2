"""Who is asking and what they may open: the current user, the projects and environments
of their organisations, and the personal API key itself, as pydantic models.

These live outside ``/api/projects/<id>/``: ``/api/users/@me/``, ``/api/projects/``,
``/api/environments/``, ``/api/organizations/…`` and ``/api/personal_api_keys/@current/``.
PostHog sends many more fields than these; the ones a project switcher and ``doctor`` need
are kept (unknown fields are ignored). Since PostHog split projects from environments, a
project has one environment of the same id, so a team's ``id`` and ``project_id`` agree.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from tui.models.file_system import Page, WireModel


class TeamBasic(WireModel):
    """A project (or its environment) as PostHog's lists and ``@me`` carry it."""

    id: int
    uuid: str | None = None
    organization: str | None = None  # the organisation's id
    project_id: int | None = None
    api_token: str | None = None  # the public ``phc_`` token SDKs capture with
    name: str = ""
    timezone: str | None = None
    is_demo: bool = False


class TeamPage(Page[TeamBasic]):
    """``GET /api/projects/``, ``/api/environments/``, ``/api/organizations/{id}/projects/``."""


class ProjectBasic(WireModel):
    """A project inside ``@me``'s ``organization.projects``."""

    id: int
    organization_id: str | None = None
    name: str = ""


class OrganizationBasic(WireModel):
    """An organisation the user belongs to (``@me``'s ``organizations``)."""

    id: str
    name: str = ""
    slug: str | None = None
    membership_level: int | None = None


class OrganizationPage(Page[OrganizationBasic]):
    """``GET /api/organizations/``."""


class Organization(OrganizationBasic):
    """The user's current organisation, with its environments and projects."""

    teams: list[TeamBasic] = Field(default_factory=list)
    projects: list[ProjectBasic] = Field(default_factory=list)


class CurrentUser(WireModel):
    """``GET /api/users/@me/``."""

    id: int | None = None
    uuid: str | None = None
    email: str
    first_name: str = ""
    last_name: str = ""
    # The environment PostHog's web app last had open (``None`` when it never had one).
    team: TeamBasic | None = None
    organization: Organization | None = None
    organizations: list[OrganizationBasic] = Field(default_factory=list)

    @property
    def display_name(self) -> str:
        name = f"{self.first_name} {self.last_name}".strip()
        return name or self.email


class KeyInfo(WireModel):
    """``GET /api/personal_api_keys/@current/``: the key's own rules, never its value.

    ``scopes`` ``["*"]`` is every scope. ``scoped_teams`` and ``scoped_organizations`` are
    ``None`` (or empty) when the key is not limited to some projects or organisations.
    """

    id: str | None = None
    label: str = ""
    mask_value: str | None = None
    created_at: datetime | None = None
    last_used_at: datetime | None = None
    user_id: int | None = None
    scopes: list[str] = Field(default_factory=lambda: ["*"])
    scoped_teams: list[int] | None = None
    scoped_organizations: list[str] | None = None

    def allows_project(self, project_id: int) -> bool:
        """Whether the key's project limit (if any) lets it open ``project_id``."""
        return not self.scoped_teams or project_id in self.scoped_teams


class ProjectSummary(WireModel):
    """One row of the project switcher: a project (one environment of the same id)."""

    id: int
    name: str
    organization_id: str | None = None
    organization_name: str | None = None
