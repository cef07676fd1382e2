"""PostHog's error bodies, and the exception every layer of the server raises to send one.

Every error is JSON ``{"type", "code", "detail", "attr"}``, except the 400s of the
file_system actions count, count_by_path, link and move, which PostHog answers with a bare
``{"detail": …}`` (:attr:`ApiProblem.bare` marks those), and the 400s PostHog's views build
by hand without ``attr`` (:attr:`ApiProblem.no_attr`, see :func:`hand_built_400`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict

from tui.server.store.errors import NOT_FOUND, BadRequest, InvalidField, NotFound, StoreError

# Details PostHog uses word for word (NOT_FOUND: the store's, imported above).
SERVER_ERROR = "A server error occurred."


class ApiProblem(Exception):
    def __init__(
        self,
        status: int,
        type: str,
        code: str,
        detail: str,
        attr: str | None = None,
        *,
        bare: bool = False,
        no_attr: bool = False,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.type = type
        self.code = code
        self.detail = detail
        self.attr = attr
        self.bare = bare
        self.no_attr = no_attr
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        if self.bare:
            return {"detail": self.detail}
        if self.no_attr:
            return {"type": self.type, "code": self.code, "detail": self.detail}
        return {"type": self.type, "code": self.code, "detail": self.detail, "attr": self.attr}


def not_found(detail: str = NOT_FOUND) -> ApiProblem:
    return ApiProblem(404, "invalid_request", "not_found", detail)


def invalid(detail: str, code: str = "invalid_input", attr: str | None = None) -> ApiProblem:
    """A 400 validation error in PostHog's usual shape."""
    return ApiProblem(400, "validation_error", code, detail, attr)


def parse_error(detail: str) -> ApiProblem:
    """DRF's ParseError (a body that is not JSON it can read): PostHog's handler types it
    ``invalid_request``, not ``validation_error``."""
    return ApiProblem(400, "invalid_request", "parse_error", detail)


def bare_400(detail: str) -> ApiProblem:
    """A 400 with a bare ``{"detail": …}``, as the file_system actions answer."""
    return ApiProblem(400, "validation_error", "invalid_input", detail, bare=True)


def hand_built_400(detail: str, code: str) -> ApiProblem:
    """A 400 a PostHog view answers with ``Response({"detail", "code", "type"}, 400)``
    rather than by raising: the code as written (no ``invalid`` → ``invalid_input``), and
    no ``attr`` key at all."""
    return ApiProblem(400, "validation_error", code, detail, no_attr=True)


def problem_for(error: StoreError) -> ApiProblem:
    """The PostHog error body for what the store refused: the one place store errors
    become HTTP."""
    if isinstance(error, NotFound):
        return not_found(error.message)
    if isinstance(error, InvalidField):
        return invalid(error.message, code=error.code, attr=error.attr)
    if isinstance(error, BadRequest):
        return bare_400(error.message)
    return invalid(error.message)


def method_not_allowed(method: str, allow: str | None = None) -> ApiProblem:
    """DRF's 405, with the ``Allow`` header HTTP asks of it (the methods the path takes)."""
    return ApiProblem(
        405,
        "invalid_request",
        "method_not_allowed",
        f'Method "{method}" not allowed.',
        headers={"Allow": allow} if allow else None,
    )


def server_error() -> ApiProblem:
    return ApiProblem(500, "server_error", "error", SERVER_ERROR)


# --------------------------------------------------------------------------- documentation


class ProblemBody(BaseModel):
    """The body of every error, as the OpenAPI schema documents it (exactly these keys)."""

    model_config = ConfigDict(extra="forbid", title="Error")

    type: str
    code: str
    detail: str
    attr: str | None


class NoAttrProblemBody(BaseModel):
    """The body of a 400 a PostHog view builds by hand (:func:`hand_built_400`)."""

    model_config = ConfigDict(extra="forbid", title="ErrorWithoutAttr")

    type: str
    code: str
    detail: str


class BareProblemBody(BaseModel):
    """The bare 400 body of the file_system actions count, count_by_path, link and move."""

    model_config = ConfigDict(extra="forbid", title="BareError")

    detail: str
