"""How entries look on screen: icons, and names shown literally.

A name comes from the server and may hold anything: Rich markup (``[bold]``), ANSI or OSC
escape sequences, control characters, bidi overrides, zero-width characters. None of it
may reach the terminal as an instruction, so every name becomes a plain ``Text`` (never
markup) with such characters replaced by a visible stand-in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Protocol

from rich.text import Text

from tui import paths
from tui.models import FileSystemEntry

# Characters that change how the terminal or the text layout behaves without printing:
# bidi embeddings/overrides/isolates and zero-width characters.
_INVISIBLE_FORMAT = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",
}  # fmt: skip
ZERO_WIDTH_JOINER = "\u200d"

# Combining marks drawn on one character: Vietnamese stacks two, some Indic and Tibetan
# clusters a few more. Beyond this it is "Zalgo" text, which terminals draw spilling over
# the rows above and below; the extra marks are shown as their code points instead.
MAX_STACKED_MARKS = 4
# Shown before a combining mark that has no character to sit on (at the start of a name),
# so it cannot attach to whatever the screen drew before the name.
DOTTED_CIRCLE = "\u25cc"

# A name longer than this is cut with an ellipsis: one row, never a wall of text.
MAX_NAME_CELLS = 200

# Icon sets: emoji (the default), Nerd Font glyphs (as yazi and lazygit offer, for a
# patched font), and ASCII for terminals and fonts without either. Within a set every icon
# is as wide as the others (emoji 2 cells, the others 1), so names line up in columns.
EMOJI_ICONS: dict[str, str] = {
    "folder": "📁",
    "insight": "📈",
    "dashboard": "📊",
    "feature_flag": "🚩",
    "experiment": "🧪",
    "notebook": "📓",
    "cohort": "👥",
    "action": "🎯",
    "survey": "📝",
    "early_access_feature": "🚀",
    "session_recording_playlist": "🎬",
    "link": "🔗",
    "hog_function": "🦔",
    "": "📄",  # any other type
}
NERD_ICONS: dict[str, str] = {
    "folder": "\uf07b",  # nf-fa-folder
    "insight": "\uf201",  # nf-fa-line_chart
    "dashboard": "\uf0e4",  # nf-fa-tachometer
    "feature_flag": "\uf024",  # nf-fa-flag
    "experiment": "\uf0c3",  # nf-fa-flask
    "notebook": "\uf02d",  # nf-fa-book
    "cohort": "\uf0c0",  # nf-fa-users
    "action": "\uf140",  # nf-fa-bullseye
    "survey": "\uf0ea",  # nf-fa-clipboard
    "early_access_feature": "\uf135",  # nf-fa-rocket
    "session_recording_playlist": "\uf008",  # nf-fa-film
    "link": "\uf0c1",  # nf-fa-link
    "hog_function": "\uf121",  # nf-fa-code
    "": "\uf15b",  # nf-fa-file
}
ASCII_ICONS: dict[str, str] = {
    "folder": "/",  # as ls -F marks a directory
    "insight": "i",
    "dashboard": "D",
    "feature_flag": "F",
    "experiment": "X",
    "notebook": "N",
    "cohort": "C",
    "action": "A",
    "survey": "S",
    "early_access_feature": "E",
    "session_recording_playlist": "P",
    "link": "L",
    "hog_function": "H",
    "": "-",
}
ICON_SETS: dict[str, dict[str, str]] = {
    "emoji": EMOJI_ICONS,
    "nerd": NERD_ICONS,
    "ascii": ASCII_ICONS,
}
SHORTCUT_MARKS: dict[str, str] = {"emoji": "↪", "nerd": "\uf178", "ascii": ">"}
DEFAULT_ICONS = "emoji"
# Kept for code that names them: the default set's.
TYPE_ICONS = EMOJI_ICONS
HOG_FUNCTION_ICON = EMOJI_ICONS["hog_function"]
UNKNOWN_ICON = EMOJI_ICONS[""]
SHORTCUT_MARK = SHORTCUT_MARKS[DEFAULT_ICONS]

# The set in use: chosen once at start-up (--icons, or icons = in the config file).
_chosen = {"set": DEFAULT_ICONS}


def use_icons(name: str) -> None:
    """Draw icons from the set ``name`` (one of :data:`ICON_SETS`) from now on."""
    if name not in ICON_SETS:
        raise ValueError(f"unknown icon set '{name}' (known: {', '.join(ICON_SETS)})")
    _chosen["set"] = name


def icon_set() -> str:
    return _chosen["set"]


def shortcut_mark() -> str:
    return SHORTCUT_MARKS[_chosen["set"]]


TYPE_NAMES: dict[str, str] = {
    "folder": "folder",
    "feature_flag": "feature flag",
    "early_access_feature": "early access feature",
    "session_recording_playlist": "replay playlist",
}


def visible(text: str) -> str:
    """``text`` with every control or invisible formatting character made visible."""
    out: list[str] = []
    stacked = 0  # combining marks on the current character so far
    for index, char in enumerate(text):
        code = ord(char)
        category = unicodedata.category(char)
        if category in ("Mn", "Me"):  # combining marks (and variation selectors)
            stacked += 1
            if index == 0:
                out.append(DOTTED_CIRCLE + char)
            elif stacked > MAX_STACKED_MARKS:
                out.append(f"<U+{code:04X}>")
            else:
                out.append(char)
            continue
        stacked = 0
        if code < 0x20:
            out.append(chr(0x2400 + code))  # ␀ … ␟: the Unicode "control pictures"
        elif code == 0x7F:
            out.append("␡")
        elif char == ZERO_WIDTH_JOINER and _joins_emoji(text, index):
            out.append(char)  # 👨‍👩‍👧: one emoji, drawn (and measured) as one
        elif 0x80 <= code < 0xA0 or char in _INVISIBLE_FORMAT:
            out.append(f"<U+{code:04X}>")
        elif category in ("Cs", "Co", "Cn"):
            out.append("\ufffd")  # surrogates, private use, unassigned: not trusted
        else:
            out.append(char)
    return "".join(out)


def _joins_emoji(text: str, index: int) -> bool:
    """Whether the joiner at ``index`` sits between two emoji (a variation selector or
    skin tone may come between the first and it)."""
    before = text[:index].rstrip("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
    after = text[index + 1 : index + 2]
    return bool(before) and _is_emoji(before[-1]) and bool(after) and _is_emoji(after)


def _is_emoji(char: str) -> bool:
    return unicodedata.category(char) == "So" and ord(char) >= 0x2000


def literal(text: str, *, max_length: int = MAX_NAME_CELLS) -> Text:
    """A plain Rich ``Text`` of ``text``: no markup parsed, nothing the terminal obeys."""
    shown = visible(text)
    if len(shown) > max_length:
        shown = shown[: max_length - 1] + "…"
    return Text(shown, no_wrap=True, overflow="ellipsis")


def icon(entry_type: str) -> str:
    icons = ICON_SETS[_chosen["set"]]
    if entry_type.startswith("hog_function/"):
        return icons["hog_function"]
    return icons.get(entry_type, icons[""])


def type_name(entry_type: str) -> str:
    """``feature_flag`` → ``feature flag``; ``hog_function/destination`` → ``destination``."""
    if entry_type.startswith("hog_function/"):
        return entry_type.split("/", 1)[1].replace("_", " ")
    return TYPE_NAMES.get(entry_type, entry_type.replace("_", " ") or "entry")


class _Typed(Protocol):
    @property
    def type(self) -> str: ...


def summarize_types(entries: Iterable[_Typed]) -> str:
    """``3 insights, 2 dashboards, 1 folder`` for the entries (or deleted objects) given."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.type] = counts.get(entry.type, 0) + 1
    parts = []
    for entry_type, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        name = type_name(entry_type)
        parts.append(f"{n:,} {name}{'' if n == 1 else 's'}")
    return ", ".join(parts)


def entry_name(entry: FileSystemEntry) -> str:
    """The entry's name as a user reads it: the last segment, unescaped."""
    return paths.basename(entry.path) or entry.path


def row_label(entry: FileSystemEntry) -> Text:
    """One tree row: icon, the name literally, and a shortcut arrow (the tree draws the
    mark beside it)."""
    label = Text()
    label.append(icon(entry.type) + " ")
    name = literal(entry_name(entry))
    if entry.is_folder:
        name.stylize("bold")
    label.append_text(name)
    if entry.shortcut:
        label.append(f" {shortcut_mark()}", style="italic dim")
    return label


def display_path(path: str) -> Text:
    """A whole path as a user reads it: ``Marketing / Q4 / Q1`` keeps the escaped slash
    visible as ``\\/`` so segments stay unambiguous."""
    return literal(path, max_length=1000)
