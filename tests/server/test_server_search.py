"""Conformance: the ``search=`` syntax of ``GET file_system/`` (api.md section 2, "Search
syntax"), including the cases quoted from PostHog's own tests.

Ancestor folders are entries too, so expected sets name them whenever they match.
"""

from __future__ import annotations

import httpx
import pytest
from support import OTHER_USER_KEY, LiveServer
from support.server_helpers import create, create_many, expect, list_all, list_page, search

# --- tokens -------------------------------------------------------------------------------------


def test_plain_token_is_a_case_insensitive_substring_of_the_path(api: httpx.Client) -> None:
    create_many(api, ["Analytics/Report 1", "Analytics/Report 2", "Random/Other File"])
    assert search(api, "analytics") == {"Analytics", "Analytics/Report 1", "Analytics/Report 2"}
    assert search(api, "RANDOM") == {"Random", "Random/Other File"}
    assert search(api, "port 2") == {"Analytics/Report 2"}
    assert search(api, "nothing-like-this") == set()


def test_plain_token_also_matches_the_type(api: httpx.Client) -> None:
    create(api, "Growth/Weekly", type="dashboard")
    create(api, "Growth/Funnel", type="insight")
    assert search(api, "dashboard") == {"Growth/Weekly"}
    assert search(api, "DASH") == {"Growth/Weekly"}
    assert search(api, "older") == {"Growth"}  # "folder"


def test_all_tokens_must_match(api: httpx.Client) -> None:
    create_many(api, ["Docs/report 1", "Docs/1 report", "Docs/report", "Docs/one"])
    assert search(api, "report 1") == {"Docs/report 1", "Docs/1 report"}
    assert search(api, "docs report 1") == {"Docs/report 1", "Docs/1 report"}


def test_quotes_group_words(api: httpx.Client) -> None:
    create_many(api, ["Docs/report 1", "Docs/1 report", "Docs/report  1"])
    assert search(api, '"report 1"') == {"Docs/report 1"}
    assert search(api, "'report 1'") == {"Docs/report 1"}
    assert search(api, '"1 report" docs') == {"Docs/1 report"}


def test_lone_apostrophe_is_tolerated(api: httpx.Client) -> None:
    create_many(api, ["What's my homepage", "Whats my homepage", "Other's thing"])
    resp = api.get("file_system/", params={"search": "what's home"})
    page = expect(resp, 200)
    assert {e["path"] for e in page["results"]} == {"What's my homepage"}
    assert search(api, "other's") == {"Other's thing"}


@pytest.mark.parametrize("sign", ["-", "!"])
def test_leading_minus_or_bang_negates(api: httpx.Client, sign: str) -> None:
    create_many(api, ["Reports/final", "Reports/draft", "Notes/draft"])
    assert search(api, f"reports {sign}draft") == {"Reports", "Reports/final"}
    assert search(api, f"{sign}reports") == {"Notes", "Notes/draft"}
    assert search(api, f"{sign}type:folder draft") == {"Reports/draft", "Notes/draft"}


# --- field tokens -------------------------------------------------------------------------------


def test_name_is_a_substring_of_the_last_segment(api: httpx.Client) -> None:
    create_many(
        api, ["Marketing/Plan/Q1 Overview.pdf", "Marketing/Plan/Q2-Summary.pdf", "Overviews/Q3.pdf"]
    )
    assert search(api, "name:Overview") == {"Marketing/Plan/Q1 Overview.pdf", "Overviews"}
    assert search(api, "name:OVERVIEW.PDF") == {"Marketing/Plan/Q1 Overview.pdf"}
    assert search(api, "name:marketing") == {"Marketing"}
    assert search(api, 'name:"Q1 Overview"') == {"Marketing/Plan/Q1 Overview.pdf"}


def test_path_is_a_substring_of_a_parent_segment(api: httpx.Client) -> None:
    create_many(api, ["Analytics/Reports/Q1.txt", "Analytics/Other/Q2.txt", "Misc/Reports summary"])
    assert search(api, "path:Reports") == {"Analytics/Reports/Q1.txt"}
    assert search(api, "path:analytics") == {
        "Analytics/Reports",
        "Analytics/Reports/Q1.txt",
        "Analytics/Other",
        "Analytics/Other/Q2.txt",
    }


def test_posthog_case_path_reports_minus_path_old(api: httpx.Client) -> None:
    """PostHog: ``path:Reports -path:Old`` finds only ``Current/Reports/Now.txt``."""
    create_many(api, ["Old/Reports/Then.txt", "Current/Reports/Now.txt", "Current/Other.txt"])
    assert search(api, "path:Reports -path:Old") == {"Current/Reports/Now.txt"}


def test_type_is_exact(api: httpx.Client) -> None:
    create(api, "a", type="insight")
    create(api, "b", type="insight_old")
    create(api, "c", type="my_insight")
    create(api, "d", type="Insight")
    assert search(api, "type:insight") == {"a"}
    assert search(api, "type:folder") == set()
    assert search(api, "type:Insight") == {"d"}
    assert search(api, "type:INSIGHT") == set()
    assert search(api, "-type:insight") == {"b", "c", "d"}


