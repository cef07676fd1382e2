"""Reading the live key bindings, for the help screen and the command palette."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

# The section of the keys that work wherever the focus is (the app's, the screen's).
EVERYWHERE = "everywhere"


def live_bindings(node: DOMNode) -> list[Binding]:
    """The bindings ``node`` answers to now, after the app's keymap (the user's remaps), in
    definition order. Textual applies the keymap to a copy when it dispatches keys; so do we."""
    bindings = node._bindings.copy()
    keymap = node.app._keymap
    if keymap:
        bindings.apply_keymap(keymap)
    return [binding for group in bindings.key_to_bindings.values() for binding in group]


@dataclass(frozen=True)
class KeyRow:
    """One line of ``?``: one binding, with every key that runs it."""

    keys: tuple[str, ...]  # as the footer shows them, e.g. ("R", "^r")
    description: str
    id: str  # what [keys] in the config file remaps; "" for a Textual binding without one
    section: str  # where it works: EVERYWHERE, or the widget with the focus ("tree", …)
    remapped: bool = False


def help_title(node: DOMNode) -> str:
    """The section a node's keys are listed under: its ``HELP_TITLE`` if it has one."""
    if node is node.app or isinstance(node, Screen):
        return EVERYWHERE
    title = getattr(node, "HELP_TITLE", None)
    return title if isinstance(title, str) else type(node).__name__


def key_rows(screen: Screen[object], also: Iterable[DOMNode] = ()) -> list[KeyRow]:
    """Every key of ``screen`` as dispatched now (the focused widget's, its containers',
    the screen's, the app's; a key shadowed by another is left out, remaps applied, keys
    ``check_action`` hides left out), the app's first; then the keys of ``also`` (widgets
    out of focus whose keys the user should know, e.g. the tree's while a pane has focus)."""
    app = screen.app
    # Outermost first: the app's keys, then the screen's, then the focused widget's; each
    # node's in the order it declares them (a remapped binding keeps its place).
    active = sorted(
        screen.active_bindings.values(),
        key=lambda a: (len(a.node.ancestors), _declared_at(a.node, a.binding)),
    )
    found: list[tuple[DOMNode, Binding]] = [(a.node, a.binding) for a in active]
    for node in also:
        for binding in live_bindings(node):
            if app._check_action_state(binding.action, node) is not False:
                found.append((node, binding))
    rows: dict[tuple[str, str], tuple[list[str], Binding, str]] = {}
    keymap = app._keymap
    for node, binding in found:
        section = help_title(node)
        name = binding.id or f"{binding.action}|{binding.description}"
        keys, _, _ = rows.setdefault((section, name), ([], binding, section))
        shown = app.get_key_display(binding)
        if shown not in keys:
            keys.append(shown)
    return [
        KeyRow(
            keys=tuple(keys),
            description=binding.description,
            id=binding.id or "",
            section=section,
            remapped=bool(binding.id and binding.id in keymap),
        )
        for keys, binding, section in rows.values()
    ]


def _declared_at(node: DOMNode, binding: Binding) -> int:
    """Where ``binding`` comes in ``node``'s class's declaration (before any remap; the
    keys it inherits and does not redeclare after its own)."""
    own = [b for b in type(node).BINDINGS if isinstance(b, Binding)]
    declared = own + [b for group in node._bindings.key_to_bindings.values() for b in group]
    for index, original in enumerate(declared):
        if (original.id or original.action) == (binding.id or binding.action):
            return index
    return len(declared)
