"""Who is asking, and may they: PostHog's personal API key rules.

A key comes as ``Authorization: Bearer <key>`` (``Bearer`` case-sensitive, one or more
spaces) or, as PostHog also accepts, a ``personal_api_key`` query parameter. Scopes follow
PostHog: ``X:write`` satisfies ``X:read`` and ``*`` satisfies everything.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import Request

from tui.server.errors import ApiProblem, not_found
from tui.server.settings import ApiKeySpec, key_label

_BEARER = re.compile(r"^Bearer +(\S+)\s*$")

NOT_AUTHENTICATED = "Authentication credentials were not provided."
AUTHENTICATION_FAILED = "Personal API key found in request Authorization header is invalid."
# An action in none of its viewset's scope lists (posthog/permissions.py, newest wording).
NO_PERSONAL_KEY_ACCESS = "This action does not support personal API key access"
# A key limited to some projects, on an endpoint outside /api/projects/<id>/.
SCOPED_KEY_OUTSIDE_PROJECTS = (
    "API keys with scoped projects are only supported on project-based endpoints."
)


def _auth_error(status: int, code: str, detail: str) -> ApiProblem:
    return ApiProblem(status, "authentication_error", code, detail)


@dataclass(frozen=True)
class Caller:
    """An authenticated request: the key's rules and the user it acts as."""

    spec: ApiKeySpec
    user_id: int
    label: str = ""  # the key's name (``Key 1``…): its ``label`` in personal_api_keys/@current/

    def has_scope(self, scope: str) -> bool:
        if "*" in self.spec.scopes or scope in self.spec.scopes:
            return True
        obj, _, level = scope.partition(":")
        return level == "read" and f"{obj}:write" in self.spec.scopes


@dataclass(frozen=True)
class Access:
    """What a route handler receives: the project it acts on and who acts."""

    project_id: int
    caller: Caller

    @property
    def user_id(self) -> int:
        return self.caller.user_id


class Authenticator:
    def __init__(self, keys: Iterable[tuple[ApiKeySpec, int]], projects: Iterable[int]) -> None:
        self._keys = [
            Caller(spec=spec, user_id=user_id, label=key_label(index))
            for index, (spec, user_id) in enumerate(keys, start=1)
        ]
        self.projects = frozenset(projects)

    def _find(self, presented: str) -> Caller | None:
        # Compare every key in constant time so response timing says nothing about keys.
        found = None
        for caller in self._keys:
            if hmac.compare_digest(caller.spec.key.encode(), presented.encode()):
                found = caller
        return found

    def authenticate(self, request: Request) -> Caller:
        header = request.headers.get("authorization")
        presented: str | None = None
        if header:
            match = _BEARER.match(header)
            if match:
                presented = match.group(1)
        if presented is None:
            presented = request.query_params.get("personal_api_key") or None
        if presented is None:
            raise _auth_error(401, "not_authenticated", NOT_AUTHENTICATED)
        found = self._find(presented)
        if found is None:
            raise _auth_error(401, "authentication_failed", AUTHENTICATION_FAILED)
        return found

    def authorize_outside_projects(
        self, request: Request, scope: str | None, *, any_project_key: bool
    ) -> Caller:
        """For an endpoint outside ``/api/projects/<id>/`` (the user, the projects lists):
        authenticate, refuse a key limited to some projects unless ``any_project_key`` (PostHog
        lets such keys read ``users/@me/`` alone), then check ``scope`` (``None``: any key)."""
        caller = self.authenticate(request)
        if not any_project_key and caller.spec.projects is not None:
            raise _auth_error(403, "permission_denied", SCOPED_KEY_OUTSIDE_PROJECTS)
        if scope is not None and not caller.has_scope(scope):
            raise _auth_error(403, "permission_denied", f"API key missing required scope '{scope}'")
        return caller

    def refuse_personal_keys(self, request: Request) -> Caller:
        """An action PostHog lists in no scope list: every personal API key is refused, even
        ``*``, before anything else is looked at (PostHog's APIScopePermission)."""
        self.authenticate(request)
        raise _auth_error(403, "permission_denied", NO_PERSONAL_KEY_ACCESS)

    def authorize(self, request: Request, project: str, scopes: Iterable[str]) -> Access:
        """Authenticate, then check scopes, the key's projects, and that the project exists."""
        caller = self.authenticate(request)
        for scope in scopes:
            if not caller.has_scope(scope):
                raise _auth_error(
                    403, "permission_denied", f"API key missing required scope '{scope}'"
                )
        project_id = _project_number(project)
        if project_id is None:
            raise not_found("Project not found.")
        allowed = caller.spec.projects
        if allowed is not None and project_id not in allowed:
            raise _auth_error(
                403,
                "permission_denied",
                f"API key does not have access to the requested project: ID {project_id}.",
            )
        if project_id not in self.projects:
            raise not_found("Project not found.")
        return Access(project_id=project_id, caller=caller)


def _project_number(text: str) -> int | None:
    """The project id of a URL, or ``None`` when it is not one. ASCII digits only: ``"²"``
    is a digit to ``str.isdigit`` yet not to ``int``."""
    if not (text.isascii() and text.isdigit()):
        return None
    try:
        return int(text)
    except ValueError:  # more digits than Python parses (4,300): no such project either
        return None


def requires(*scopes: str) -> Callable[[Request, str], Access]:
    """A FastAPI dependency: the request's :class:`Access` once ``scopes`` are checked."""

    def dependency(request: Request, project_id: str) -> Access:
        authenticator: Authenticator = request.app.state.authenticator
        return authenticator.authorize(request, project_id, scopes)

    dependency.__name__ = f"requires_{'_'.join(s.replace(':', '_') for s in scopes)}"
    return dependency


def requires_outside_projects(
    scope: str | None, *, any_project_key: bool = False
) -> Callable[[Request], Caller]:
    """A FastAPI dependency for an endpoint outside the projects: the request's
    :class:`Caller` once :meth:`Authenticator.authorize_outside_projects` lets it through."""

    def dependency(request: Request) -> Caller:
        authenticator: Authenticator = request.app.state.authenticator
        return authenticator.authorize_outside_projects(
            request, scope, any_project_key=any_project_key
        )

    dependency.__name__ = f"requires_{(scope or 'a_key').replace(':', '_')}"
    return dependency


def no_personal_keys(request: Request) -> Caller:
    """A FastAPI dependency for actions no personal API key may use (always refuses: the
    local server knows only personal API keys)."""
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator.refuse_personal_keys(request)