def test_type_with_trailing_slash_is_a_prefix(api: httpx.Client) -> None:
    """PostHog's test creates ``doc/file``, ``doc/image`` and ``img``; api.md's prose says
    "finds types ``doc-file``", which cannot be: ``doc-file`` does not start with ``doc/``."""
    create(api, "Doc1", type="doc/file")
    create(api, "Doc2", type="doc/folder")
    create(api, "Doc3", type="doc-file")
    create(api, "Doc4", type="doc")
    create(api, "Img1", type="img")
    create(api, "Doc5", type="docs/file")
    assert search(api, "type:doc/") == {"Doc1", "Doc2"}
    assert search(api, "type:hog_function/") == set()


def test_type_hog_function_prefix_and_bare_kind(api: httpx.Client) -> None:
    create(api, "Analytics/Report 1", type="hog_function/source")
    create(api, "Analytics/Report 2", type="hog_function/destination")
    create(api, "Analytics/Report 3", type="hog_function/site_destination")
    create(api, "Random/Other File", type="misc")
    create(api, "Random/Literal", type="destination")
    assert search(api, "type:source") == {"Analytics/Report 1"}
    assert search(api, "type:destination") == {"Analytics/Report 2"}
    assert search(api, "type:site_destination") == {"Analytics/Report 3"}
    assert search(api, "type:hog_function/destination") == {"Analytics/Report 2"}
    assert search(api, "type:misc") == {"Random/Other File"}
    assert search(api, "type:hog_function/") == {
        "Analytics/Report 1",
        "Analytics/Report 2",
        "Analytics/Report 3",
    }


def test_ref_is_exact(api: httpx.Client) -> None:
    create(api, "one", type="insight", ref="abc")
    create(api, "two", type="insight", ref="abcd")
    create(api, "three", type="insight", ref="ABC")
    create(api, "four abc", type="insight")
    assert search(api, "ref:abc") == {"one"}
    assert search(api, "-ref:abc type:insight") == {"two", "three", "four abc"}


def users_by_key(live_server: LiveServer, api: httpx.Client) -> tuple[dict, dict]:
    """(admin, other) as the ``users`` list describes them."""
    create(api, "Docs/AdminFile.txt", type="feature_flag")
    with live_server.client(OTHER_USER_KEY) as other:
        expect(other.post("file_system/", json={"path": "Docs/OtherFile.txt"}), 201)
    admin_users = list_page(api, path="Docs/AdminFile.txt")["users"]
    other_users = list_page(api, path="Docs/OtherFile.txt")["users"]
    assert len(admin_users) == len(other_users) == 1
    return admin_users[0], other_users[0]


@pytest.mark.parametrize("field", ["user", "author"])
def test_user_matches_the_creators_email_or_name(
    live_server: LiveServer, api: httpx.Client, field: str
) -> None:
    admin, other = users_by_key(live_server, api)
    assert admin["email"] and other["email"] and admin["email"] != other["email"]
    admin_paths = {"Docs", "Docs/AdminFile.txt"}
    assert search(api, f'{field}:"{other["email"]}"') == {"Docs/OtherFile.txt"}
    assert search(api, f'{field}:"{admin["email"]}"') == admin_paths
    assert search(api, f'-{field}:"{other["email"]}"') == admin_paths
    full_name = f"{other['first_name']} {other['last_name']}".strip()
    if other["first_name"] and full_name not in f"{admin['first_name']} {admin['last_name']}":
        assert search(api, f'{field}:"{full_name}"') == {"Docs/OtherFile.txt"}
        assert search(api, f'{field}:"{other["first_name"]}"') == {"Docs/OtherFile.txt"}
    assert search(api, f"{field}:nobody-has-this-name-or-mail") == set()


def test_user_matches_an_email_substring(live_server: LiveServer, api: httpx.Client) -> None:
    admin, other = users_by_key(live_server, api)
    # The shortest prefix of the other user's e-mail that the admin's does not share.
    email = other["email"]
    piece = next(
        (email[:n] for n in range(1, len(email) + 1) if email[:n] not in admin["email"]), None
    )
    assert piece is not None
    assert search(api, f'user:"{piece}"') == {"Docs/OtherFile.txt"}


def test_user_me_is_the_caller(live_server: LiveServer, api: httpx.Client) -> None:
    create(api, "Mine.txt")
    with live_server.client(OTHER_USER_KEY) as other:
        expect(other.post("file_system/", json={"path": "Theirs.txt"}), 201)
        assert search(other, "user:me") == {"Theirs.txt"}
        assert search(other, "author:me") == {"Theirs.txt"}
        assert search(other, "-user:me") == {"Mine.txt"}
    assert search(api, "user:me") == {"Mine.txt"}


def test_unknown_field_prefix_is_a_plain_substring(api: httpx.Client) -> None:
    create_many(api, ["Notes/at 10:30", "Notes/30 days", "Notes/foo:bar baz"])
    create(api, "Typed", type="kind:special")
    assert search(api, "10:30") == {"Notes/at 10:30"}
    assert search(api, "foo:bar") == {"Notes/foo:bar baz"}
    assert search(api, "FOO:BAR") == {"Notes/foo:bar baz"}
    assert search(api, "kind:spec") == {"Typed"}
    assert search(api, "unknownfield:notes") == set()


