"""The FastAPI app factory. Routes live in ``api.routes``; one error shape in ``api.errors``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from ingest import catalog as cat
from ingest import meili
from ingest.queue import Queue
from ingest.settings import Settings

from . import admin, docs, errors, pages, routes, staff


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.catalog = cat.Catalog(settings)
        app.state.meili = meili.MeiliClient(settings.meili_url, meili.master_key(settings))
        app.state.queue = Queue(settings)
        try:
            yield
        finally:
            app.state.meili.close()
            app.state.catalog.dispose()

    app = FastAPI(
        title="talkarchive",
        version="0.1.0",
        description="Conference recordings with timestamped German transcripts: search every "
        "talk and jump to the second a word was said.",
        lifespan=lifespan,
        docs_url=None,  # api.docs serves Swagger UI from this machine
        redoc_url=None,
    )
    errors.install(app)
    app.include_router(routes.router)
    app.include_router(staff.router)
    app.include_router(pages.router)
    app.include_router(admin.router)
    app.include_router(docs.router)
    app.mount("/static", StaticFiles(directory=str(pages.WEB / "static")), name="static")
    return app
