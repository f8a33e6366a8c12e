"""Response schemas: what /docs shows for every route."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    code: str = Field(examples=["not_found"])
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody


class Health(BaseModel):
    status: str = Field(description="ok | degraded")
    catalog: str = Field(description="ok | down")
    search: str = Field(description="ok | down")
    queue: str = Field(description="ok | down")


class SegmentHit(BaseModel):
    start: float = Field(description="Segment start, seconds")
    end: float = Field(description="Segment end, seconds")
    at: float = Field(description="Start of the first matched word, seconds")
    text: str = Field(description="HTML-escaped segment text with matches in <mark>")
    url: str = Field(description="/talks/{id}?t={at}")
    speaker: str | None = Field(None, description="Who said it: a name, else a label such as SPEAKER_1")
    slide: bool = Field(False, description="The text is on a slide, shown from `start` (`at`)")
    meaning: bool = Field(False, description="Found by meaning: none of the query's words is "
                          "in it; `at` is the start of the sentence")


class TalkHit(BaseModel):
    id: str
    title: str
    event: str | None
    date: str | None
    town: str | None
    speakers: list[str]
    poster_url: str | None
    segments: list[SegmentHit] = Field(description="Its best moments; none when only its details matched")
    matched: list[str] = Field(description="What matched: title, speakers, event, town, "
                               "description, transcript (its words), meaning (its sentences' meaning)")


class SearchResult(BaseModel):
    query: str
    total: int = Field(description="Talks that match")
    page: int
    pages: int
    talks: list[TalkHit]
    facets: dict[str, dict[str, int]] = Field(description="Per filter: value -> number of talks")
    meaning: bool = Field(False, description="Whether the query's meaning was searched for too "
                          "(not with `exact`, nor where search by meaning is off)")


class Licence(BaseModel):
    id: str = Field(description="SPDX identifier, e.g. CC-BY-4.0")
    name: str
    url: str | None


class Cut(BaseModel):
    recording: str = Field(description="sha256 of the day recording")
    start: float = Field(description="In point, seconds of the day recording")
    end: float = Field(description="Out point, seconds of the day recording")
    source: Literal["programme", "detected", "staff"]
    confidence: float = Field(ge=0, le=1)
    reviewed: bool
    evidence: list[str] = Field(default_factory=list, description="What placed the cut")


class Talk(BaseModel):
    id: str
    title: str
    event: str | None
    date: str | None
    year: int | None
    town: str | None
    speakers: list[str]
    language: str
    description: str | None
    duration: float
    status: str
    published: bool
    segment_count: int
    speaker_names: dict[str, str] = Field(description="Names staff gave to voices: label -> name")
    has_video: bool
    has_poster: bool
    licence: Licence
    media_url: str
    poster_url: str | None
    captions_url: str
    url: str
    cut: Cut | None = Field(None, description="Where the talk lies in its room's day recording, "
                            "when it was cut out of one")


class TalkList(BaseModel):
    total: int
    page: int
    per_page: int
    talks: list[Talk]


ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponse, "description": "Bad input"},
    404: {"model": ErrorResponse, "description": "Not found"},
    502: {"model": ErrorResponse, "description": "The search engine rejected the request"},
    503: {"model": ErrorResponse, "description": "Search unavailable (Retry-After)"},
}
STAFF_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    401: {"model": ErrorResponse, "description": "No or wrong staff token"},
    403: {"model": ErrorResponse, "description": "Missing CSRF token (cookie sign-in)"},
}
