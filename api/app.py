"""The FastAPI app factory: search, talks, transcripts and media."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import FastAPI, Query, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from ingest import catalog as cat
from ingest import formats, meili
from ingest import search as search_mod
from ingest import transcript as tr
from ingest.errors import NotFound, SearchUnavailable
from ingest.settings import Settings

from . import errors


def talk_json(talk: cat.Talk) -> dict[str, Any]:
    data = talk.public_dict()
    base = f"/api/talks/{talk.id}"
    data.update(
        media_url=f"{base}/media",
        poster_url=f"{base}/poster.jpg" if talk.poster_path else None,
        captions_url=f"{base}/transcript.vtt",
        url=f"/talks/{talk.id}",
    )
    return data


def content_disposition(title: str, ext: str) -> str:
    """RFC 6266 with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    name = f"{title}.{ext}"
    ascii_name = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_"
                         for c in name)
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.catalog = cat.Catalog(settings)
        app.state.meili = meili.MeiliClient(settings.meili_url, meili.master_key(settings))
        try:
            yield
        finally:
            app.state.meili.close()
            app.state.catalog.dispose()

    app = FastAPI(title="talkarchive", version="0.1.0", lifespan=lifespan)
    errors.install(app)

    def visible_talk(request: Request, talk_id: str) -> cat.Talk:
        talk = request.app.state.catalog.get(talk_id)
        if talk is None or talk.status != "ready" or not talk.published:
            raise NotFound(f"no talk {talk_id!r}")
        return talk

    @app.get("/api/health")
    def health(request: Request) -> dict[str, str]:
        request.app.state.catalog.talks([])
        if not request.app.state.meili.healthy():
            raise SearchUnavailable("Meilisearch does not answer")
        return {"status": "ok"}

    @app.get("/api/search")
    async def search(
        request: Request,
        q: Annotated[str, Query(max_length=search_mod.MAX_QUERY)] = "",
        event: str | None = None,
        year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
        town: str | None = None,
        speaker: str | None = None,
        language: str | None = None,
        page: Annotated[int, Query(ge=1, le=1000)] = 1,
    ) -> dict[str, Any]:
        filters = search_mod.Filters(event, year, town, speaker, language)
        return await run_in_threadpool(
            search_mod.search, settings, request.app.state.meili, request.app.state.catalog,
            q, filters, page,
        )

    @app.get("/api/talks")
    def list_talks(request: Request,
                   page: Annotated[int, Query(ge=1, le=10000)] = 1) -> dict[str, Any]:
        talks = [t for t in request.app.state.catalog.talks() if t.published
                 and t.status == "ready"]
        chunk = talks[(page - 1) * 50 : page * 50]
        return {"total": len(talks), "page": page, "talks": [talk_json(t) for t in chunk]}

    @app.get("/api/talks/{talk_id}")
    def get_talk(request: Request, talk_id: str) -> dict[str, Any]:
        return talk_json(visible_talk(request, talk_id))

    @app.get("/api/talks/{talk_id}/transcript.{fmt}")
    def transcript(request: Request, talk_id: str, fmt: str) -> Response:
        if fmt not in formats.FORMATS:
            raise NotFound(f"no export format {fmt!r}; use one of {', '.join(formats.FORMATS)}")
        talk = visible_talk(request, talk_id)
        data = formats.render(tr.load(settings.transcripts_dir / f"{talk.id}.json"),
                              talk.public_dict(), fmt)
        headers = {"Content-Disposition": content_disposition(talk.title, fmt)}
        if fmt == "vtt":
            headers["Content-Disposition"] = headers["Content-Disposition"].replace(
                "attachment", "inline")
        return Response(data.encode("utf-8"), media_type=formats.FORMATS[fmt], headers=headers)

    @app.get("/api/talks/{talk_id}/media")
    def media(request: Request, talk_id: str) -> FileResponse:
        talk = visible_talk(request, talk_id)
        path = Path(talk.media_path)
        kind = "video/mp4" if talk.has_video else "audio/mp4"
        return FileResponse(path, media_type=kind,
                            headers={"Cache-Control": "public, max-age=3600"})

    @app.get("/api/talks/{talk_id}/poster.jpg")
    def poster(request: Request, talk_id: str) -> FileResponse:
        talk = visible_talk(request, talk_id)
        if not talk.poster_path:
            raise NotFound("this talk has no poster")
        return FileResponse(talk.poster_path, media_type="image/jpeg",
                            headers={"Cache-Control": "public, max-age=86400"})

    return app
