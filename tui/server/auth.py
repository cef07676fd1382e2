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
from tui.server.settings import ApiKeySpec

_BEARER = re.compile(r"^Bearer +(\S+)\s*$")

NOT_AUTHENTICATED = "Authentication credentials were not provided."
AUTHENTICATION_FAILED = "Personal API key found in request Authorization header is invalid."


def _auth_error(status: int, code: str, detail: str) -> ApiProblem:
    return ApiProblem(status, "authentication_error", code, detail)


@dataclass(frozen=True)
class Caller:
    """An authenticated request: the key's rules and the user it acts as."""

    spec: ApiKeySpec
    user_id: int

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
        self._keys = [(spec, user_id) for spec, user_id in keys]
        self.projects = frozenset(projects)

    def _find(self, presented: str) -> tuple[ApiKeySpec, int] | None:
        # Compare every key in constant time so response timing says nothing about keys.
        found = None
        for spec, user_id in self._keys:
            if hmac.compare_digest(spec.key.encode(), presented.encode()):
                found = (spec, user_id)
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
        return Caller(spec=found[0], user_id=found[1])

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
