"""PostHog's project-tree search syntax, parsed into predicates.

``name:report type:insight -path:Old "two words"`` becomes a list of :class:`Term`; the
store turns them into SQL. Kept apart from the store so the grammar can be read and tested
without a database.

Tokens split shell-style (quotes group words, a lone apostrophe is tolerated); all terms
must match; a leading ``-`` or ``!`` negates a term.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from enum import Enum

from tui.models import HOG_FUNCTION_KINDS
from tui.server.limits import check_search_terms


class Field(Enum):
    NAME = "name"  # substring of the last segment
    PATH = "path"  # substring of a parent segment
    TYPE = "type"  # exact type
    TYPE_PREFIX = "type_prefix"  # type starts with the value
    REF = "ref"  # exact ref
    USER = "user"  # creator's name or email substring
    ME = "me"  # created by the caller
    TEXT = "text"  # substring of path or type
    TEXT_ACROSS = "text_across"  # like TEXT, a "/" in it matching "/" or an escaped "\/"


@dataclass(frozen=True)
class Term:
    field: Field
    value: str
    negated: bool = False


def tokenize(search: str) -> list[str]:
    """Split like a shell, tolerating an unmatched apostrophe (``don't``) or quote."""

    def lex(allow_single_quotes: bool) -> list[str]:
        lexer = shlex.shlex(search, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        if not allow_single_quotes:
            lexer.quotes = '"'
            lexer.wordchars += "'"
        return list(lexer)

    try:
        return lex(allow_single_quotes=True)
    except ValueError:
        try:
            return lex(allow_single_quotes=False)
        except ValueError:
            return search.split()


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        return text[1:-1]
    return text


def parse(search: str, *, name_only: bool = False) -> list[Term]:
    """Parse a search string. ``name_only`` makes plain tokens match the last segment only."""
    terms: list[Term] = []
    for raw in tokenize(search):
        negated = raw.startswith(("-", "!"))
        token = _unquote(raw[1:] if negated else raw)
        if not token:
            continue
        terms.append(_term(token, negated, name_only))
    check_search_terms(len(terms))
    return terms


def _term(token: str, negated: bool, name_only: bool) -> Term:
    if ":" in token:
        field, value = token.split(":", 1)
        field = field.lower()
        value = _unquote(value.strip())
        if field == "name":
            return Term(Field.NAME, value, negated)
        if field == "path":
            return Term(Field.PATH, value, negated)
        if field in ("user", "author"):
            if value.lower() == "me":
                return Term(Field.ME, value, negated)
            return Term(Field.USER, value, negated)
        if field == "type":
            if value.endswith("/"):
                return Term(Field.TYPE_PREFIX, value, negated)
            if value in HOG_FUNCTION_KINDS:
                return Term(Field.TYPE, "hog_function/" + value, negated)
            return Term(Field.TYPE, value, negated)
        if field == "ref":
            return Term(Field.REF, value, negated)
        # An unknown prefix is not a field at all: the whole token is searched as text.
        return Term(Field.TEXT, token, negated)
    if name_only:
        return Term(Field.NAME, token, negated)
    if "/" in token:
        return Term(Field.TEXT_ACROSS, token, negated)
    return Term(Field.TEXT, token, negated)
