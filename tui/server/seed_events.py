"""Demo events: a month of a file-sharing product ("Hedgebox") as posthog-js and
posthog-python would have captured it.

A few hundred people visit in sessions — pageviews, clicks, a page leave — with a daily
and weekly rhythm and slow growth. Some arrive anonymously, sign up (``$identify``,
``signed_up``) and carry on under their email, so their person has two distinct ids.
Signed-up people upload and share files, export reports, invite colleagues and change plans.

Deterministic: for a given seed every event (uuid, name, distinct id, properties) is the
same; only the timestamps depend on the moment of seeding, so the demo always ends "now".
The same people, and :func:`live_events`, feed the live generator.
"""

from __future__ import annotations

import bisect
import itertools
import random
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from tui.server.store import events as store
from tui.server.store import persons

DEMO_SEED = 42
# Roughly this many events (sessions are whole, so the total lands near it): a busy month,
# and few enough that seeding stays near a second.
DEMO_EVENT_TARGET = 32_000
DEMO_DAYS = 30
IDENTIFIED_PEOPLE = 210
ANONYMOUS_PEOPLE = 130
# Of the identified people, this share signs up during the month (two distinct ids).
SIGNS_UP_IN_WINDOW = 0.45
# What a session averages (measured), to plan how many sessions make the target.
EVENTS_PER_SESSION = 6.6

HOST = "hedgebox.net"
WEB_LIB = ("web", "1.181.0")
SERVER_LIB = ("posthog-python", "3.7.0")

# Activity by UTC hour (a US + Europe audience) and by weekday (Monday first).
HOUR_WEIGHTS = (
    0.35, 0.3, 0.25, 0.2, 0.2, 0.25, 0.35, 0.5, 0.7, 0.85, 0.95, 1.0,
    1.05, 1.15, 1.3, 1.4, 1.4, 1.3, 1.15, 1.0, 0.85, 0.7, 0.55, 0.45,
)  # fmt: skip
WEEKDAY_WEIGHTS = (1.0, 1.05, 1.05, 1.0, 0.9, 0.5, 0.45)
# The newest day is this much busier than the oldest: a product that grows.
GROWTH = 0.3

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mateo",
    "Amelia", "Hiroshi", "Priya", "Kwame", "Zofia", "Lars", "Ines", "Tariq", "Mei", "Diego",
    "Fatima", "Jonas", "Aisha", "Pierre", "Sven", "Chloe", "Ravi", "Lena", "Omar", "Yuki",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Chen", "Müller", "Kowalski", "Okafor", "Tanaka", "Rossi", "Dubois",
    "Novak", "Patel", "Johansson", "Silva", "Kim", "Nguyen", "Cohen", "Ibrahim", "Larsen",
    "Moreau", "Schmidt", "Haddad", "Fernández", "O'Brien", "Costa", "Wójcik", "Yilmaz",
)  # fmt: skip
COMPANIES = (
    ("Northwind", "northwind.io"), ("Globex", "globex.com"), ("Initech", "initech.com"),
    ("Umbrella Health", "umbrella-health.org"), ("Stark Logistics", "starklogistics.co"),
    ("Acme Studio", "acme.studio"), ("Blue Fjord", "bluefjord.no"), ("Kumo Labs", "kumolabs.jp"),
    ("Pixel & Paper", "pixelpaper.design"), ("Gmail", "gmail.com"), ("Outlook", "outlook.com"),
)  # fmt: skip

