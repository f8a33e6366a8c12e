"""A talk cut out of a day recording: staff move its in and out points, and its transcript,
media and index follow without transcribing again (:mod:`ingest.recut`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from archive import transcript as tr
from archive.catalog import Catalog, Talk
from archive.errors import NotFound
from archive.paths import transcript_path
from archive.programme import cuts
from archive.programme.tables import DayRecording, Event, ProgrammeSlot
from archive.settings import Settings
from ingest import recut

from .. import schemas
from ..deps import CatalogDep, SearchDep, SettingsDep, Staff
from ..files import file_response
from ..presenters import talk_json
from .talks import index_now

router = APIRouter()


class CutPoints(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(ge=0, description="In point, seconds of the day recording")
    end: float = Field(gt=0, description="Out point, seconds of the day recording")


@router.patch("/api/talks/{talk_id}/cut", response_model=schemas.Talk, responses={
    **schemas.STAFF_ERRORS,
    409: {"model": schemas.ErrorResponse, "description": "The talk was not cut from a day"},
    422: {"model": schemas.ErrorResponse, "description": "Points outside the day recording"}})
async def move_cut(settings: SettingsDep, catalog: CatalogDep, client: SearchDep, talk_id: str,
                   body: CutPoints, who: Staff) -> dict[str, Any]:
    """Move a cut talk's in and out points (seconds of its day recording; a point inside a
    word moves to the word's edge). The talk is re-cut from the day recording: media, transcript
    (corrections kept where the old and new cut overlap) and index. The cut is then reviewed."""
    talk = await run_in_threadpool(recut.recut, settings, catalog, talk_id, body.start, body.end,
                                   who.name)
    await run_in_threadpool(index_now, settings, client, catalog)
    fresh = catalog.get(talk.id)
    if fresh is None:
        raise NotFound(f"talk {talk.id} was deleted meanwhile")
    return talk_json(fresh)


def _day(settings: Settings, catalog: Catalog, recording: str) -> dict[str, Any]:
    with catalog.session() as session:
        row = session.get(DayRecording, recording) if len(recording) <= 64 else None
        if row is None:
            raise NotFound(f"no day recording {recording!r}")
        slots = list(session.scalars(
            select(ProgrammeSlot).where(ProgrammeSlot.event_id == row.event_id,
                                        ProgrammeSlot.room == row.room)
            .order_by(ProgrammeSlot.start)))
        ends = row.starts_at + dt.timedelta(seconds=row.duration)
        slots = [s for s in slots if row.starts_at - cuts.SLACK <= s.start < ends]
        ids = [s.talk_id for s in slots if s.talk_id]
        talks = {t.id: t.cut for t in session.scalars(select(Talk).where(Talk.id.in_(ids)))}
        day = tr.load(transcript_path(settings, cuts.day_transcript_id(row.content_hash)))
        return cuts.day_view(day, row, slots, talks)


@router.get("/api/recordings", responses=schemas.STAFF_ERRORS)
def recordings(catalog: CatalogDep, who: Staff) -> dict[str, Any]:
    """The day recordings (staff): room, start, length and event, newest first."""
    with catalog.session() as session:
        rows = session.execute(
            select(DayRecording, Event.slug).outerjoin(Event, Event.id == DayRecording.event_id)
            .order_by(DayRecording.starts_at.desc())).all()
        return {"recordings": [
            {"recording": r.content_hash, "room": r.room, "starts_at": r.starts_at.isoformat(),
             "duration": r.duration, "name": r.original_name, "event": slug}
            for r, slug in rows]}


@router.get("/api/recordings/{recording}", responses=schemas.STAFF_ERRORS)
def recording(settings: SettingsDep, catalog: CatalogDep, recording: str,
              who: Staff) -> dict[str, Any]:
    """A day recording as staff review it (staff): speech, speakers and slides on its time
    line, and each slot of its room with the proposed cut, its confidence and evidence."""
    return _day(settings, catalog, recording)


@router.get("/api/recordings/{recording}/media", responses=schemas.STAFF_ERRORS)
def recording_media(request: Request, catalog: CatalogDep, recording: str,
                    who: Staff) -> Response:
    """The day recording itself (staff), with HTTP Range, to set in and out points by."""
    with catalog.session() as session:
        row = session.get(DayRecording, recording) if len(recording) <= 64 else None
        if row is None:
            raise NotFound(f"no day recording {recording!r}")
        path, video = Path(row.original_path), row.has_video
    return file_response(request, path, "video/mp4" if video else "audio/mp4",
                         cache="private, no-store")
