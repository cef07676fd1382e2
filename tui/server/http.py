"""The HTTP conventions PostHog's API follows (Django REST framework's), in one place:
offset pagination, validation error bodies, boolean query parameters, and routes that
answer with and without a trailing slash."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from pydantic import BaseModel, ValidationError
from starlette.routing import compile_path

from tui.models.file_system import query_flag
from tui.server.errors import ApiProblem, BareProblemBody, ProblemBody, invalid, parse_error
from tui.server.limits import MAX_PAGE_VALUE, page_value_out_of_range

DEFAULT_LIMIT = 100

Model = TypeVar("Model", bound=BaseModel)


# --------------------------------------------------------------------------- pagination


def _page_number(name: str, text: str | None, *, strict: bool) -> int | None:
    """A ``limit``/``offset`` as DRF reads it (not a positive integer: ``None``), except that
    a number beyond :data:`MAX_PAGE_VALUE` either way is a 400, not a silent default."""
    if text is None:
        return None
    try:
        value = int(text)
    except ValueError:
        # Python refuses to parse more than 4,300 digits: such a number is out of range too.
        if text.strip().lstrip("+-").isdecimal():
            raise page_value_out_of_range(name) from None
        return None
    if abs(value) > MAX_PAGE_VALUE:
        raise page_value_out_of_range(name)
    if value < 0 or (strict and value == 0):
        return None
    return value


def page_window(request: Request) -> tuple[int, int]:
    """``limit`` and ``offset`` as DRF reads them: a bad limit is the default, a bad offset 0."""
    params = request.query_params
    limit = _page_number("limit", params.get("limit"), strict=True) or DEFAULT_LIMIT
    offset = _page_number("offset", params.get("offset"), strict=False) or 0
    return limit, offset


def page_body(
    request: Request, count: int, limit: int, offset: int, results: list[Any]
) -> dict[str, Any]:
    """``{"count", "next", "previous", "results"}`` with absolute next/previous URLs."""
    next_url = None
    if offset + limit < count:
        next_url = str(request.url.include_query_params(limit=limit, offset=offset + limit))
    previous_url = None
    if offset > 0:
        if offset - limit <= 0:
            previous_url = str(
                request.url.include_query_params(limit=limit).remove_query_params("offset")
            )
        else:
            previous_url = str(request.url.include_query_params(limit=limit, offset=offset - limit))
    return {"count": count, "next": next_url, "previous": previous_url, "results": results}


# --------------------------------------------------------------------------- validation

# DRF's words for pydantic's error types. DRF's own code for a bad value is "invalid", which
# PostHog's handler (drf-exceptions-hog) reports as "invalid_input", as for every
# ValidationError.
_REQUIRED = ("required", "This field is required.")
_NULL = ("null", "This field may not be null.")


def _drf_error(error: dict[str, Any]) -> tuple[str, str]:
    kind = error["type"]
    if kind == "missing":
        return _REQUIRED
    if error.get("input", ...) is None:
        return _NULL
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return "max_length", f"Ensure this field has no more than {limit} characters."
    if kind in ("bool_type", "bool_parsing"):
        return "invalid_input", "Must be a valid boolean."
    if kind in ("string_type",):
        return "invalid_input", "Not a valid string."
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return "invalid_input", "A valid integer is required."
    if kind == "greater_than_equal":
        bound = error.get("ctx", {}).get("ge")
        return "min_value", f"Ensure this value is greater than or equal to {bound}."
    if kind == "less_than_equal":
        bound = error.get("ctx", {}).get("le")
        return "max_value", f"Ensure this value is less than or equal to {bound}."
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return "invalid_input", "Invalid data. Expected a dictionary, but got {}.".format(
            type(error.get("input")).__name__
        )
    if kind == "list_type":
        return "not_a_list", 'Expected a list of items but got type "{}".'.format(
            type(error.get("input")).__name__
        )
    return "invalid_input", str(error.get("msg", "Invalid input."))


def json_object(payload: Any) -> dict[str, Any]:
    """The request body as a JSON object, or PostHog's 400 for anything else.

    FastAPI hands over the raw bytes when the body is not valid JSON (or not labelled JSON);
    a ``str`` is a JSON string, which is no object.
    """
    if payload is None:
        return {}
    if isinstance(payload, bytes | bytearray):
        try:
            payload = json.loads(payload) if payload else {}
        except ValueError as exc:
            raise parse_error(f"JSON parse error - {exc}") from None
        except RecursionError:
            raise parse_error("JSON parse error - nested too deeply") from None
    if not isinstance(payload, dict):
        # DRF's serializer raises {"non_field_errors": […]}, which PostHog's handler answers
        # with no attr.
        raise invalid(f"Invalid data. Expected a dictionary, but got {type(payload).__name__}.")
    check_storable(payload)
    return payload


def unstorable(payload: Any) -> str | None:
    """Why parsed JSON cannot be stored and sent back, or ``None``: a number out of range
    (``NaN``, ``Infinity``, ``1e999``: Python reads them, JSON has none) or a lone surrogate
    (``"\\ud800"``: valid JSON, yet no UTF-8 can hold it)."""
    try:
        json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
    except ValueError as exc:
        if isinstance(exc, UnicodeEncodeError):
            surrogate = ascii(exc.object[exc.start]).strip("'")
            return f"a string holds a lone surrogate ({surrogate}), which is not valid Unicode"
        return str(exc)  # DRF's words: "Out of range float values are not JSON compliant"
    return None


def check_storable(payload: Any) -> None:
    """PostHog's 400 for JSON it parses but refuses (DRF parses strictly)."""
    problem = unstorable(payload)
    if problem is not None:
        raise parse_error(f"JSON parse error - {problem}")


