"""Icons for every terminal: emoji, Nerd Font glyphs or ASCII, names aligned in each."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.cells import cell_len
from rich.style import Style
from support import ADMIN_KEY, LiveServer
from support.app_harness import loaded, new_app, open_folder, tree_of
from textual.widgets.tree import TreeNode

from tui import labels
from tui.app.widgets.tree_rows import EntryRow
from tui.cli import build_parser, chosen_icons
from tui.config import load_config

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def emoji_again() -> Iterator[None]:
    """The chosen set is the process's: the next test starts with the default."""
    yield
    labels.use_icons(labels.DEFAULT_ICONS)


def entry_nodes(node: TreeNode[object]) -> Iterator[TreeNode[object]]:
    for child in node.children:
        if isinstance(child.data, EntryRow):
            yield child
            if child.is_expanded:
                yield from entry_nodes(child)


def depth(node: TreeNode[object]) -> int:
    return 0 if node.parent is None else 1 + depth(node.parent)


@pytest.mark.parametrize("icons", sorted(labels.ICON_SETS))
async def test_every_row_of_the_tree_puts_its_name_at_the_same_cell(
    demo_server: LiveServer, icons: str
) -> None:
    app = new_app(demo_server.url, ADMIN_KEY, icons=icons)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(pilot)
        await open_folder(pilot, "Marketing")
        tree = tree_of(app)
        offsets: dict[int, set[int]] = {}
        types: set[str] = set()
        for node in entry_nodes(tree.root):  # type: ignore[arg-type]
            assert isinstance(node.data, EntryRow)
            entry = node.data.entry
            types.add(entry.type)
            shown = tree.render_label(node, Style(), Style()).plain  # type: ignore[arg-type]
            name = labels.visible(labels.entry_name(entry))
            before = shown[: shown.index(name)]
            assert labels.icon(entry.type) in before
            offsets.setdefault(depth(node), set()).add(cell_len(before))
    assert len(types) >= 3, types  # folders and at least two kinds of item
    assert all(len(cells) == 1 for cells in offsets.values()), offsets


def test_every_icon_of_a_set_is_as_wide_as_the_others() -> None:
    for name, icons in labels.ICON_SETS.items():
        widths = {cell_len(icon) for icon in icons.values()}
        assert len(widths) == 1, (name, icons)
    assert set(labels.ICON_SETS["ascii"].values()) <= {chr(c) for c in range(0x21, 0x7F)}


def test_the_icons_flag_then_the_config_file_choose_the_set(tmp_path: object) -> None:
    from pathlib import Path

    config_path = Path(str(tmp_path)) / "config.toml"
    config_path.write_text('icons = "nerd"\n', encoding="utf-8")
    config = load_config(config_path)
    parser = build_parser()
    assert chosen_icons(parser.parse_args(["--icons", "ascii"]), config) == "ascii"
    assert chosen_icons(parser.parse_args([]), config) == "nerd"
    assert chosen_icons(parser.parse_args(["ls", "--icons", "ascii"]), config) == "ascii"
    assert chosen_icons(parser.parse_args([]), load_config(Path(str(tmp_path)) / "none")) == "emoji"
