"""The local PostHog-compatible server: a FastAPI app over one SQLite file."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from tui import __version__
from tui.server import openapi
from tui.server.auth import Authenticator
from tui.server.errors import ApiProblem, method_not_allowed, not_found, problem_for
from tui.server.export_jobs import ExportJobs
from tui.server.http import allowed_methods, request_validation_problem
from tui.server.insight_results import ResultCache
from tui.server.latency import AddedLatency
from tui.server.live_events import LiveEvents
from tui.server.middleware import CaptureCors, CatchUnexpectedErrors, LimitRequestSize
from tui.server.routes import accounts as accounts_routes
from tui.server.routes import (
    capture,
    capture_ai,
    capture_v1,
    evaluations,
    events,
    exports,
    file_system,
    health,
    insights,
    query,
    shortcuts,
    view_log,
)
from tui.server.settings import ApiKeySpec, ScaleSeed, ServerSettings, key_label
from tui.server.store import accounts
from tui.server.store.db import Database
from tui.server.store.errors import StoreError
from tui.server.store.file_system import now

log = logging.getLogger("hogtree.server")

# Every resource answers under both prefixes, as PostHog's does.
PROJECT_PREFIXES = ("/api/projects/{project_id}", "/api/environments/{project_id}")


def _problem_response(problem: ApiProblem) -> JSONResponse:
    return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)


def user_for_spec(conn: sqlite3.Connection, spec: ApiKeySpec, index: int) -> int:
    """The user key ``spec`` (the ``index``-th) acts as.

    Every key is its own user (made the first time the key is seen), so that callers with
    different keys stay apart, as tests need. The demo's own keys are the exception: the
    embedded demo makes a new key on every run, and ``hogtree serve`` prints a new one each
    time, so a user per key would lose the demo's Recents and Shortcuts on every start and
    never see what the seed recorded. Those keys (``as_demo_owner``) act as the demo's
    seeded owner instead, so views and shortcuts carry over from run to run; on a database
    that was not seeded with the demo there is no owner, and they are keys like any other.
    """
    if spec.as_demo_owner:
        owner = accounts.demo_owner(conn)
        if owner is not None:
            return owner
    return accounts.user_for_key(conn, spec.key, key_label(index))


def prepare_database(settings: ServerSettings) -> tuple[Database, Authenticator]:
    """Open (and on first use, seed) the database; give each key its user.

    The projects served are those of the database: the settings' ones are made if missing,
    and the demo's seed adds a second project of its own.
    """
    db = Database(settings.db_path)
    with db.write() as conn:
        is_new = not accounts.project_ids(conn)
        for project_id in settings.projects:
            accounts.ensure_project(conn, project_id, f"Project {project_id}", now())
        if is_new and settings.seed == "demo" and 1 in settings.projects:
            # Imported only to seed: the demo's data modules are not needed to serve.
            from tui.server import seed

            seed.seed_demo(conn, project_id=1)
        if is_new and isinstance(settings.seed, ScaleSeed) and 1 in settings.projects:
            from tui.server.seed_scale import seed_scale  # only for this seed: keep startup lean

            seed_scale(conn, 1, settings.seed)
        keys = [
            (spec, user_for_spec(conn, spec, index))
            for index, spec in enumerate(settings.keys, start=1)
        ]
        served = accounts.project_ids(conn)
    return db, Authenticator(keys, served)


def create_app(settings: ServerSettings) -> FastAPI:
    db, authenticator = prepare_database(settings)
    export_jobs = ExportJobs(db, delay=settings.export_delay)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        live = None
        if settings.live_events_per_minute > 0:
            live = LiveEvents(db, settings.live_events_per_minute, settings.projects)
            live.start()
        app.state.live_events = live
        yield
        if live is not None:
            live.stop()  # before the database closes under it
        export_jobs.shutdown()  # before the database closes under a running export
        db.close()

    app = FastAPI(
        title="hogtree local PostHog server",
        version=__version__,
        description="A local server implementing PostHog's file_system API, for hogtree.",
        lifespan=lifespan,
        redirect_slashes=False,
    )
    app.state.db = db
    app.state.authenticator = authenticator
    app.state.settings = settings
    app.state.export_jobs = export_jobs
    app.state.insight_results = ResultCache()
    # The local server keeps no record of its keys: a key is as old as the server's run.
    app.state.started_at = now()

    app.include_router(health.router)
    app.include_router(capture.router)
    app.include_router(capture_v1.router)
    app.include_router(capture_ai.router)
    app.include_router(accounts_routes.router)
    for index, prefix in enumerate(PROJECT_PREFIXES):
        documented = index == 0  # one copy of each route in the OpenAPI schema is enough
        # view_log before file_system: `file_system/log_view` is not an entry's id.
        for module in (
            view_log,
            file_system,
            shortcuts,
            evaluations,
            events,
            exports,
            insights,
            query,
        ):
            app.include_router(module.router, prefix=prefix, include_in_schema=documented)

    _install_error_handlers(app, authenticator)
    openapi.install(app)
    app.add_middleware(LimitRequestSize)
    capture_paths = (
        *capture.CAPTURE_PATHS,
        capture_v1.PATH,
        capture_ai.PATH,  # rust/capture layers its CORS over every route, the AI ones too
        capture_ai.BATCH_PATH,
    )
    app.add_middleware(CaptureCors, paths=frozenset(capture_paths))
    if settings.latency_ms > 0:
        app.add_middleware(AddedLatency, latency_ms=settings.latency_ms)
    app.add_middleware(CatchUnexpectedErrors)  # added last, so outermost
    return app


def _install_error_handlers(app: FastAPI, authenticator: Authenticator) -> None:
    @app.exception_handler(ApiProblem)
    async def api_problem(request: Request, exc: ApiProblem) -> Response:
        return _problem_response(exc)

    @app.exception_handler(StoreError)
    async def store_refusal(request: Request, exc: StoreError) -> Response:
        return _problem_response(problem_for(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_problem(request: Request, exc: RequestValidationError) -> Response:
        return _problem_response(request_validation_problem(list(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_problem(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            # PostHog authenticates before it looks at the method.
            if request.url.path.startswith("/api/"):
                try:
                    authenticator.authenticate(request)
                except ApiProblem as problem:
                    return _problem_response(problem)
            allowed = allowed_methods(request.url.path) | {"OPTIONS"}
            return _problem_response(method_not_allowed(request.method, ", ".join(sorted(allowed))))
        if exc.status_code == 404:
            return _problem_response(not_found())
        return JSONResponse(
            {"type": "invalid_request", "code": "error", "detail": str(exc.detail), "attr": None},
            status_code=exc.status_code,
        )
