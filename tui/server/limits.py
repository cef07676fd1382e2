"""How big a request may be, and the clear 400s for one that is bigger.

PostHog's own rule is followed where it has one: Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``
(20 MB in PostHog's settings, answered as a 400), and a path's length and depth
(``validate_file_system_path`` in its file_system.py: 4,000 characters, 50 segments, with
its words). PostHog has no bound on the paths inside a moved folder, on ``limit``/``offset``
or on the terms of a search: there the local server is stricter, so that one request cannot
make it rewrite gigabytes of paths, overflow SQLite's integers or its expression depth, or
answer 500.
"""

from __future__ import annotations

import json

from tui import paths
from tui.server.errors import ApiProblem, invalid
from tui.server.store.errors import InvalidField

# PostHog's DATA_UPLOAD_MAX_MEMORY_SIZE ("Max size of a POST body (for event ingestion)"),
# which DRF enforces on JSON bodies since 3.17 (PostHog/posthog#91637). Also the most a
# gzipped capture body may inflate to.
MAX_BODY_BYTES = 20 * 1024 * 1024

# PostHog's bounds on a path written (created, changed, moved to, linked to, restored to):
# its characters as sent (escaped) and its segments as split_path counts them.
MAX_PATH_LENGTH = 4_000
MAX_PATH_DEPTH = 50
# What a path inside a moved or linked folder may grow to. PostHog checks no such path; the
# local server refuses only what would be a hazard (a folder's path of ASCII characters, each
# percent-encoded, must still fit in the URL that lists it: MAX_URL_BYTES).
MAX_INSIDE_LENGTH = 16_384
MAX_INSIDE_DEPTH = 100

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


# PostHog's bound on an entry's ``meta``, as JSON.
MAX_META_BYTES = 1024 * 1024


def check_meta(body: object) -> None:
    """PostHog's 400s for a ``meta`` that is not an object, or is bigger than 1 MB."""
    if not isinstance(body, dict) or body.get("meta") is None:
        return
    meta = body["meta"]
    if not isinstance(meta, dict):
        raise invalid("Meta must be an object.", attr="meta")
    try:
        size = len(json.dumps(meta, ensure_ascii=False).encode())
    except UnicodeEncodeError:
        return  # a lone surrogate: the body's own check answers it (parse_error)
    if size > MAX_META_BYTES:
        raise invalid("Meta must be smaller than 1 MB.", attr="meta")


def path_not_a_string() -> ApiProblem:
    return invalid("Path must be a string.", attr=None)


def check_path(path: str, attr: str | None) -> None:
    """PostHog's 400 if ``path`` is longer or deeper than a path may be (``attr`` None on a
    move or link, as PostHog answers there)."""
    if len(path) > MAX_PATH_LENGTH:  # first: splitting a huge path is wasted work
        raise invalid(f"Path must be {MAX_PATH_LENGTH} characters or fewer.", attr=attr)
    if paths.depth(path) > MAX_PATH_DEPTH:
        raise invalid(f"Path can be at most {MAX_PATH_DEPTH} levels deep.", attr=attr)


def check_inside_size(length: int, depth: int, attr: str) -> None:
    """400 if a path inside a moved or linked folder would grow past what may be stored."""
    if length > MAX_INSIDE_LENGTH:
        raise invalid(
            f"A path inside this folder would have {length} characters;"
            f" at most {MAX_INSIDE_LENGTH} are allowed.",
            code="max_length",
            attr=attr,
        )
    if depth > MAX_INSIDE_DEPTH:
        raise invalid(
            f"A path inside this folder would be {depth} levels deep;"
            f" at most {MAX_INSIDE_DEPTH} are allowed.",
            code="max_depth",
            attr=attr,
        )