# (weight, value) tables.
DEVICES = ((0.66, "Desktop"), (0.29, "Mobile"), (0.05, "Tablet"))
OS_BY_DEVICE = {
    "Desktop": ((0.46, "Mac OS X"), (0.44, "Windows"), (0.10, "Linux")),
    "Mobile": ((0.55, "iOS"), (0.45, "Android")),
    "Tablet": ((0.7, "iOS"), (0.3, "Android")),
}
BROWSERS_BY_OS = {
    "Mac OS X": ((0.5, "Chrome"), (0.36, "Safari"), (0.1, "Firefox"), (0.04, "Microsoft Edge")),
    "Windows": ((0.64, "Chrome"), (0.26, "Microsoft Edge"), (0.1, "Firefox")),
    "Linux": ((0.6, "Chrome"), (0.4, "Firefox")),
    "iOS": ((0.8, "Mobile Safari"), (0.2, "Chrome iOS")),
    "Android": ((0.78, "Chrome"), (0.22, "Samsung Internet")),
}
BROWSER_VERSIONS = {
    "Chrome": (124, 125, 126),
    "Safari": (17.4, 17.5),
    "Mobile Safari": (17.4, 17.5),
    "Firefox": (125, 126),
    "Microsoft Edge": (124, 125),
    "Chrome iOS": (125,),
    "Samsung Internet": (24,),
}
SCREENS = {"Desktop": (1440, 1920, 1536, 2560), "Mobile": (390, 393, 414), "Tablet": (820, 1024)}
REFERRERS = (
    (0.38, "$direct"), (0.3, "www.google.com"), (0.06, "news.ycombinator.com"), (0.05, "t.co"),
    (0.06, "www.linkedin.com"), (0.05, "duckduckgo.com"), (0.05, "github.com"),
    (0.05, "www.reddit.com"),
)  # fmt: skip
COUNTRIES = (
    (0.34, "US"), (0.1, "GB"), (0.1, "DE"), (0.06, "FR"), (0.08, "IN"), (0.06, "CA"),
    (0.05, "BR"), (0.04, "NL"), (0.04, "AU"), (0.04, "JP"), (0.05, "PL"),
)  # fmt: skip
PLANS = ((0.55, "free"), (0.25, "pro"), (0.15, "business"), (0.05, "enterprise"))
PLAN_PRICES = {"free": 0.0, "pro": 9.99, "business": 24.0, "enterprise": 499.0}

MARKETING_PAGES = (
    (0.3, "/"), (0.18, "/pricing"), (0.12, "/features"), (0.1, "/blog"),
    (0.06, "/blog/sharing-files-securely"), (0.05, "/blog/hedgebox-vs-dropbox"),
    (0.07, "/login"), (0.07, "/docs"), (0.05, "/about"),
)  # fmt: skip
APP_PAGES = (
    (0.34, "/files"), (0.14, "/files/projects"), (0.08, "/files/photos"), (0.1, "/shared"),
    (0.09, "/reports"), (0.07, "/activity"), (0.07, "/account/settings"),
    (0.06, "/account/team"), (0.05, "/account/billing"),
)  # fmt: skip
CLICK_TEXTS = {
    "/": ("Get started", "Pricing", "Log in", "Watch demo"),
    "/pricing": ("Start free trial", "Compare plans", "Contact sales"),
    "/files": ("Upload", "New folder", "Share", "Download", "Rename"),
    "/shared": ("Copy link", "Remove access", "Open"),
    "/reports": ("Export", "Date range", "Refresh"),
    "/account/team": ("Invite", "Change role", "Remove"),
    "/account/billing": ("Upgrade", "Change plan", "Update card"),
}
DEFAULT_CLICK_TEXTS = ("Save", "Cancel", "Next", "Search", "Close")
DOM_EVENT_TYPES = ((0.9, "click"), (0.06, "submit"), (0.04, "change"))
FILE_TYPES = (
    (0.3, "pdf"),
    (0.25, "png"),
    (0.15, "jpg"),
    (0.15, "xlsx"),
    (0.1, "csv"),
    (0.05, "zip"),
)
EXPORT_FORMATS = ((0.5, "csv"), (0.3, "pdf"), (0.2, "xlsx"))
INVITEE_ROLES = ((0.8, "member"), (0.2, "admin"))
SIGNUP_METHODS = ((0.55, "email"), (0.3, "google"), (0.15, "github"))


@lru_cache(maxsize=128)
def _cumulative(table: tuple[tuple[float, Any], ...]) -> tuple[list[float], list[Any]]:
    return list(itertools.accumulate(weight for weight, _ in table)), [v for _, v in table]


def _pick(rng: random.Random, table: tuple[tuple[float, Any], ...]) -> Any:
    """A value of a ``(weight, value)`` table, drawn by weight."""
    bounds, values = _cumulative(table)
    return values[min(bisect.bisect_right(bounds, rng.random() * bounds[-1]), len(values) - 1)]


