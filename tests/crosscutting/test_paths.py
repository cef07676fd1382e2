"""PostHog's path rules (contract section 2, "Paths"): the quoted examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui import paths

# Segments with everything a PostHog name may hold: slashes, backslashes, spaces, unicode,
# emoji, control characters. Only the empty segment is impossible.
segment = st.text(
    alphabet=st.one_of(
        st.sampled_from(["/", "\\", " ", "\x00", "\x1b", "\n", "é", "🦔", "[", "]"]),
        st.characters(),
    ),
    min_size=1,
)


# --- the contract's examples, word for word


def test_split_unescapes_slash_and_backslash() -> None:
    assert paths.split("a\\/b\\\\/c") == ["a/b\\", "c"]


def test_split_of_only_separators_is_empty() -> None:
    assert paths.split("///") == []


def test_split_drops_empty_segments() -> None:
    assert paths.split("a////b") == ["a", "b"]


def test_escape_escapes_backslash_then_slash() -> None:
    assert paths.escape("\\/") == "\\\\\\/"


def test_join_escapes_each_segment() -> None:
    assert paths.join(["a/b", "c\\d"]) == "a\\/b/c\\\\d"


def test_depth_counts_segments_not_slashes() -> None:
    assert paths.depth("Unfiled/Feature Flags/Flag \\/ With Slash") == 3


# --- the rest of the rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\\b", ["a\\b"]),  # a backslash before anything else stays
        ("trailing\\", ["trailing\\"]),  # ... including the end of the path
        ("/lead/", ["lead"]),
        ("", []),
        ("a\\\\\\/b", ["a\\/b"]),
    ],
)
def test_split_edge_cases(text: str, expected: list[str]) -> None:
    assert paths.split(text) == expected


def test_unescape_keeps_unknown_escapes() -> None:
    assert paths.unescape("Q4 \\/ Q1 \\\\ \\n") == "Q4 / Q1 \\ \\n"


def test_parent_and_basename() -> None:
    path = "Marketing/Q4 \\/ Q1/Weekly signups"
    assert paths.parent(path) == "Marketing/Q4 \\/ Q1"
    assert paths.basename(path) == "Weekly signups"
    assert paths.parent("Top") == ""
    assert paths.basename("") == ""


def test_child_escapes_the_name() -> None:
    assert paths.child("Marketing", "a/b") == "Marketing/a\\/b"
    assert paths.child("", "x") == "x"


def test_is_within_is_prefix_plus_separator() -> None:
    assert paths.is_within("a/b", "a")
    assert not paths.is_within("ab", "a")
    assert not paths.is_within("a", "a")


# --- properties


@given(st.lists(segment, max_size=8))
def test_split_inverts_join(segments: list[str]) -> None:
    assert paths.split(paths.join(segments)) == segments


@given(segment)
def test_unescape_inverts_escape(text: str) -> None:
    assert paths.unescape(paths.escape(text)) == text


@given(st.lists(segment, min_size=1, max_size=8))
def test_parent_basename_depth_agree_with_segments(segments: list[str]) -> None:
    path = paths.join(segments)
    assert paths.depth(path) == len(segments)
    assert paths.basename(path) == segments[-1]
    assert paths.split(paths.parent(path)) == segments[:-1]


@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = paths.normalize(text)
    assert paths.normalize(once) == once
    assert paths.split(once) == paths.split(text)