# --- slashes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["go/revenue", "banana/go", "banana/go/revenue", "GO/REV"])
def test_token_with_a_slash_matches_across_segments_and_escaped_slashes(
    api: httpx.Client, query: str
) -> None:
    """PostHog: ``go/revenue`` finds ``Banana/go\\/revenue``."""
    create(api, "Banana/go\\/revenue", type="feature_flag")
    create(api, "Banana/stop", type="feature_flag")
    create(api, "Apple/revenue", type="feature_flag")
    assert search(api, query) == {"Banana/go\\/revenue"}


def test_token_with_a_slash_matches_the_type(api: httpx.Client) -> None:
    create(api, "Pipes/Webhook", type="hog_function/destination")
    create(api, "Pipes/Other", type="hog_function/source")
    assert search(api, "function/dest") == {"Pipes/Webhook"}


def test_token_with_a_slash_matches_a_real_separator(api: httpx.Client) -> None:
    create_many(api, ["Q4/Q1 plan", "Q4 \\/ Q1/plan", "Q4-Q1"])
    assert search(api, "q4/q1") == {"Q4/Q1 plan"}


# --- search_name_only ---------------------------------------------------------------------------


def test_search_name_only_limits_plain_tokens_to_the_last_segment(api: httpx.Client) -> None:
    create_many(api, ["Reports/alpha", "Misc/my report", "Misc/reporting/beta"])
    assert search(api, "report") == {
        "Reports",
        "Reports/alpha",
        "Misc/my report",
        "Misc/reporting",
        "Misc/reporting/beta",
    }
    assert search(api, "report", search_name_only="true") == {
        "Reports",
        "Misc/my report",
        "Misc/reporting",
    }
    assert search(api, "report -reporting", search_name_only="true") == {
        "Reports",
        "Misc/my report",
    }
    assert search(api, "report", search_name_only="false") == search(api, "report")


def test_search_name_only_keeps_field_tokens(api: httpx.Client) -> None:
    create_many(api, ["Reports/alpha", "Misc/alpha"])
    assert search(api, "path:reports alpha", search_name_only="true") == {"Reports/alpha"}


# --- PostHog's quoted case ----------------------------------------------------------------------


def test_posthog_case_flag_scene_tabs(api: httpx.Client) -> None:
    """``flag scene tabs`` (three plain tokens) matches ``unfiled/scene-tabs`` of type
    ``feature_flag`` only: ``flag`` is found in the type, not in the path."""
    create(api, "unfiled/scene-tabs", type="feature_flag")
    create(api, "unfiled/scene-tabs", type="insight")
    create(api, "Dashboards/Scene overview", type="dashboard")
    results = list_all(api, search="flag scene tabs")
    assert [(e["path"], e["type"]) for e in results] == [("unfiled/scene-tabs", "feature_flag")]


# --- literal text -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("[beta]", {"Launch/🚀 Rocket [beta]"}),
        ("🚀", {"Launch/🚀 Rocket [beta]"}),
        ("100%", {"Sale/100% off"}),
        ("a_b", {"Code/a_b"}),
        (".*", {"Regex/.* all"}),
        ("(x", {"Regex/(x"}),
        ("ünï", {"Ünï/Cödé", "Ünï"}),
        ("<b>", {"Html/<b>bold<\\/b>"}),
    ],
)
def test_search_text_is_literal(api: httpx.Client, query: str, expected: set[str]) -> None:
    """No wildcard, regex or markup meaning leaks into a search."""
    create_many(
        api,
        [
            "Launch/🚀 Rocket [beta]",
            "Launch/Alphabet",
            "Sale/100% off",
            "Sale/100 apples",
            "Code/a_b",
            "Code/axb",
            "Regex/.* all",
            "Regex/(x",
            "Regex/123",
            "Ünï/Cödé",
            "Html/<b>bold<\\/b>",
        ],
    )
    assert search(api, query) == expected


def test_search_combines_with_other_filters(api: httpx.Client) -> None:
    create_many(api, ["Analytics/report a", "Analytics/sub/report b", "Other/report c"])
    assert {e["path"] for e in list_all(api, search="report", parent="Analytics")} == {
        "Analytics/report a",
        "Analytics/sub/report b",
    }
    assert {e["path"] for e in list_all(api, search="report", parent="Analytics", depth=2)} == {
        "Analytics/report a"
    }


@pytest.mark.parametrize("query", ["", "   ", '""'])
def test_empty_search_finds_everything(api: httpx.Client, query: str) -> None:
    create_many(api, ["a/b", "c"])
    assert search(api, query) == {"a", "a/b", "c"}


def test_search_results_come_in_the_default_order(api: httpx.Client) -> None:
    create_many(api, ["b report", "A report", "c/Report z", "B Report 2"])
    assert [e["path"] for e in list_all(api, search="report")] == [
        "A report",
        "b report",
        "B Report 2",
        "c/Report z",
    ]
