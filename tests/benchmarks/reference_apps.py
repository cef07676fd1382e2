"""The references the app is measured against, each run as its own process in a terminal:

``python -m benchmarks.reference_apps directory PATH``
    Textual's own ``DirectoryTree`` on ``PATH`` (B1).
``python -m benchmarks.reference_apps static-tree``
    A minimal Textual app showing a static ``Tree`` (B5).

Only Textual is imported here, so the references pay for nothing of hogtree's.
"""

from __future__ import annotations

import sys

from textual.app import App, ComposeResult
from textual.widgets import DirectoryTree, Tree

# The static tree's rows: the demo project's top-level folders, as hogtree's first page.
STATIC_ROWS = ("Archive", "Engineering", "Marketing", "Product", "Sales", "Team notes")


class DirectoryApp(App[None]):
    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        tree = DirectoryTree(self.path)
        tree.show_root = False
        yield tree


class StaticTreeApp(App[None]):
    def compose(self) -> ComposeResult:
        tree: Tree[None] = Tree("project")
        tree.show_root = False
        tree.root.expand()
        for name in STATIC_ROWS:
            tree.root.add(name, allow_expand=True)
        yield tree


def main(argv: list[str]) -> None:
    if argv[:1] == ["directory"] and len(argv) == 2:
        DirectoryApp(argv[1]).run()
    elif argv == ["static-tree"]:
        StaticTreeApp().run()
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
