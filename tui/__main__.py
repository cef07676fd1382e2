"""``python -m tui`` runs the same command line as ``hogtree``."""

from tui.cli import main

raise SystemExit(main())