def validate_body(model: type[Model], payload: Any) -> Model:
    """Validate a JSON body; the first problem becomes PostHog's 400 with ``attr``."""
    payload = json_object(payload)
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        code, detail = _drf_error(dict(first))
        attr = "__".join(str(part) for part in first["loc"]) or None
        raise invalid(detail, code=code, attr=attr) from None


def request_validation_problem(errors: list[dict[str, Any]]) -> ApiProblem:
    """FastAPI's own validation failures (a body that is not JSON at all) as PostHog's 400."""
    first: dict[str, Any] = errors[0] if errors else {"type": "invalid", "loc": ()}
    if first.get("type") == "json_invalid":
        context: dict[str, Any] = first.get("ctx") or {}
        detail = "JSON parse error - " + str(context.get("error", "invalid JSON"))
        return parse_error(detail)
    code, detail = _drf_error(first)
    loc = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]
    return invalid(detail, code=code, attr="__".join(loc) or None)


def str_to_bool(value: str | None) -> bool:
    """PostHog's reading of a boolean query parameter (the models' :func:`query_flag`)."""
    return query_flag(value)


# --------------------------------------------------------------------------- routing

# Every client error carries the contract's body (section 1). Documented as each route's
# 4XX answer, which also keeps FastAPI from documenting a 422 this server never sends.
CLIENT_ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ProblemBody, "description": "Refused: {type, code, detail, attr}"}
}
# The file_system actions count, count_by_path, link and move answer some 400s bare.
BARE_400: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ProblemBody | BareProblemBody,
        "description": "Refused: {type, code, detail, attr}, or PostHog's bare {detail}",
    }
}


def body_schema(model: type[Any]) -> dict[str, Any]:
    """``openapi_extra`` documenting a JSON body that a route validates itself (so as to
    answer in PostHog's error format) rather than through a FastAPI parameter."""
    return {
        "requestBody": {
            "content": {"application/json": {"schema": model.model_json_schema()}},
            "required": True,
        }
    }


# Every (path pattern, methods) add_route registered, for the ``Allow`` header of a 405:
# Starlette's own names only the first route of a path, and GET and POST of a path are often
# routes of their own. Paths as registered, before a router's prefix.
_METHODS_BY_PATH: list[tuple[re.Pattern[str], frozenset[str]]] = []
# The prefixes project routes are mounted under.
_PROJECT_PREFIX = re.compile(r"^/api/(projects|environments)/[^/]+")


def allowed_methods(path: str) -> set[str]:
    """The methods some route takes at the request path ``path``."""
    relative = _PROJECT_PREFIX.sub("", path)
    return {
        method
        for pattern, methods in _METHODS_BY_PATH
        if pattern.match(path) or pattern.match(relative)
        for method in methods
    }


def add_route(
    router: APIRouter,
    path: str,
    endpoint: Callable[..., Any],
    *,
    methods: list[str],
    status_code: int | None = None,
    **kwargs: Any,
) -> None:
    """Register ``path/`` (documented) and ``path`` (the same handler) like PostHog.

    The documented responses include :data:`CLIENT_ERRORS` unless ``responses`` says otherwise.
    """
    kwargs["responses"] = {**CLIENT_ERRORS, **kwargs.get("responses", {})}
    for variant in (path + "/", path):
        _METHODS_BY_PATH.append((compile_path(variant)[0], frozenset(methods)))
    router.add_api_route(path + "/", endpoint, methods=methods, status_code=status_code, **kwargs)
    router.add_api_route(
        path,
        endpoint,
        methods=methods,
        status_code=status_code,
        include_in_schema=False,
        **{k: v for k, v in kwargs.items() if k != "include_in_schema"},
    )
