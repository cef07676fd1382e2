"""The demo project: a realistic tree worth looking at, and the objects behind it.

Deterministic for a given seed (names, shapes, who created what); timestamps are relative
to the moment of seeding so the demo always looks recent.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

from tui import paths
from tui.server.object_types import OBJECT_TYPES, unfiled_folder
from tui.server.seed_events import seed_demo_events
from tui.server.store import accounts, objects, shortcuts, view_log
from tui.server.store import file_system as fs

DEMO_SEED = 42

# (first, last, email) of the people who made the demo project. The first is its owner,
# the user the demo's own keys act as (see tui.server.app.user_for_spec).
DEMO_USERS = (
    ("Maya", "Chen", accounts.DEMO_OWNER_EMAIL),
    ("Tomás", "Ortega", "tomas@hogtree.example"),
    ("Priya", "Nair", "priya@hogtree.example"),
)

# The tree: folder path (unescaped segments) → items (type, name). Names hold what real
# projects hold: slashes, brackets, unicode, emoji, quotes.
DEMO_TREE: dict[tuple[str, ...], list[tuple[str, str]]] = {
    ("Marketing",): [
        ("insight", "Weekly signups"),
        ("dashboard", "Growth dashboard"),
        ("insight", "Signup funnel"),
        ("cohort", "Newsletter subscribers"),
    ],
    ("Marketing", "Campaigns"): [
        ("insight", "Q4 / Q1 launch — conversions"),
        ("insight", "Black Friday traffic"),
        ("dashboard", "Campaign overview"),
        ("feature_flag", "promo-banner"),
        ("survey", "Campaign feedback"),
    ],
    ("Marketing", "Campaigns", "2025"): [
        ("insight", "Spring campaign reach"),
        ("notebook", "Retro: spring campaign"),
    ],
    ("Product",): [
        ("dashboard", "Product health"),
        ("insight", "Daily active users"),
        ("insight", "Retention by plan"),
        ("notebook", "Roadmap [2026]"),
        ("insight", "Café ☕ metrics"),
    ],
    ("Product", "Onboarding"): [
        ("experiment", "New onboarding flow"),
        ("feature_flag", "onboarding-v2"),
        ("insight", "Onboarding completion"),
        ("action", "Completed onboarding"),
        ("early_access_feature", "Guided tour"),
    ],
    ("Product", "Onboarding", 'Experiments "archive"'): [
        ("experiment", "Checklist vs. wizard"),
    ],
    ("Engineering",): [
        ("dashboard", "API latency"),
        ("insight", "Errors per release"),
        ("hog_function/destination", "Slack alerts"),
        ("hog_function/transformation", "GeoIP enrichment"),
    ],
    ("Engineering", "Releases"): [
        ("feature_flag", "new-search-backend"),
        ("feature_flag", "dark-mode"),
        ("insight", "Release adoption"),
        ("session_recording_playlist", "Errors after deploy"),
    ],
    ("Sales",): [
        ("dashboard", "Pipeline"),
        ("insight", "Trials started"),
        ("cohort", "Enterprise trials"),
    ],
    ("Archive", "2023", "Q3", "Old experiments", "Pricing"): [
        ("experiment", "Annual discount test"),
        ("insight", "Pricing page views (old)"),
    ],
    ("Team 🦔 notes",): [
        ("notebook", "[bold]Standup[/bold] notes"),
        ("notebook", "On-call handbook"),
    ],
}

# A folder with a few hundred entries, for "load more".
BIG_FOLDER = ("Data", "Event catalogue")
BIG_FOLDER_SIZE = 320
BIG_FOLDER_EVENTS = (
    "$pageview",
    "$autocapture",
    "signed_up",
    "subscription_started",
    "invite_sent",
    "file_uploaded",
    "report_exported",
    "plan_changed",
)

# Objects that were never filed: they start under Unfiled/<Plural>.
UNFILED_ITEMS: list[tuple[str, str]] = [
    ("insight", "Untitled trend"),
    ("insight", "Pageviews by browser"),
    ("dashboard", "My first dashboard"),
    ("feature_flag", "beta-access"),
    ("feature_flag", "Flag / with slash"),
    ("notebook", "Scratchpad"),
    ("cohort", "Power users"),
    ("survey", "NPS"),
]

# Objects with no entry at all, for `unfiled` to find.
NEVER_FILED: list[tuple[str, str]] = [
    ("insight", "Sessions per user"),
    ("dashboard", "Exec summary"),
    ("cohort", "Churned last month"),
]

# Shortcuts to items elsewhere (folder, path of the original).
SHORTCUTS: list[tuple[tuple[str, ...], tuple[str, ...]]] = [
    (("Favourites",), ("Marketing", "Weekly signups")),
    (("Favourites",), ("Product", "Product health")),
    (("Marketing",), ("Product", "Onboarding", "Onboarding completion")),
]

# More objects with no entry at all, made after everything above (so that the objects,
# dashboards and events above stay exactly as they were): "File unfiled objects" then
# has something of each common kind to file on a fresh demo. The nameless insight is filed
# as "Untitled", as PostHog names it.
MORE_NEVER_FILED: list[tuple[str, str]] = [
    ("insight", "Checkout drop-off"),
    ("insight", "Weekly active users by country"),
    ("insight", ""),
    ("dashboard", "Support load"),
    ("feature_flag", "new-pricing-page"),
    ("notebook", "Q3 planning notes"),
]

# What the demo's owner (accounts.DEMO_OWNER_EMAIL: the first of DEMO_USERS, the user the
# demo's own keys act as) viewed, newest first: (path of the item, minutes ago). The last
# is a never-filed object: it joins Recents once "File unfiled objects" gives it an entry.
OWNER_VIEWS: list[tuple[tuple[str, ...], int]] = [
    (("Marketing", "Weekly signups"), 4),
    (("Product", "Product health"), 38),
    (("Product", "Onboarding", "Onboarding completion"), 95),
    (("Team 🦔 notes", "[bold]Standup[/bold] notes"), 60 * 5),
    (("Engineering", "Releases", "dark-mode"), 60 * 26),
    (("Marketing", "Campaigns", "Q4 / Q1 launch — conversions"), 60 * 50),
    (("Product", "Roadmap [2026]"), 60 * 24 * 4),
    (("Sales", "Pipeline"), 60 * 24 * 9),
]
OWNER_VIEWS_NEVER_FILED: list[tuple[tuple[str, str], int]] = [
    (("insight", "Checkout drop-off"), 12),
]
# Someone else's views, which the owner's Recents must not show.
OTHERS_VIEWS: list[tuple[tuple[str, ...], int]] = [
    (("Engineering", "API latency"), 7),
    (("Sales", "Trials started"), 60),
]

# The owner's Shortcuts (their starred items, above the tree): items by path, and folders.
OWNER_SHORTCUT_ITEMS: list[tuple[str, ...]] = [
    ("Marketing", "Weekly signups"),
    ("Product", "Product health"),
]
OWNER_SHORTCUT_FOLDERS: list[tuple[str, ...]] = [("Product", "Onboarding")]

# The demo project's name: the product its events come from (seed_events).
DEMO_PROJECT_NAME = "Hedgebox"

# The demo's second project: a few folders of its own, so a project switcher has
# somewhere to go. Its id is the demo project's + 1.
STAGING_NAME = "Staging"
STAGING_TREE: dict[tuple[str, ...], list[tuple[str, str]]] = {
    ("QA",): [
        ("insight", "Smoke test signups"),
        ("dashboard", "Staging health"),
    ],
    ("QA", "Load tests"): [
        ("insight", "p95 latency under load"),
        ("notebook", "Load test runbook"),
    ],
    ("Releases", "Candidates"): [
        ("feature_flag", "rc-new-checkout"),
        ("experiment", "Checkout copy test"),
        ("notebook", "Release checklist"),
    ],
}
STAGING_NEVER_FILED: list[tuple[str, str]] = [("insight", "Staging pageviews")]
STAGING_OWNER_VIEWS: list[tuple[tuple[str, ...], int]] = [
    (("Releases", "Candidates", "Release checklist"), 20),
    (("QA", "Staging health"), 60 * 3),
]
STAGING_OWNER_SHORTCUT_FOLDERS: list[tuple[str, ...]] = [("Releases", "Candidates")]


def _insight_definition(rng: random.Random, name: str) -> dict[str, Any]:
    """A trends query over one or two events: enough for charts and exports later."""
    events = rng.sample(BIG_FOLDER_EVENTS, k=rng.choice((1, 1, 2)))
    return {
        "query": {
            "kind": "InsightVizNode",
            "source": {
                "kind": "TrendsQuery",
                "series": [{"kind": "EventsNode", "event": e, "math": "total"} for e in events],
                "interval": "day",
                "dateRange": {"date_from": "-30d"},
            },
        },
        "description": f"{name}: daily count of {', '.join(events)}",
    }


# Insights of the demo drawn otherwise than as a daily line: each kind PostHog's web app
# shows (bars, a number, a table, funnels), so every chart of the app has a demo.
_FUNNEL_STEPS = ("signed_up", "file_uploaded", "subscription_started")
_DISPLAYS = {
    "Black Friday traffic": "ActionsBar",
    "Daily active users": "BoldNumber",
    "Café ☕ metrics": "ActionsTable",
    "Errors per release": "ActionsBarValue",
}
_FUNNELS = ("Signup funnel", "Checkout drop-off", "Onboarding completion")


def _shaped_definition(definition: dict[str, Any], name: str) -> dict[str, Any]:
    """``definition`` (a daily trend) as the kind of chart its name promises. Applied after
    the random draws, so every demo insight keeps its events and short id."""
    source = definition["query"]["source"]
    if name in _DISPLAYS:
        source["trendsFilter"] = {"display": _DISPLAYS[name]}
    elif name in _FUNNELS:
        definition["query"]["source"] = {
            "kind": "FunnelsQuery",
            "series": [{"kind": "EventsNode", "event": e} for e in _FUNNEL_STEPS],
            "dateRange": source["dateRange"],
            "funnelsFilter": {"funnelWindowInterval": 14, "funnelWindowIntervalUnit": "day"},
        }
        definition["description"] = f"{name}: {' → '.join(_FUNNEL_STEPS)}"
    return definition


class _Seeder:
    def __init__(
        self,
        conn: sqlite3.Connection,
        project_id: int,
        seed: int,
        user_ids: list[int] | None = None,
    ) -> None:
        self.conn = conn
        self.project_id = project_id
        self.rng = random.Random(seed)
        self.started = datetime.now(UTC)
        self.user_ids = user_ids or [accounts.create_user(conn, *user) for user in DEMO_USERS]

    @property
    def owner(self) -> int:
        """The demo's owner: the first of DEMO_USERS (accounts.DEMO_OWNER_EMAIL)."""
        return self.user_ids[0]

    def ago(self, minutes: int) -> str:
        return fs.format_time(self.started - timedelta(minutes=minutes))

    def file_tree(
        self, tree: dict[tuple[str, ...], list[tuple[str, str]]]
    ) -> dict[tuple[str, ...], sqlite3.Row]:
        """Create the folders and objects of ``tree``, each object filed in its folder;
        the objects by their path (segments)."""
        by_path: dict[tuple[str, ...], sqlite3.Row] = {}
        for folder_segments, items in tree.items():
            folder = paths.join(folder_segments)
            fs.ensure_ancestors(self.conn, self.project_id, paths.child(folder, "x"), self.owner)
            for object_type, name in items:
                obj = self.make_object(object_type, name)
                self.file(obj, folder)
                by_path[(*folder_segments, name)] = obj
        return by_path

    def view(self, user_id: int, obj: sqlite3.Row, minutes_ago: int) -> None:
        viewer = view_log.Viewer(project_id=self.project_id, user_id=user_id)
        view_log.record_view(self.conn, viewer, obj["type"], obj["ref"], self.ago(minutes_ago))

    def star_item(self, obj: sqlite3.Row) -> None:
        """A shortcut as PostHog's web app makes one: the item's escaped name as its path."""
        shortcuts.create_shortcut(
            self.conn,
            shortcuts.Owner(project_id=self.project_id, user_id=self.owner),
            path=paths.escape(obj["name"]),
            type=obj["type"],
            ref=obj["ref"],
            href=OBJECT_TYPES[obj["type"]].href(obj["ref"]),
        )

    def star_folder(self, segments: tuple[str, ...]) -> None:
        """A folder's shortcut, as PostHog's web app makes one: the folder's path as ref."""
        shortcuts.create_shortcut(
            self.conn,
            shortcuts.Owner(project_id=self.project_id, user_id=self.owner),
            path=paths.escape(segments[-1]),
            type="folder",
            ref=paths.join(segments),
        )

    def _moment(self) -> str:
        ago = timedelta(days=self.rng.uniform(1, 400), seconds=self.rng.uniform(0, 86_400))
        return fs.format_time(self.started - ago)

    def make_object(self, object_type: str, name: str) -> sqlite3.Row:
        data = (
            _shaped_definition(_insight_definition(self.rng, name), name)
            if object_type == "insight"
            else {}
        )
        return objects.create_object(
            self.conn,
            self.project_id,
            object_type,
            name,
            created_by=self.rng.choice(self.user_ids),
            created_at=self._moment(),
            data=data,
            short_id="".join(
                self.rng.choices("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", k=8)
            ),
        )

    def lay_out_dashboards(self) -> None:
        """Give every dashboard tiles: insights of the project, a few each."""
        insight_ids = [
            row[0]
            for row in self.conn.execute(
                "SELECT id FROM objects WHERE project_id = ? AND type = 'insight' ORDER BY id"
                " LIMIT 40",
                (self.project_id,),
            )
        ]
        dashboards = self.conn.execute(
            "SELECT id FROM objects WHERE project_id = ? AND type = 'dashboard' ORDER BY id",
            (self.project_id,),
        ).fetchall()
        for (dashboard_id,) in dashboards:
            tiles = self.rng.sample(insight_ids, k=min(len(insight_ids), self.rng.randint(2, 4)))
            objects.set_data(self.conn, dashboard_id, {"tiles": tiles})

    def file(self, obj: sqlite3.Row, folder: str, *, shortcut: bool = False) -> None:
        fs.create_entry(
            self.conn,
            self.project_id,
            path=paths.child(folder, obj["name"]),
            type=obj["type"],
            ref=obj["ref"],
            href=OBJECT_TYPES[obj["type"]].href(obj["ref"]),
            meta={"created_by": obj["created_by"], "created_at": obj["created_at"]},
            shortcut=shortcut,
            created_by=obj["created_by"],
            created_at=obj["created_at"] if not shortcut else None,
        )


