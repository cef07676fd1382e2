"""The Textual app: the tree, the side pane, the status line, the dialogs."""