def random_uuid(rng: random.Random) -> str:
    """A random (version 4) UUID from ``rng``; spelt out by hand because uuid.UUID is slow
    enough to show when seeding."""
    value = rng.getrandbits(128) & ~(0xF000 << 64) & ~(0xC000 << 48)
    text = f"{value | (0x4000 << 64) | (0x8000 << 48):032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def _sdk_id(rng: random.Random) -> str:
    """An anonymous id as posthog-js makes it: a UUIDv7 (fixed epoch so it is deterministic)."""
    millis = 1_717_200_000_000 + rng.randrange(120 * 86_400_000)
    value = (millis << 80) | (0x7 << 76) | rng.getrandbits(76)
    value = (value & ~(0xC << 60)) | (0x8 << 60)  # the RFC 4122 variant bits
    return str(uuid.UUID(int=value))


# --------------------------------------------------------------------------- people


@dataclass(frozen=True)
class DemoPerson:
    """Someone in the demo, with the device they use and how active they are."""

    uuid: str
    distinct_id: str  # the id their events carry once known (email, user id) or anonymous id
    anon_id: str | None  # the anonymous id they had before signing up during the month
    signs_up_at: float | None  # when, as a fraction of the month; None: before the month
    identified: bool
    properties: dict[str, Any]
    device: str
    os: str
    browser: str
    browser_version: float | int
    screen_width: int
    country: str
    plan: str | None
    is_trial: bool
    activity: float
    days_known: float  # how long before "now" the person was first seen

    @property
    def distinct_ids(self) -> tuple[str, ...]:
        return (self.anon_id, self.distinct_id) if self.anon_id else (self.distinct_id,)


@lru_cache(maxsize=4)
def demo_people(seed: int = DEMO_SEED) -> tuple[DemoPerson, ...]:
    """The demo's people, the same for a given seed (independent of the events' randomness)."""
    rng = random.Random(f"hogtree-demo-people-{seed}")
    people: list[DemoPerson] = []
    emails: set[str] = set()
    for index in range(IDENTIFIED_PEOPLE + ANONYMOUS_PEOPLE):
        identified = index < IDENTIFIED_PEOPLE
        device = _pick(rng, DEVICES)
        os = _pick(rng, OS_BY_DEVICE[device])
        browser = _pick(rng, BROWSERS_BY_OS[os])
        country = _pick(rng, COUNTRIES)
        referrer = _pick(rng, REFERRERS)
        properties: dict[str, Any] = {
            "$initial_browser": browser,
            "$initial_os": os,
            "$initial_referring_domain": referrer,
            "$geoip_country_code": country,
        }
        plan: str | None = None
        is_trial = False
        anon_id: str | None = None
        signs_up_at: float | None = None
        if identified:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            company, domain = rng.choice(COMPANIES)
            email = _email(first, last, domain, emails)
            style = rng.random()
            if style < 0.65:
                distinct_id = email
            elif style < 0.85:
                distinct_id = str(rng.randrange(10_000, 99_999))
            else:
                distinct_id = "usr_" + "".join(
                    rng.choices(
                        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", k=12
                    )
                )
            plan = _pick(rng, PLANS)
            is_trial = plan in ("pro", "business") and rng.random() < 0.3
            properties.update(email=email, name=f"{first} {last}", plan=plan)
            if company not in ("Gmail", "Outlook"):
                properties["company"] = company
            if rng.random() < SIGNS_UP_IN_WINDOW:
                anon_id = _sdk_id(rng)
                signs_up_at = rng.uniform(0.05, 0.9)
        else:
            distinct_id = _sdk_id(rng)
        activity = min(12.0, rng.paretovariate(1.4)) * (1.0 if identified else 0.45)
        days_known = (
            DEMO_DAYS * (1 - signs_up_at)
            if signs_up_at is not None
            else rng.uniform(DEMO_DAYS, 400)
            if identified
            else rng.uniform(1, DEMO_DAYS)
        )
        people.append(
            DemoPerson(
                uuid=random_uuid(rng),
                distinct_id=distinct_id,
                anon_id=anon_id,
                signs_up_at=signs_up_at,
                identified=identified,
                properties=properties,
                device=device,
                os=os,
                browser=browser,
                browser_version=rng.choice(BROWSER_VERSIONS[browser]),
                screen_width=rng.choice(SCREENS[device]),
                country=country,
                plan=plan,
                is_trial=is_trial,
                activity=activity,
                days_known=days_known,
            )
        )
    return tuple(people)


