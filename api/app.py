"""The FastAPI app factory: the archive's parts on ``app.state`` (reached through
``api.deps``), the routers of ``api.routes`` and the pages, one error shape (``api.errors``),
and ``/docs`` served from this machine by ``fastapi-offline`` (Swagger UI from its wheel)."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline

from archive import catalog as cat
from archive.queue import Queue
from archive.search import meaning, server
from archive.settings import Settings

from . import admin, errors, event_pages, pages, signin
from .headers import SecurityHeaders
from .routes import ROUTERS

log = logging.getLogger(__name__)


def _warm(settle: bool) -> None:
    """Search by meaning's model, loaded beside the start-up; a failure is the first query's
    to report (in the one error shape), not the start-up's."""
    try:
        meaning.warm()
    except Exception as exc:  # noqa: BLE001 - logged; the first query meets it again
        log.warning("search by meaning did not load at start-up: %s", exc)
    if settle:
        gc.freeze()  # the model's vocabulary too: it lives as long as the process


def _settled() -> None:
    """What the start-up loaded lives as long as the process: moved where the cyclic garbage
    collector no longer walks it (``gc.freeze``, after one collection so that no garbage is
    kept). A full collection walked all of it, and came due every few hundred searches: in
    one, at a million segments, it stalled a search by meaning for 40 ms (in process, 216
    questions, one full collection), and with the app and the model's vocabulary loaded (214,000
    objects) a full collection takes 53-73 ms on an idle 2-core machine. The requests' own
    objects are collected as before."""
    gc.collect()
    gc.freeze()


def app_from_environment() -> FastAPI:
    """For ``serve --workers N``: each API process reads the settings from the environment."""
    return create_app(Settings(), settle=True)


def create_app(settings: Settings, *, settle: bool = False) -> FastAPI:
    """The app; ``settle``: a server's, whose start-up objects leave the garbage collector's
    walks (:func:`_settled`; not in tests, which start many apps in one process)."""
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.catalog = cat.Catalog(settings)
        app.state.search = server.client_for(settings)
        app.state.queue = Queue(settings)
        app.state.signin_limiter = signin.Limiter()
        if settings.semantic:
            # not a daemon: an exit waits the second it takes instead of unloading the model
            # under it
            threading.Thread(target=_warm, args=(settle,), name="meaning-warm-up").start()
        if settle:
            _settled()
        try:
            yield
        finally:
            app.state.catalog.dispose()

    app = FastAPIOffline(
        title="talkarchive",
        version="0.1.0",
        description="Conference recordings with timestamped German transcripts: search every "
        "talk and jump to the second a word was said.",
        lifespan=lifespan,
        redoc_url=None,
        static_url="/docs/assets",
    )
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.include_router(pages.router)
    app.include_router(event_pages.router)
    app.include_router(admin.router)
    app.mount("/static", StaticFiles(directory=str(pages.WEB / "static")), name="static")
    app.add_middleware(SecurityHeaders, embed_ancestors=settings.embed_ancestors)
    return app
