"""Events (conference editions) and their programme: the list, one event with its slots in
programme order, importing a programme file (staff) and editing a slot (staff; the fields
changed survive a re-import)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from archive.details import SOME_TEXT, TEXT
from archive.programme import listing, model, schedule_export, views
from archive.programme.apply import import_programme
from archive.programme.edit import edit_slot
from archive.programme.read import MAX_BYTES, read_programme

from .. import schemas
from ..deps import CatalogDep, SettingsDep, Staff, staff
from ..uploads import receive

router = APIRouter()
# archive.programme.model.EDITABLE, spelt out for the schema (a unit test keeps them equal)
Editable = Literal["title", "persons", "abstract", "track", "type", "language", "licence",
                   "do_not_record"]


class Event(BaseModel):
    slug: str
    title: str
    start: str = Field(description="First day, YYYY-MM-DD")
    end: str = Field(description="Last day, YYYY-MM-DD")
    place: str | None
    timezone: str = Field(examples=["Europe/Berlin"])


class Slot(BaseModel):
    guid: str
    title: str
    start: str = Field(description="Planned start, ISO 8601 in the event's time zone")
    duration: int = Field(description="Planned duration, seconds")
    persons: list[str]
    talk_id: str | None
    status: Literal["cut", "needs_review", "missing", "not_recorded"] = Field(
        description="not_recorded: the speakers opted out (never transcribed or published); "
        "missing: no talk yet")
    room: str
    day: str = Field(description="The programme day, YYYY-MM-DD")
    abstract: str | None
    track: str | None
    type: str | None
    language: str | None
    licence: str | None
    do_not_record: bool
    overridden: list[str] = Field(description="Fields staff changed; a re-import leaves them")


class Day(BaseModel):
    index: int
    date: str
    start: str | None
    end: str | None


class EventDetail(Event):
    days: list[Day]
    rooms: list[str]
    slots: list[Slot] = Field(description="In programme order: start, then room")


class SlotChanges(BaseModel):
    """The body of ``PATCH /api/events/{slug}/slots/{guid}`` as the schema states it: at least
    one field; only the fields sent change, and ``revert`` gives fields back to the programme.
    A title, the persons and ``do_not_record`` cannot be null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    title: str = Field(None, min_length=1, max_length=model.LIMITS["title"],  # type: ignore[assignment]  # absent, never null
                       pattern=SOME_TEXT)
    persons: list[Annotated[str, Field(min_length=1, max_length=model.LIMITS["person"],
                                       pattern=SOME_TEXT)]] = Field(
        None, max_length=model.MAX_PERSONS)  # type: ignore[arg-type]  # absent, never null
    abstract: str | None = Field(None, max_length=model.LIMITS["abstract"], pattern=TEXT)
    track: str | None = Field(None, max_length=model.LIMITS["track"], pattern=TEXT)
    type: str | None = Field(None, max_length=model.LIMITS["type"], pattern=TEXT)
    language: str | None = Field(None, max_length=model.LIMITS["language"], pattern=TEXT)
    licence: str | None = Field(None, max_length=model.LIMITS["licence"], pattern=TEXT)
    do_not_record: bool = Field(None, strict=True,  # type: ignore[assignment]  # absent, never null
                                description="true: the speakers opted out of recording")
    revert: list[Editable] = Field(None, min_length=1,  # type: ignore[arg-type]  # absent, never null
                                   description="Fields to give back to the programme")


@router.get("/api/events", response_model=list[Event], responses=schemas.ERRORS)
def list_events(catalog: CatalogDep) -> list[dict[str, Any]]:
    """Every event (conference edition), the newest first."""
    return views.list_events(catalog)


@router.get("/api/events/{slug}", response_model=EventDetail, responses=schemas.ERRORS)
def get_event(request: Request, catalog: CatalogDep, slug: str) -> dict[str, Any]:
    """An event with its days, rooms and slots in programme order. Without a staff token a
    slot names only a published talk; one cut into a talk not published reads ``missing``."""
    event = views.event_detail(catalog, slug)
    if staff(request) is None:
        public = catalog.public_ids([s["talk_id"] for s in event["slots"] if s["talk_id"]])
        event["slots"] = [listing.public_slot(s, public) for s in event["slots"]]
    return event


@router.get("/api/events/{slug}/schedule.xml", responses={
    **schemas.ERRORS, 200: {"content": {"application/xml": {}},
                            "description": "frab/pretalx schedule.xml"}})
def schedule_xml(request: Request, settings: SettingsDep, catalog: CatalogDep, slug: str
                 ) -> Response:
    """The event's programme as frab/pretalx ``schedule.xml`` (valid against its XSD), with
    links to the published recordings; importing it again changes nothing."""
    body = schedule_export.schedule_xml(catalog, slug, settings.base_url(str(request.base_url)))
    headers = {"Cache-Control": "public, max-age=300",
               "Content-Disposition": f'inline; filename="{slug}-schedule.xml"'}
    if not settings.public_url:
        headers["Vary"] = "Host"
    return Response(body, media_type="application/xml; charset=utf-8", headers=headers)


IMPORT_FORM: dict[str, Any] = {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary",
             "description": "schedule.xml, schedule JSON or a CSV agenda"},
    "event_slug": {"type": "string", "maxLength": 80, "description": "Needed for a CSV agenda"},
    "event_title": {"type": "string", "maxLength": 500},
    "timezone": {"type": "string", "maxLength": 64, "description": "Such as Europe/Berlin"},
    "place": {"type": "string", "maxLength": 300}}}


@router.post("/api/events/import", responses={
    **schemas.STAFF_ERRORS, 413: {"model": schemas.ErrorResponse, "description": "Too large"},
    415: {"model": schemas.ErrorResponse, "description": "Not multipart/form-data"},
    422: {"model": schemas.ErrorResponse, "description": "Not a programme this archive reads"}},
    openapi_extra={"requestBody": {"required": True, "content": {"multipart/form-data": {
        "schema": IMPORT_FORM}}}})
async def import_events(request: Request, settings: SettingsDep, catalog: CatalogDep, who: Staff,
                        dry_run: Annotated[bool, Query()] = False) -> dict[str, Any]:
    """Import a programme: the diff (new, changed field by field, removed slots), applied in
    one transaction unless ``dry_run``. The same file twice changes nothing."""
    up = await receive(request, settings.data_dir / "uploads", MAX_BYTES)
    assert up.path is not None and up.file_name is not None
    try:
        data = up.path.read_bytes()
    finally:
        up.path.unlink(missing_ok=True)
    options = model.Options(*(((up.first(name) or "").strip() or None)
                              for name in ("event_slug", "event_title", "timezone", "place")))
    programme = await run_in_threadpool(read_programme, data, up.file_name, options)
    diff = await run_in_threadpool(import_programme, catalog, programme, dry_run=dry_run)
    return diff.to_dict()


@router.patch("/api/events/{slug}/slots/{guid}", response_model=Slot,
              responses=schemas.STAFF_ERRORS)
def update_slot(catalog: CatalogDep, slug: str, guid: str, body: SlotChanges, who: Staff
                ) -> dict[str, Any]:
    """Edit a slot; each field sent is kept against later re-imports until it is reverted."""
    changes = body.model_dump(include=body.model_fields_set - {"revert"})
    return edit_slot(catalog, slug, guid, changes, body.revert or ())
