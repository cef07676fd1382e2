"""The client facing faults a real server cannot be made to produce on demand.

A 502 from a gateway, a 429 with Retry-After, an HTML error page, a connection that
drops mid-request: these come from an ``httpx.MockTransport`` that plays the network.
Everything a real server can do is tested against one in ``test_client.py``.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from support.sample_bodies import ENTRY

from tui.api import (
    ApiError,
    AuthenticationError,
    ConnectionFailedError,
    ErrorKind,
    NotFoundError,
    PermissionDeniedError,
    PostHogClient,
    RequestTimeoutError,
    RetryNotice,
    ServerError,
    ThrottledError,
    UnexpectedResponseError,
    ValidationError,
)
from tui.api.errors import parse_retry_after

HOST = "https://posthog.example.com"
KEY = "phx_secret_fault_key_0123456789abcdef"
BACKOFF = 0.01  # the first backoff step in these tests: waits are recorded, not slept


Handler = Callable[[httpx.Request], httpx.Response]


@dataclass
class Network:
    """A scripted network: answers in order, and remembers every request and wait."""

    script: list[httpx.Response | Exception]
    requests: list[httpx.Request] = field(default_factory=list)
    waits: list[float] = field(default_factory=list)
    notices: list[RetryNotice] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(step, Exception):
            raise step
        return step

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)

    def client(self, **options: object) -> PostHogClient:
        return PostHogClient(
            HOST,
            1,
            KEY,
            transport=httpx.MockTransport(self.handle),
            sleep=self.sleep,
            on_retry=self.notices.append,
            backoff_base=BACKOFF,
            **options,  # type: ignore[arg-type]
        )


def json_response(status: int, body: object, **headers: str) -> httpx.Response:
    return httpx.Response(status, json=body, headers=headers)


def posthog_error(status: int, type_: str, code: str, detail: str, attr: str | None = None):
    return json_response(status, {"type": type_, "code": code, "detail": detail, "attr": attr})


PAGE = {"count": 1, "next": None, "previous": None, "results": [ENTRY]}
BAD_GATEWAY = httpx.Response(
    502,
    text="<html><body>Bad Gateway</body></html>",
    headers={"Content-Type": "text/html; charset=utf-8"},
)


def connect_error() -> httpx.ConnectError:
    return httpx.ConnectError("[Errno 111] Connection refused")


# -- retries of reads -------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_get_is_retried_after_502_and_503_with_growing_backoff() -> None:
    network = Network(
        [
            BAD_GATEWAY,
            posthog_error(503, "server_error", "error", "Service unavailable"),
            json_response(200, PAGE),
        ]
    )
    async with network.client() as client:
        page = await client.list_entries()
    assert [entry.path for entry in page.results] == ["Reports/Weekly"]
    assert len(network.requests) == 3
    # Jittered exponential backoff: step 1 waits in [base/2, base], step 2 in [base, 2*base].
    first, second = network.waits
    assert BACKOFF / 2 <= first <= BACKOFF
    assert BACKOFF <= second <= 2 * BACKOFF
    assert [notice.attempt for notice in network.notices] == [1, 2]
    assert [notice.delay_s for notice in network.notices] == network.waits
    assert "502" in network.notices[0].reason
    assert network.notices[0].max_retries == 3


@pytest.mark.anyio
async def test_a_429_waits_exactly_what_retry_after_says() -> None:
    throttled = posthog_error(
        429,
        "throttled_error",
        "throttled",
        "Request was throttled. Expected available in 2 seconds.",
    )
    throttled.headers["Retry-After"] = "2"
    network = Network([throttled, json_response(200, PAGE)])
    async with network.client() as client:
        await client.list_folder("")
    assert network.waits == [2.0]
    assert network.notices[0].delay_s == 2.0
    assert "Rate limited" in network.notices[0].reason


@pytest.mark.anyio
async def test_a_retry_after_beyond_the_longest_wait_is_handed_to_the_caller() -> None:
    throttled = posthog_error(429, "throttled_error", "throttled", "Expected available in 62 s")
    throttled.headers["Retry-After"] = "62"
    network = Network([throttled, json_response(200, PAGE)])
    async with network.client(max_retry_wait=30) as client:
        with pytest.raises(ThrottledError) as caught:
            await client.list_entries()
    assert caught.value.retry_after == 62
    assert caught.value.kind is ErrorKind.THROTTLED
    assert "try again in 62 s" in caught.value.message
    assert len(network.requests) == 1
    assert network.waits == []


@pytest.mark.anyio
async def test_retries_are_bounded_by_max_retries() -> None:
    network = Network([posthog_error(504, "server_error", "error", "Gateway Timeout")])
    async with network.client(max_retries=2) as client:
        with pytest.raises(ServerError) as caught:
            await client.get_entry(ENTRY["id"])
    assert caught.value.status == 504
    assert len(network.requests) == 3
    assert len(network.waits) == 2


@pytest.mark.anyio
async def test_a_429_without_retry_after_backs_off() -> None:
    network = Network([json_response(429, {"detail": "slow down"}), json_response(200, PAGE)])
    async with network.client() as client:
        await client.search("name:x")
    assert len(network.waits) == 1
    assert BACKOFF / 2 <= network.waits[0] <= BACKOFF


@pytest.mark.anyio
async def test_a_get_is_retried_after_a_dropped_connection() -> None:
    network = Network([httpx.RemoteProtocolError("Server disconnected"), json_response(200, ENTRY)])
    async with network.client() as client:
        entry = await client.get_entry(ENTRY["id"])
    assert entry.path == "Reports/Weekly"
    assert len(network.requests) == 2


@pytest.mark.anyio
async def test_a_get_read_timeout_is_reported_not_repeated() -> None:
    network = Network([httpx.ReadTimeout("timed out")])
    async with network.client() as client:
        with pytest.raises(RequestTimeoutError) as caught:
            await client.list_entries()
    assert caught.value.kind is ErrorKind.TIMEOUT
    assert "did not answer" in caught.value.message
    assert len(network.requests) == 1


@pytest.mark.anyio
async def test_a_server_that_stays_down_is_reported_by_host() -> None:
    network = Network([connect_error()])
    async with network.client(max_retries=2) as client:
        with pytest.raises(ConnectionFailedError) as caught:
            await client.list_entries()
    assert caught.value.message.startswith("Cannot reach https://posthog.example.com")
    assert caught.value.kind is ErrorKind.CONNECTION
    assert len(network.requests) == 3


@pytest.mark.anyio
async def test_a_real_refused_connection() -> None:
    # A port nobody listens on: bind one, note it, close it.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    async with PostHogClient(f"http://127.0.0.1:{port}", 1, KEY, sleep=sleep) as client:
        with pytest.raises(ConnectionFailedError) as caught:
            await client.create_folder("Anything")
    assert f"Cannot reach http://127.0.0.1:{port}" in str(caught.value)
    assert len(waits) == 3  # never connected, so even a POST is safe to retry


# -- changes are never sent twice -------------------------------------------------------


@pytest.mark.anyio
async def test_a_post_is_not_retried_after_a_read_timeout() -> None:
    network = Network([httpx.ReadTimeout("timed out"), json_response(201, ENTRY)])
    async with network.client() as client:
        with pytest.raises(RequestTimeoutError):
            await client.create_entry("Reports/Weekly", type="insight", ref="abc123")
    assert len(network.requests) == 1
    assert network.notices == []


@pytest.mark.anyio
async def test_a_post_is_retried_when_the_connection_was_never_made() -> None:
    network = Network([connect_error(), httpx.ConnectTimeout("connect"), json_response(201, ENTRY)])
    async with network.client() as client:
        entry = await client.create_entry("Reports/Weekly", type="insight", ref="abc123")
    assert entry.id == ENTRY["id"]
    assert len(network.requests) == 3
    assert [notice.attempt for notice in network.notices] == [1, 2]
    assert "Cannot reach" in network.notices[0].reason


@pytest.mark.parametrize(
    "answer",
    [
        BAD_GATEWAY,
        posthog_error(503, "server_error", "error", "unavailable"),
        httpx.Response(429, json={"detail": "throttled"}, headers={"Retry-After": "1"}),
        httpx.RemoteProtocolError("Server disconnected without sending a response."),
        httpx.ReadError("connection reset"),
    ],
    ids=["502-html", "503", "429", "disconnected", "read-error"],
)
@pytest.mark.anyio
async def test_a_change_that_may_have_reached_the_server_is_never_resent(answer) -> None:
    network = Network([answer, json_response(200, ENTRY)])
    async with network.client() as client:
        with pytest.raises(ApiError):
            await client.move(ENTRY["id"], "Elsewhere/Weekly")
    assert len(network.requests) == 1
    assert network.waits == []


@pytest.mark.anyio
async def test_a_post_429_still_tells_when_to_come_back() -> None:
    network = Network([httpx.Response(429, json={"detail": "x"}, headers={"Retry-After": "5"})])
    async with network.client() as client:
        with pytest.raises(ThrottledError) as caught:
            await client.delete_entry(ENTRY["id"])
    assert caught.value.retry_after == 5


# -- reading what comes back ------------------------------------------------------------


@pytest.mark.anyio
async def test_an_html_error_page_gives_a_clear_message() -> None:
    network = Network([BAD_GATEWAY])
    async with network.client(max_retries=0) as client:
        with pytest.raises(ServerError) as caught:
            await client.list_entries()
    error = caught.value
    assert error.status == 502
    assert error.detail is None
    assert "HTTP 502" in error.message
    assert "non-JSON body (text/html)" in error.message
    assert "<html>" not in error.message


@pytest.mark.anyio
async def test_a_success_that_is_not_json_is_unexpected() -> None:
    network = Network([httpx.Response(200, text="<html>captive portal</html>")])
    async with network.client() as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            await client.list_entries()
    assert "not JSON" in caught.value.message
    assert "is this a PostHog server?" in caught.value.message


@pytest.mark.anyio
async def test_a_json_answer_of_the_wrong_shape_is_unexpected() -> None:
    network = Network([json_response(200, {"results": "nope"})])
    async with network.client() as client:
        with pytest.raises(UnexpectedResponseError, match="count"):
            await client.list_entries()


@pytest.mark.parametrize(
    ("response", "cls", "expected"),
    [
        (
            posthog_error(400, "validation_error", "blank", "This field may not be blank.", "path"),
            ValidationError,
            {"type": "validation_error", "code": "blank", "attr": "path"},
        ),
        (
            json_response(400, {"detail": "new_path is required"}),
            ValidationError,
            {"type": None, "code": None, "attr": None, "detail": "new_path is required"},
        ),
        (
            json_response(400, {"path": ["This field is required."]}),
            ValidationError,
            {"attr": "path", "detail": "This field is required."},
        ),
        (json_response(400, "plain string"), ValidationError, {"detail": "plain string"}),
        (
            posthog_error(404, "invalid_request", "not_found", "Project not found."),
            NotFoundError,
            {"code": "not_found"},
        ),
        (
            posthog_error(
                405, "invalid_request", "method_not_allowed", 'Method "PUT" not allowed.'
            ),
            ApiError,
            {"code": "method_not_allowed"},
        ),
        (httpx.Response(500), ServerError, {"detail": None}),
    ],
    ids=["typed", "bare", "drf-field-map", "string", "404", "405", "500-empty"],
)
@pytest.mark.anyio
async def test_error_bodies_of_every_shape(response, cls, expected) -> None:
    network = Network([response])
    async with network.client(max_retries=0) as client:
        with pytest.raises(cls) as caught:
            await client.get_entry(ENTRY["id"])
    error = caught.value
    assert type(error) is cls
    for name, value in expected.items():
        assert getattr(error, name) == value, name
    assert error.message
    assert str(error) == error.message


@pytest.mark.anyio
async def test_a_403_names_the_missing_scope() -> None:
    network = Network(
        [
            posthog_error(
                403,
                "authentication_error",
                "permission_denied",
                "API key missing required scope 'file_system:write'",
            )
        ]
    )
    async with network.client() as client:
        with pytest.raises(PermissionDeniedError) as caught:
            await client.create_folder("X")
    assert caught.value.missing_scope == "file_system:write"
    assert "'file_system:write' scope" in caught.value.message


def test_retry_after_as_seconds_or_as_a_date() -> None:
    assert parse_retry_after("7") == 7
    assert parse_retry_after("-3") == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=90), usegmt=True)
    waited = parse_retry_after(later)
    assert waited is not None
    assert 80 <= waited <= 91


@pytest.mark.anyio
async def test_older_posthog_answers_every_delete_with_204() -> None:
    network = Network([httpx.Response(204)])
    async with network.client() as client:
        response = await client.delete_entry(ENTRY["id"])
    assert response.deleted == []


# -- where requests go ------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_key_travels_in_the_header_only() -> None:
    network = Network([json_response(200, PAGE)])
    async with network.client() as client:
        await client.search("name:Weekly", name_only=True)
    (request,) = network.requests
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert KEY not in str(request.url)
    assert request.url.path == "/api/projects/1/file_system/"
    assert request.url.params["search"] == "name:Weekly"
    assert request.url.params["search_name_only"] == "true"


@pytest.mark.anyio
async def test_a_redirect_is_not_followed() -> None:
    network = Network(
        [httpx.Response(302, headers={"Location": "https://evil.example.com/api/projects/1/"})]
    )
    async with network.client() as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            await client.list_entries()
    assert "redirect" in caught.value.message
    assert [request.url.host for request in network.requests] == ["posthog.example.com"]


@pytest.mark.anyio
async def test_paging_counts_offsets_and_ignores_the_servers_next_url() -> None:
    def page(offset: int) -> httpx.Response:
        results = [dict(ENTRY, id=f"id-{offset + i}", path=f"F/e{offset + i}") for i in range(2)]
        results = results[: max(0, 5 - offset)]
        return json_response(
            200,
            {
                "count": 5,
                "next": "https://evil.example.com/steal?offset=999",
                "previous": None,
                "results": results,
            },
        )

    requests: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return page(int(request.url.params["offset"]))

    client = PostHogClient(HOST, 1, KEY, transport=httpx.MockTransport(handle))
    async with client:
        pages = [page async for page in client.iter_folder("F", page_size=2)]
    assert [len(page.results) for page in pages] == [2, 2, 1]
    assert {request.url.host for request in requests} == {"posthog.example.com"}
    assert [request.url.params["offset"] for request in requests] == ["0", "2", "4"]
    assert all(request.url.params["parent"] == "F" for request in requests)
    assert all(request.url.params["depth"] == "2" for request in requests)


@pytest.mark.anyio
async def test_an_id_cannot_add_path_segments() -> None:
    network = Network([json_response(200, ENTRY)])
    async with network.client() as client:
        await client.get_entry("../../other?x=1")
    assert (
        network.requests[0].url.raw_path == b"/api/projects/1/file_system/..%2F..%2Fother%3Fx%3D1/"
    )
    with pytest.raises(ValueError):
        await client.get_entry("..")


def test_a_host_without_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="https://"):
        PostHogClient("us.posthog.com", 1, KEY)


# -- the key stays secret ---------------------------------------------------------------


def echo_the_key(status: int) -> Handler:
    """A server that quotes the Authorization header back, as a broken proxy might."""

    def handle(request: httpx.Request) -> httpx.Response:
        leaked = request.headers.get("Authorization", "")
        return json_response(
            status,
            {"type": "x", "code": leaked, "detail": f"bad header {leaked}", "attr": leaked},
            **{"Retry-After": "1"},
        )

    return handle


@pytest.mark.parametrize("status", [400, 401, 403, 404, 429, 500, 502])
@pytest.mark.anyio
async def test_the_key_is_in_no_error_message(status: int, caplog) -> None:
    caplog.set_level(logging.DEBUG)

    async def sleep(seconds: float) -> None:
        return None

    client = PostHogClient(
        HOST, 1, KEY, transport=httpx.MockTransport(echo_the_key(status)), sleep=sleep
    )
    async with client:
        with pytest.raises(ApiError) as caught:
            await client.update_entry(ENTRY["id"], path="x")
        with pytest.raises(ApiError) as caught_get:
            await client.list_entries()
    for error in (caught.value, caught_get.value):
        for text in (str(error), repr(error), error.message, *map(str, vars(error).values())):
            assert KEY not in text
        assert error.detail is not None
        assert "[redacted]" in error.detail
    assert all(KEY not in record.getMessage() for record in caplog.records)


@pytest.mark.anyio
async def test_the_key_is_in_no_repr() -> None:
    client = PostHogClient(HOST, 1, KEY)
    async with client:
        for text in (repr(client), str(client), repr(vars(client)), repr(client._auth)):
            assert KEY not in text
        assert "phx_" in repr(client._auth)  # still recognisable as a personal key


@pytest.mark.anyio
async def test_update_refuses_fields_it_does_not_know() -> None:
    async with PostHogClient(HOST, 1, KEY) as client:
        with pytest.raises(TypeError, match="depth"):
            await client.update_entry(ENTRY["id"], depth=3)


@pytest.mark.anyio
async def test_authentication_error_kind() -> None:
    network = Network(
        [
            posthog_error(
                401,
                "authentication_error",
                "authentication_failed",
                "Personal API key found in request Authorization header is invalid.",
            )
        ]
    )
    async with network.client() as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.list_entries()
    assert caught.value.kind is ErrorKind.AUTH
    assert caught.value.message.startswith("Authentication failed")
    assert len(network.requests) == 1


@pytest.mark.anyio
async def test_account_endpoints_are_from_the_hosts_root_with_the_same_retries() -> None:
    """``/api/users/@me/`` is not under the project: it goes to the host's API root (a
    PostHog served under a path keeps its prefix), retried, with the key in the header."""
    network = Network([BAD_GATEWAY, json_response(200, {"email": "me@example.com"})])
    async with PostHogClient(
        HOST + "/posthog",
        7,
        KEY,
        transport=httpx.MockTransport(network.handle),
        sleep=network.sleep,
        backoff_base=BACKOFF,
    ) as client:
        me = await client.accounts.me()
        other = client.for_project(8)
        assert (other.host, other.project_id) == (client.host, 8)
        await other.aclose()
    assert me.email == "me@example.com"
    assert [str(r.url) for r in network.requests] == [f"{HOST}/posthog/api/users/@me/"] * 2
    assert all(r.headers["Authorization"] == f"Bearer {KEY}" for r in network.requests)
    assert len(network.waits) == 1
