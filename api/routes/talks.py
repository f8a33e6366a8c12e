"""Talks: the public list and details; for staff, uploads, changes to the details
(publish/unpublish), corrections of a sentence, and deletion (GDPR)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from archive import details, edits, jobs
from archive.catalog import Catalog
from archive.clock import now_iso
from archive.details import TEXT, TalkChanges, TalkDetails
from archive.errors import InputError, QueueUnavailable, SearchUnavailable
from archive.paths import talk_id_for
from archive.search.client import SearchClient
from archive.search.outbox import drain_outbox
from archive.search.query import Filters
from archive.settings import Settings
from ingest import dayrecording, media

from .. import schemas
from ..deps import CatalogDep, MaybeStaff, QueueDep, SearchDep, SettingsDep, Staff
from ..presenters import talk_json, visible_talk
from ..uploads import receive
from .jobs import Job
from .search import FilterText, Language, Year

router = APIRouter()


class Accepted(BaseModel):
    talk_id: str | None
    job: Job


class Correction(BaseModel):
    text: str = Field(max_length=edits.MAX_SEGMENT_TEXT, pattern=r"\S",
                      description="The sentence as it was said (not empty)")


@router.get("/api/talks", response_model=schemas.TalkList, responses=schemas.ERRORS)
def list_talks(
    catalog: CatalogDep,
    who: MaybeStaff,
    event: FilterText = None,
    year: Year = None,
    town: FilterText = None,
    speaker: FilterText = None,
    language: Language = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> dict[str, Any]:
    """Published talks, newest first."""
    filters = Filters(event, year, town, speaker, language)
    total, talks = catalog.list_talks(filters, page, per_page, staff=who is not None)
    return {"total": total, "page": page, "per_page": per_page,
            "talks": [talk_json(t) for t in talks]}


@router.get("/api/talks/{talk_id}", response_model=schemas.Talk, responses=schemas.ERRORS)
def get_talk(request: Request, talk_id: str) -> dict[str, Any]:
    """A talk's metadata, duration and links."""
    return talk_json(visible_talk(request, talk_id))


def index_now(settings: Settings, client: SearchClient, catalog: Catalog) -> bool:
    """Apply the outbox now; False when Meilisearch is down (the outbox keeps the change)."""
    try:
        drain_outbox(settings, client, catalog)
    except SearchUnavailable:
        return False
    return True


def form_details(fields: dict[str, list[str]]) -> TalkDetails:
    """The upload form's fields as talk details (lists comma or line separated)."""
    data: dict[str, Any] = {name: (fields.get(name) or [""])[0]
                            for name in ("title", "event", "date", "town", "language", "description")}
    data["speakers"] = [s for v in fields.get("speakers", []) + fields.get("speaker", [])
                        for s in details.split_list(v)]
    data["glossary"] = [g for v in fields.get("glossary", []) for g in details.split_list(v)]
    published = (fields.get("published") or ["true"])[0].strip().lower() or "true"
    data["published"] = published not in ("false", "0", "no", "off")
    return details.parse(data)


def _field(limit: int, description: str | None = None) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "string", "maxLength": limit, "pattern": TEXT}
    return {**field, "description": description} if description else field


# the upload form as the server reads it: each value at most uploads.MAX_FIELD_BYTES (so a
# description of up to 2,500 characters of any script), lists split at commas or new lines
UPLOAD_FORM: dict[str, Any] = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "The recording"},
    "title": _field(500), "event": _field(500), "town": _field(200),
    "date": {"type": "string", "anyOf": [{"format": "date"}, {"pattern": r"^\s*$"}],
             "description": "YYYY-MM-DD"},
    "speakers": _field(100, "Names separated by commas"),
    "language": {"type": "string", "pattern": r"^\s*([a-z]{2,3})?\s*$"},
    "description": _field(2500),
    "glossary": _field(100, "Names and terms separated by commas"),
    "published": {"type": "string", "maxLength": 10, "description": "false, 0, no or off: "
                  "unpublished; anything else: published"},
    "room": _field(200, "A room's day recording: cut it into that room's talks of the "
                   "programme"),
    "starts_at": {"type": "string", "maxLength": 40, "description": "With room: when the "
                  "recording started, e.g. 2025-09-18T09:00+02:00 (a local time is taken in "
                  "the event's time zone; default: the file's creation_time)"}}}