def _email(first: str, last: str, domain: str, taken: set[str]) -> str:
    local = f"{first}.{last}".lower()
    local = "".join(c for c in local.translate(_ASCII) if c.isalnum() or c == ".")
    for n in itertools.count(1):
        email = f"{local}{n if n > 1 else ''}@{domain}"
        if email not in taken:
            taken.add(email)
            return email
    raise AssertionError("unreachable")


_ASCII = str.maketrans("üóáéíñ", "uoaein")


# --------------------------------------------------------------------------- sessions


@dataclass
class _State:
    """What changes about a person as the month goes by."""

    plan: str | None
    is_trial: bool
    signed_up: bool


# (seconds into the session, distinct id, event name, properties, the properties as JSON)
Step = tuple[float, str, str, dict[str, Any], str]


class _Session:
    """One visit: builds its events in order with their offsets in seconds."""

    def __init__(
        self, rng: random.Random, person: DemoPerson, state: _State, distinct_id: str
    ) -> None:
        self.rng = rng
        self.person = person
        self.state = state
        self.distinct_id = distinct_id
        self.clock = 0.0
        self.pathname = "/"
        self.page_started = 0.0
        self.steps: list[Step] = []
        referrer = _pick(rng, REFERRERS)
        self.web: dict[str, Any] = {
            "$browser": person.browser,
            "$browser_version": person.browser_version,
            "$os": person.os,
            "$device_type": person.device,
            "$screen_width": person.screen_width,
            "$host": HOST,
            "$referring_domain": referrer,
            "$referrer": "$direct" if referrer == "$direct" else f"https://{referrer}/",
            "$geoip_country_code": person.country,
            "$lib": WEB_LIB[0],
            "$lib_version": WEB_LIB[1],
            "$session_id": _sdk_id(rng),
        }
        # Every web event of the session shares these: encode them once (the JSON without
        # its closing brace), which halves the time seeding spends encoding.
        self.web_json = store.encode_properties(self.web)[:-1]

    def _plan_properties(self) -> dict[str, Any]:
        if self.state.plan is None:
            return {}
        return {"plan": self.state.plan, "is_trial": self.state.is_trial}

    def add(self, event: str, properties: dict[str, Any], *, web: bool = True) -> None:
        # Nothing happens in the same microsecond twice: SDKs stamp events a moment apart.
        self.clock += self.rng.uniform(0.02, 0.4)
        own = {**self._plan_properties(), **properties}
        if web:
            # An event's own keys never repeat a session key, so the two JSON halves join.
            merged = {**self.web, **own}
            encoded = f"{self.web_json},{store.encode_properties(own)[1:]}"
        else:
            merged = {"$lib": SERVER_LIB[0], "$lib_version": SERVER_LIB[1], **own}
            encoded = store.encode_properties(merged)
        self.steps.append((self.clock, self.distinct_id, event, merged, encoded))

    def wait(self, median_s: float) -> float:
        pause = self.rng.lognormvariate(0, 0.8) * median_s
        self.clock += pause
        return pause

    def page(self, pathname: str) -> None:
        self.add("$pageview", {"$current_url": f"https://{HOST}{pathname}", "$pathname": pathname})
        self.pathname = pathname
        self.page_started = self.clock
        for _ in range(self.rng.choice((0, 0, 1, 1, 1, 2))):
            self.wait(6)
            self.click()
        self._page_event(pathname)
        self.wait(20)

    def click(self, text: str | None = None) -> None:
        section = "/files" if self.pathname.startswith("/files") else self.pathname
        texts = CLICK_TEXTS.get(section, DEFAULT_CLICK_TEXTS)
        self.add(
            "$autocapture",
            {
                "$current_url": f"https://{HOST}{self.pathname}",
                "$pathname": self.pathname,
                "$event_type": _pick(self.rng, DOM_EVENT_TYPES),
                "$el_text": text or self.rng.choice(texts),
            },
        )

    def leave(self) -> None:
        self.add(
            "$pageleave",
            {
                "$current_url": f"https://{HOST}{self.pathname}",
                "$pathname": self.pathname,
                "duration_ms": int((self.clock - self.page_started) * 1000),
            },
        )

    def _page_event(self, pathname: str) -> None:
        rng = self.rng
        roll = rng.random()
        here = {"$current_url": f"https://{HOST}{pathname}", "$pathname": pathname}
        if pathname.startswith("/files") and roll < 0.4:
            self.wait(8)
            self.add(
                "file_uploaded",
                {
                    **here,
                    "file_type": _pick(rng, FILE_TYPES),
                    "file_size_bytes": int(rng.lognormvariate(13, 1.5)),
                    "duration_ms": int(rng.lognormvariate(7, 0.9)),
                },
            )
        elif pathname == "/shared" and roll < 0.3:
            self.add("file_shared", {**here, "share_type": rng.choice(("link", "email", "team"))})
        elif pathname == "/reports" and roll < 0.45:
            self.wait(5)
            self.add(
                "report_exported",
                {
                    **here,
                    "format": _pick(rng, EXPORT_FORMATS),
                    "row_count": rng.randrange(10, 50_000),
                    "duration_ms": int(rng.lognormvariate(7.5, 0.8)),
                },
            )
        elif pathname == "/account/team" and roll < 0.4:
            self.add(
                "invite_sent",
                {
                    **here,
                    "invitee_role": _pick(rng, INVITEE_ROLES),
                    "invites_count": rng.randint(1, 4),
                },
            )
        elif pathname == "/account/billing" and roll < 0.25:
            self._billing()

    def _billing(self) -> None:
        """A server-side event: no browser properties, the backend's library."""
        state, rng = self.state, self.rng
        previous = state.plan or "free"
        if previous == "free" or state.is_trial:
            plan = previous if state.is_trial else rng.choice(("pro", "pro", "business"))
            state.plan, state.is_trial = plan, False
            self.wait(3)
            self.add(
                "subscription_started",
                {
                    "plan": plan,
                    "previous_plan": previous,
                    "amount": PLAN_PRICES[plan],
                    "currency": "USD",
                    "billing_period": rng.choice(("monthly", "monthly", "annual")),
                    "is_trial": False,
                },
                web=False,
            )
            return
        plan = rng.choice([p for p in ("free", "pro", "business", "enterprise") if p != previous])
        state.plan = plan
        self.wait(3)
        self.add(
            "plan_changed",
            {
                "plan": plan,
                "previous_plan": previous,
                "amount": PLAN_PRICES[plan],
                "currency": "USD",
                "is_trial": False,
            },
            web=False,
        )

    def browse(self, pages: tuple[tuple[float, str], ...], count: int) -> None:
        for _ in range(count):
            self.page(_pick(self.rng, pages))

    def sign_up(self, person: DemoPerson) -> None:
        """From the signup page to the app, switching to the person's real distinct id."""
        assert person.anon_id is not None
        self.page("/signup")
        self.click("Sign up")
        self.wait(2)
        self.distinct_id = person.distinct_id
        self.add("$identify", {"$anon_distinct_id": person.anon_id})
        self.state.signed_up = True
        self.state.plan, self.state.is_trial = "free", False
        self.add("signed_up", {"signup_method": _pick(self.rng, SIGNUP_METHODS)})
        self.wait(3)

    def finish(self) -> list[Step]:
        if self.rng.random() < 0.85:
            self.wait(15)
            self.leave()
        return self.steps


