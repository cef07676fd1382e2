"""How big a request may be, and the clear 400s for one that is bigger.

PostHog's own rule is followed where it has one (Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``,
20 MB in PostHog's settings, answered as a 400). PostHog has no bound on a path's length or
depth, on ``limit``/``offset``, or on the terms of a search: there the local server is
stricter, so that one request cannot make it build thousands of folders, rewrite gigabytes
of paths, overflow SQLite's integers or its expression depth, or answer 500.
"""

from __future__ import annotations

from tui import paths
from tui.server.errors import ApiProblem, invalid
from tui.server.store.errors import InvalidField

# PostHog's DATA_UPLOAD_MAX_MEMORY_SIZE ("Max size of a POST body (for event ingestion)"),
# which DRF enforces on JSON bodies since 3.17 (PostHog/posthog#91637). Also the most a
# gzipped capture body may inflate to.
MAX_BODY_BYTES = 20 * 1024 * 1024

# A path's characters, as stored (escaped). Room for a 10,000-character name (the hostile-name
# tests use one) inside folders, and short enough that a folder's path of ASCII characters,
# each percent-encoded ("%20"), still fits in the URL that lists the folder (MAX_URL_BYTES).
# (Many multi-byte characters may not fit: the client then says the path is too long.)
MAX_PATH_LENGTH = 16_384
# A path's segments. Creating a path creates every missing folder above it, so without a
# bound one request could create thousands of rows; no tree a person browses is this deep.
MAX_PATH_DEPTH = 100

# Terms of a ``search=``: each is one more condition ANDed in SQL, and SQLite refuses an
# expression deeper than 1,000; a person types a handful.
MAX_SEARCH_TERMS = 100

# Filters (and groups of them) in an events ``properties=``: each is a condition in SQL, as
# for search terms.
MAX_PROPERTY_FILTERS = 100

# ``limit`` and ``offset``: no project holds a billion entries or events, so a larger value is
# a mistake, answered as one (PostHog passes it on to the database).
MAX_PAGE_VALUE = 1_000_000_000

# A request's URL (path and query, percent-encoded): the most httpx, hogtree's client, will
# send. A folder path of MAX_PATH_LENGTH ASCII characters fits in a ``parent`` parameter.
MAX_URL_BYTES = 65_536


def body_too_large() -> ApiProblem:
    return ApiProblem(
        400,
        "invalid_request",
        "request_too_large",
        f"The request body is larger than {MAX_BODY_BYTES} bytes, the most this server takes.",
    )


def inflated_too_large() -> ApiProblem:
    return ApiProblem(
        400,
        "invalid_request",
        "request_too_large",
        f"The compressed body inflates past {MAX_BODY_BYTES} bytes, the most this server takes.",
    )


def url_too_long() -> ApiProblem:
    return ApiProblem(
        400,
        "invalid_request",
        "url_too_long",
        f"The request URL is longer than {MAX_URL_BYTES} bytes, the most this server takes.",
    )


def page_value_out_of_range(name: str) -> ApiProblem:
    """DRF's words for an integer field's bound."""
    return invalid(
        f"Ensure this value is less than or equal to {MAX_PAGE_VALUE}.",
        code="max_value",
        attr=name,
    )


def check_search_terms(count: int) -> None:
    # A store error, not an HTTP one: the search is parsed inside the store's listing.
    if count > MAX_SEARCH_TERMS:
        raise InvalidField(
            f"This search has {count} terms; at most {MAX_SEARCH_TERMS} are allowed.",
            code="max_length",
            attr="search",
        )


def check_property_filters(count: int) -> None:
    if count > MAX_PROPERTY_FILTERS:
        raise invalid(
            f"These properties hold {count} filters; at most {MAX_PROPERTY_FILTERS} are allowed.",
            code="max_length",
            attr="properties",
        )


# Who a path-size message speaks of.
THIS_PATH = "This path"
INSIDE_FOLDER = "A path inside this folder"


def check_path(path: str, attr: str) -> None:
    """400 if ``path`` is longer or deeper than a stored path may be."""
    _check_length(len(path), attr, THIS_PATH)  # first: splitting a huge path is wasted work
    _check_depth(paths.depth(path), attr, THIS_PATH)


def check_path_size(length: int, depth: int, attr: str, subject: str = THIS_PATH) -> None:
    """400 if a path of ``length`` characters and ``depth`` segments may not be stored."""
    _check_length(length, attr, subject)
    _check_depth(depth, attr, subject)


def _check_length(length: int, attr: str, subject: str) -> None:
    if length > MAX_PATH_LENGTH:
        raise invalid(
            f"{subject} would have {length} characters; at most {MAX_PATH_LENGTH} are allowed.",
            code="max_length",
            attr=attr,
        )


def _check_depth(depth: int, attr: str, subject: str) -> None:
    if depth > MAX_PATH_DEPTH:
        raise invalid(
            f"{subject} would be {depth} levels deep; at most {MAX_PATH_DEPTH} are allowed.",
            code="max_depth",
            attr=attr,
        )