@router.post("/api/talks", status_code=202, response_model=Accepted, responses={
    **schemas.STAFF_ERRORS, 413: {"model": schemas.ErrorResponse, "description": "Too large"},
    415: {"model": schemas.ErrorResponse, "description": "Not multipart/form-data"},
    422: {"model": schemas.ErrorResponse, "description": "Not usable media"}},
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": UPLOAD_FORM}}}})
async def upload(request: Request, settings: SettingsDep, catalog: CatalogDep, queue: QueueDep,
                 who: Staff) -> dict[str, Any]:
    """Upload a recording (multipart: ``file`` plus metadata); it is queued for transcription."""
    up = await receive(request, settings.data_dir / "uploads", settings.max_upload_mb * 1_000_000)
    assert up.path is not None and up.file_name is not None
    room = (up.fields.get("room") or [""])[0].strip()
    day = None
    try:
        meta = form_details(up.fields)
        probe = await run_in_threadpool(media.probe, up.path)
        await run_in_threadpool(media.check_decodable, probe)
        if room:
            day = await run_in_threadpool(dayrecording.check_day, catalog, probe, room,
                                          (up.fields.get("starts_at") or [""])[0])
    except InputError as exc:
        up.path.unlink(missing_ok=True)
        exc.message = exc.message.replace(str(up.path), up.file_name).replace(
            up.path.name, up.file_name)
        raise
    try:
        job = await run_in_threadpool(jobs.submit, catalog, queue, up.path, up.file_name, meta,
                                      None if day else talk_id_for(up.sha256), day)
    except QueueUnavailable:  # a 503 that leaves nothing behind: no job row, no upload
        up.path.unlink(missing_ok=True)
        raise
    return {"talk_id": job.talk_id, "job": job.public_dict()}


@router.patch("/api/talks/{talk_id}", response_model=schemas.Talk, responses=schemas.STAFF_ERRORS)
def update_talk(settings: SettingsDep, catalog: CatalogDep, client: SearchDep, talk_id: str,
                body: TalkChanges, who: Staff) -> dict[str, Any]:
    """Change details or publish/unpublish; only the fields sent change, and the index follows
    within seconds. The glossary is kept with the talk for staff; it helps transcription only."""
    data = body.model_dump(include=body.model_fields_set)
    if not data:
        raise InputError("nothing to change")
    talk = edits.update(catalog, talk_id, data)
    index_now(settings, client, catalog)
    return talk_json(talk)


@router.patch("/api/talks/{talk_id}/segments/{n}", responses=schemas.STAFF_ERRORS)
def correct(settings: SettingsDep, catalog: CatalogDep, client: SearchDep, talk_id: str, n: int,
            body: Correction, who: Staff) -> dict[str, Any]:
    """Correct a segment's text; word timings survive where the words still match, the change
    is kept in the transcript's history, and the index follows."""
    seg = edits.correct_segment(settings, catalog, talk_id, n, body.text, who.name)
    indexed = index_now(settings, client, catalog)
    return {"segment": n, "start": seg.start, "end": seg.end, "text": seg.text,
            "words": [{"start": w.start, "end": w.end, "word": w.word} for w in seg.words],
            "indexed": indexed}


@router.delete("/api/talks/{talk_id}", responses=schemas.STAFF_ERRORS)
def delete_talk(settings: SettingsDep, catalog: CatalogDep, client: SearchDep, talk_id: str,
                who: Staff) -> dict[str, Any]:
    """Delete a talk (GDPR): media, transcript, catalog row, voice samples, its jobs with their
    uploads and work files, and the index documents; also a talk still being transcribed."""
    removed = edits.delete(settings, catalog, talk_id)
    indexed = index_now(settings, client, catalog)
    return {"deleted": talk_id, "files_removed": len(removed), "indexed": indexed,
            "at": now_iso()}
