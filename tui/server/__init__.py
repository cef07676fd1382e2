"""The local PostHog-compatible server: FastAPI routes (thin) over a SQLite store (the only
SQL), the search syntax, export rendering and the demo data. Nothing here imports the app
or the client (tui/api); they talk to it over HTTP only."""
