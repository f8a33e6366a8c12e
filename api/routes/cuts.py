"""A talk cut out of a day recording: staff move its in and out points, and its transcript,
media and index follow without transcribing again (:mod:`ingest.recut`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from archive.errors import NotFound
from ingest import recut

from .. import schemas
from ..deps import CatalogDep, SearchDep, SettingsDep, Staff
from ..presenters import talk_json
from .talks import index_now

router = APIRouter()


class CutPoints(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: float = Field(ge=0, description="In point, seconds of the day recording")
    end: float = Field(gt=0, description="Out point, seconds of the day recording")


@router.patch("/api/talks/{talk_id}/cut", response_model=schemas.Talk,
              responses=schemas.STAFF_ERRORS)
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
