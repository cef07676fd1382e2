"""The local server's storage: SQLite, and the only place in hogtree that holds SQL."""