def seed_demo(conn: sqlite3.Connection, project_id: int = 1, seed: int = DEMO_SEED) -> None:
    """Fill ``project_id`` with the demo tree, and make the demo's second project
    (``project_id + 1``), inside the caller's transaction."""
    accounts.rename_project(conn, project_id, DEMO_PROJECT_NAME)
    seeder = _Seeder(conn, project_id, seed)
    by_path: dict[tuple[str, ...], sqlite3.Row] = {}

    for folder_segments, items in DEMO_TREE.items():
        folder = paths.join(folder_segments)
        fs.ensure_ancestors(conn, project_id, paths.child(folder, "x"), seeder.user_ids[0])
        for object_type, name in items:
            obj = seeder.make_object(object_type, name)
            seeder.file(obj, folder)
            by_path[(*folder_segments, name)] = obj

    big_folder = paths.join(BIG_FOLDER)
    for index in range(BIG_FOLDER_SIZE):
        event = BIG_FOLDER_EVENTS[index % len(BIG_FOLDER_EVENTS)]
        obj = seeder.make_object("insight", f"{event} — view {index + 1:03d}")
        seeder.file(obj, big_folder)

    for object_type, name in UNFILED_ITEMS:
        seeder.file(seeder.make_object(object_type, name), unfiled_folder(object_type))

    for object_type, name in NEVER_FILED:
        seeder.make_object(object_type, name)

    for folder_segments, original in SHORTCUTS:
        seeder.file(by_path[original], paths.join(folder_segments), shortcut=True)

    seeder.lay_out_dashboards()
    seed_demo_events(conn, project_id, seed)
    _seed_tree_extras(seeder, by_path, seed)
    _seed_staging(conn, project_id + 1, seed, seeder.user_ids)


