"""The download name rules (``tui/api/filenames.py``): whatever a server calls a file,
hogtree writes a plain name directly inside the folder the user chose."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.api.filenames import MAX_NAME_BYTES, alternative, claim, inside, safe_filename

FALLBACK = "export-7.csv"

# Text that leans on what makes names dangerous, mixed with any unicode at all.
hostile_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(list('./\\\x00\x1b\n\r\t :*?"<>|\u202e\u200b~é😀')),
        st.characters(),
    ),
    max_size=400,
)


def assert_plain(name: str) -> None:
    assert name not in ("", ".", "..")
    assert "/" not in name and "\\" not in name
    assert not name.startswith(".")
    assert not name.endswith((".", " "))
    assert all(unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in name)
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES


@given(hostile_text)
def test_any_server_name_becomes_a_plain_name(name: str) -> None:
    assert_plain(safe_filename(name, FALLBACK))


@given(hostile_text)
@settings(max_examples=200)
def test_any_server_name_lands_inside_the_folder(name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder).resolve()
        first = claim(root, safe_filename(name, FALLBACK))
        second = claim(root, safe_filename(name, FALLBACK))
        assert first.parent == root and second.parent == root
        assert first != second  # never the same file twice
        assert sorted(p.name for p in root.iterdir()) == sorted([first.name, second.name])


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "passwd"),
        ("a\\b", "b"),
        ("\x00\x1b[31m", "[31m"),
        ("..", FALLBACK),
        ("", FALLBACK),
        (None, FALLBACK),
        ("/", FALLBACK),
        ("report.csv", "report.csv"),
        ("  .hidden.csv  ", "hidden.csv"),
        ("CON.txt", "_CON.txt"),
        ("what?.csv", "what_.csv"),
        ("evil\u202egnp.csv", "evil gnp.csv"),
        ("C:\\Users\\me\\report.csv", "report.csv"),
    ],
)
def test_known_hostile_names(given_name: str | None, expected: str) -> None:
    assert safe_filename(given_name, FALLBACK) == expected


def test_long_names_keep_their_extension() -> None:
    name = safe_filename("x" * 300 + ".xlsx", FALLBACK)
    assert name.endswith(".xlsx")
    assert len(name.encode()) == MAX_NAME_BYTES
    multibyte = safe_filename("é" * 300 + ".csv", FALLBACK)
    assert multibyte.endswith(".csv") and len(multibyte.encode()) <= MAX_NAME_BYTES


def test_alternatives_are_numbered_before_the_extension() -> None:
    assert alternative("report.csv", 1) == "report (1).csv"
    assert alternative("README", 2) == "README (2)"
    assert len(alternative("x" * 196 + ".csv", 123).encode()) <= MAX_NAME_BYTES


def test_claim_never_overwrites_or_follows_a_link(tmp_path: Path) -> None:
    (tmp_path / "report.csv").write_text("mine")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.csv"
    (tmp_path / "report (1).csv").symlink_to(outside)
    claimed = claim(tmp_path, "report.csv")
    assert claimed.name == "report (2).csv"
    assert (tmp_path / "report.csv").read_text() == "mine"
    assert not outside.exists()


def test_inside_refuses_anything_but_a_child(tmp_path: Path) -> None:
    for name in ("..", "../x", "a/b", "."):
        with pytest.raises(ValueError):
            inside(tmp_path, name)
