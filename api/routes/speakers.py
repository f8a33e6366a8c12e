"""A talk's speakers: its voices with their names and time spoken, suggested names for voices
heard before (staff), and naming them (staff)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from pydantic import BaseModel, Field

from archive import speakers
from archive.catalog import Catalog
from archive.details import TEXT
from archive.settings import Settings

from .. import schemas
from ..deps import CatalogDep, SearchDep, SettingsDep, Staff
from ..presenters import talk_json
from .talks import index_now

router = APIRouter()


class Suggestion(BaseModel):
    name: str
    score: float = Field(description="Cosine similarity of the voices (0..1)")


class Speaker(BaseModel):
    label: str = Field(examples=["SPEAKER_1"])
    name: str | None
    seconds: float = Field(description="How long this voice speaks")
    suggestion: Suggestion | None = Field(description="A remembered voice that sounds the same")


class Speakers(BaseModel):
    talk_id: str
    listed: list[str] = Field(description="The talk's listed speakers, to choose names from")
    speakers: list[Speaker]


def _speakers(settings: Settings, catalog: Catalog, talk_id: str) -> dict[str, Any]:
    talk = speakers.talk_or_404(catalog, talk_id)
    return {"talk_id": talk.id, "listed": list(talk.speakers or []),
            "speakers": [s.to_dict() for s in speakers.speakers_of(settings, catalog, talk)]}


@router.get("/api/talks/{talk_id}/speakers", response_model=Speakers,
            responses=schemas.STAFF_ERRORS)
def get_speakers(settings: SettingsDep, catalog: CatalogDep, talk_id: str, who: Staff
                 ) -> dict[str, Any]:
    """The talk's voices, their names, and for unnamed ones the name of a remembered voice
    that sounds the same (confirm it with PATCH)."""
    return _speakers(settings, catalog, talk_id)


# what set_names takes: at least one voice label, each a name (or null/"" to remove it)
NAMES_SCHEMA: dict[str, Any] = {
    "minProperties": 1, "propertyNames": {"pattern": r"^SPEAKER_[0-9]{1,4}$"},
    "additionalProperties": {"anyOf": [
        {"type": "string", "maxLength": speakers.MAX_NAME, "pattern": TEXT}, {"type": "null"}]}}


@router.patch("/api/talks/{talk_id}/speakers", response_model=schemas.Talk,
              responses=schemas.STAFF_ERRORS)
def name_speakers(settings: SettingsDep, catalog: CatalogDep, client: SearchDep, talk_id: str,
                  who: Staff,
                  body: Annotated[dict[str, str | None], Body(
                      examples=[{"SPEAKER_1": "Anna Becker", "SPEAKER_2": None}],
                      json_schema_extra=NAMES_SCHEMA)]
                  ) -> dict[str, Any]:
    """Put names to voices: ``{"SPEAKER_1": "Anna Becker"}``; null or "" removes a name. The
    named voice is remembered and suggested when it is heard in another talk."""
    talk = speakers.set_names(settings, catalog, talk_id, body)
    index_now(settings, client, catalog)
    return talk_json(talk)