def _seed_tree_extras(
    seeder: _Seeder, by_path: dict[tuple[str, ...], sqlite3.Row], seed: int
) -> None:
    """What PostHog's tree has besides folders: objects for Unfiled, the owner's Recents and
    Shortcuts. An rng of its own, so the demo made before these existed stays the same."""
    extras = _Seeder(seeder.conn, seeder.project_id, seed + 1, seeder.user_ids)
    never_filed = {
        (object_type, name): extras.make_object(object_type, name)
        for object_type, name in MORE_NEVER_FILED
    }
    for obj in never_filed.values():
        if obj["type"] == "dashboard":
            objects.set_data(extras.conn, obj["id"], {"tiles": _some_insights(extras, 3)})
    for item, minutes in OWNER_VIEWS:
        extras.view(extras.owner, by_path[item], minutes)
    for key, minutes in OWNER_VIEWS_NEVER_FILED:
        extras.view(extras.owner, never_filed[key], minutes)
    for item, minutes in OTHERS_VIEWS:
        extras.view(extras.user_ids[1], by_path[item], minutes)
    for item in OWNER_SHORTCUT_ITEMS:
        extras.star_item(by_path[item])
    for folder_segments in OWNER_SHORTCUT_FOLDERS:
        extras.star_folder(folder_segments)


def _some_insights(seeder: _Seeder, count: int) -> list[int]:
    ids = [
        row[0]
        for row in seeder.conn.execute(
            "SELECT id FROM objects WHERE project_id = ? AND type = 'insight' ORDER BY id LIMIT 40",
            (seeder.project_id,),
        )
    ]
    return seeder.rng.sample(ids, k=min(count, len(ids)))


def _seed_staging(
    conn: sqlite3.Connection, project_id: int, seed: int, user_ids: list[int]
) -> None:
    """The demo's second project ("Staging"): a few folders, an object to file, and the
    owner's views and a shortcut there."""
    accounts.ensure_project(conn, project_id, STAGING_NAME, fs.now())
    accounts.rename_project(conn, project_id, STAGING_NAME)
    staging = _Seeder(conn, project_id, seed + 2, user_ids)
    by_path = staging.file_tree(STAGING_TREE)
    for object_type, name in STAGING_NEVER_FILED:
        staging.make_object(object_type, name)
    staging.lay_out_dashboards()
    for item, minutes in STAGING_OWNER_VIEWS:
        staging.view(staging.owner, by_path[item], minutes)
    for folder_segments in STAGING_OWNER_SHORTCUT_FOLDERS:
        staging.star_folder(folder_segments)