def _session_steps(
    rng: random.Random, person: DemoPerson, state: _State, moment: float | None
) -> list[Step]:
    """A session of ``person`` at ``moment`` (a fraction of the month; None for live)."""
    pages = 1 + min(8, int(rng.expovariate(1 / 2.2)))
    if person.anon_id and not state.signed_up and moment is not None:
        # Before signing up they only know the marketing site, under their anonymous id.
        session = _Session(rng, person, state, person.anon_id)
        signing_up = person.signs_up_at is not None and moment >= person.signs_up_at
        session.browse(MARKETING_PAGES, pages if not signing_up else max(1, pages // 2))
        if signing_up:
            session.sign_up(person)
            session.browse(APP_PAGES, max(1, pages // 2))
        return session.finish()
    session = _Session(rng, person, state, person.distinct_id)
    if person.identified:
        if rng.random() < 0.15:
            session.browse(MARKETING_PAGES, 1)
        session.browse(APP_PAGES, pages)
    else:
        session.browse(MARKETING_PAGES, pages)
    return session.finish()


# --------------------------------------------------------------------------- timing


def _hour_buckets(now: datetime, days: int) -> list[float]:
    """Cumulative weights of each hour of the month, oldest first: the activity rhythm."""
    hours = days * 24
    cumulative: list[float] = []
    total = 0.0
    for back in range(hours - 1, -1, -1):
        middle = now - timedelta(hours=back + 0.5)
        growth = 1 + GROWTH * (1 - back / hours)
        total += HOUR_WEIGHTS[middle.hour] * WEEKDAY_WEIGHTS[middle.weekday()] * growth
        cumulative.append(total)
    return cumulative


def _moment(cumulative: list[float], now: datetime, share: float, within: float) -> datetime:
    """The moment at quantile ``share`` of the month's activity (``within``: where in the hour)."""
    index = min(bisect.bisect_right(cumulative, share * cumulative[-1]), len(cumulative) - 1)
    hours_back = len(cumulative) - index - within
    return now - timedelta(microseconds=int(hours_back * 3_600_000_000))


# --------------------------------------------------------------------------- the demo


def demo_events(seed: int = DEMO_SEED, now: datetime | None = None) -> list[store.NewEvent]:
    """A month of events up to ``now``: identical for a given ``seed`` and ``now``, and for a
    given seed identical but for their timestamps whatever ``now`` is."""
    now = now or datetime.now(UTC)
    people = demo_people(seed)
    rng = random.Random(f"hogtree-demo-events-{seed}")
    weights = list(itertools.accumulate(person.activity for person in people))
    # Draw every session's place in the month first, so they can be played in order.
    sessions: list[tuple[float, float, int]] = []
    for _ in range(round(DEMO_EVENT_TARGET / EVENTS_PER_SESSION)):
        who = min(bisect.bisect_right(weights, rng.random() * weights[-1]), len(people) - 1)
        sessions.append((rng.random(), rng.random(), who))
    sessions.sort()
    # People who sign up during the month have no plan until they do.
    states = [
        _State(None, False, False)
        if p.signs_up_at is not None
        else _State(p.plan, p.is_trial, True)
        for p in people
    ]
    cumulative = _hour_buckets(now, DEMO_DAYS)
    out: list[store.NewEvent] = []
    for share, within, index in sessions:
        person = people[index]
        steps = _session_steps(rng, person, states[index], share)
        end = _moment(cumulative, now, share, within)
        last = steps[-1][0]
        for seconds, distinct_id, event, properties, encoded in steps:
            out.append(
                store.NewEvent(
                    event=event,
                    distinct_id=distinct_id,
                    timestamp=end - timedelta(microseconds=int((last - seconds) * 1_000_000)),
                    properties=properties,
                    uuid=random_uuid(rng),
                    encoded=encoded,
                )
            )
    return out


def seed_demo_events(
    conn: sqlite3.Connection, project_id: int, seed: int = DEMO_SEED, now: datetime | None = None
) -> int:
    """Give ``project_id`` the demo's people and a month of their events (inside the
    caller's transaction); answers how many events were stored."""
    now = now or datetime.now(UTC)
    create_demo_people(conn, project_id, seed, now)
    return store.insert_events(conn, project_id, demo_events(seed, now))


def create_demo_people(conn: sqlite3.Connection, project_id: int, seed: int, now: datetime) -> None:
    """Store the demo's people in ``project_id``, each known since some days before ``now``."""
    for person in demo_people(seed):
        persons.create_person(
            conn,
            project_id,
            person.distinct_ids,
            properties=person.properties,
            created_at=now - timedelta(days=person.days_known),
            person_uuid=person.uuid,
            is_identified=person.identified,
        )


def live_events(
    rng: random.Random, count: int, start: datetime, end: datetime, seed: int = DEMO_SEED
) -> list[store.NewEvent]:
    """``count`` realistic events by the demo's people, spread evenly over (start, end]."""
    people = demo_people(seed)
    steps: list[Step] = []
    while len(steps) < count:
        person = rng.choices(people, weights=[p.activity for p in people])[0]
        state = _State(person.plan, person.is_trial, signed_up=True)
        steps.extend(_session_steps(rng, person, state, None))
    span = (end - start) / max(count, 1)
    return [
        store.NewEvent(
            event=event,
            distinct_id=distinct_id,
            timestamp=start + span * (index + 1),
            properties=properties,
            uuid=random_uuid(rng),
        )
        for index, (_, distinct_id, event, properties, _encoded) in enumerate(steps[:count])
    ]
