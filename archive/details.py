"""A talk's details (title, event, date, speakers, town, language, description, glossary,
published, licence): one pydantic model for the CLI options, the upload form, ``PATCH /api/talks/{id}``
and the admin editor, with the limits of the catalog columns the details are stored in.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .catalog import Talk
from .errors import InputError
from .licences import LICENCES

EDITABLE = ("title", "event", "date", "speakers", "town", "language", "description", "glossary",
            "published", "licence")
MAX_SPEAKERS = 50
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and newlines are text
MAX_GLOSSARY = 100
TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"  # CONTROL, as a JSON Schema pattern
SOME_TEXT = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*[^\s\x00-\x08\x0b\x0c\x0e-\x1f\x7f][^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def _column_length(name: str) -> int:
    length = Talk.__table__.c[name].type.length  # type: ignore[attr-defined]
    return int(length)


SpeakerName = Annotated[str, Field(min_length=1, max_length=200)]
GlossaryTerm = Annotated[str, Field(min_length=1, max_length=100)]


class TalkDetails(BaseModel):
    """What staff say about a talk. Empty strings count as not given."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str | None = Field(None, max_length=_column_length("title"))
    event: str | None = Field(None, max_length=_column_length("event"))
    date: str | None = Field(None, description="YYYY-MM-DD")
    speakers: list[SpeakerName] = Field(default_factory=list, max_length=MAX_SPEAKERS)
    town: str | None = Field(None, max_length=_column_length("town"))
    language: str | None = Field(None, pattern=r"^[a-z]{2,3}$", description="such as de")
    description: str | None = Field(None, max_length=10_000)
    glossary: list[GlossaryTerm] = Field(
        default_factory=list, max_length=MAX_GLOSSARY,
        description="Names and terms the speech model should expect (used when transcribing)")
    published: bool = True
    licence: str | None = Field(None, description="SPDX identifier, such as CC-BY-4.0; "
                                "default TALKARCHIVE_DEFAULT_LICENCE")

    @field_validator("title", "event", "date", "town", "language", "description", "licence",
                     mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("speakers", "glossary", mode="before")
    @classmethod
    def _drop_blank_items(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in value if not (isinstance(v, str) and not v.strip())]
        return value

    @field_validator("title", "event", "date", "town", "language", "description", "speakers",
                     "glossary")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        """Text only: a control character would break every XML export (TEI, ELAN, OAI)."""
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str) and CONTROL.search(text):
                raise ValueError("contains a control character")
        return value

    @field_validator("date")
    @classmethod
    def _iso_date(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not YYYY-MM-DD") from None
        return value

    @field_validator("licence")
    @classmethod
    def _known_licence(cls, value: str | None) -> str | None:
        if value is not None and value not in LICENCES:
            raise ValueError(f"{value[:64]!r} is not one of {', '.join(LICENCES)}")
        return value

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


def _text(limit: int, pattern: str = TEXT) -> Any:
    return Field(None, max_length=limit, json_schema_extra={"pattern": pattern})


class TalkChanges(BaseModel):
    """The body of ``PATCH /api/talks/{id}`` as the OpenAPI schema states it: the fields to
    change, at least one; a title, language or licence cannot be cleared. :func:`changes`
    applies :class:`TalkDetails`'s rules to what is sent."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    title: str = _text(_column_length("title"), SOME_TEXT)
    event: str | None = _text(_column_length("event"))
    date: str | None = Field(None, json_schema_extra={"format": "date"})
    speakers: list[Annotated[str, Field(max_length=200, json_schema_extra={"pattern": TEXT})]] = \
        Field(None, max_length=MAX_SPEAKERS)  # type: ignore[arg-type]  # absent, never null
    town: str | None = _text(_column_length("town"))
    language: str = Field(None, pattern=r"^[a-z]{2,3}$", description="such as de")  # type: ignore[assignment]  # absent, never null
    description: str | None = _text(10_000)
    glossary: list[Annotated[str, Field(max_length=100, json_schema_extra={"pattern": TEXT})]] = \
        Field(None, max_length=MAX_GLOSSARY,  # type: ignore[arg-type]  # absent, never null
              description="Names and terms the speech model should expect")
    published: bool = Field(None)  # type: ignore[assignment]  # absent, never null
    licence: str = Field(None, json_schema_extra={"enum": list(LICENCES)})  # type: ignore[assignment]  # absent, never null


def split_list(raw: str | None) -> list[str]:
    """A comma (or line) separated list as a form field or CLI option gives it."""
    return [part.strip() for part in (raw or "").replace("\n", ",").split(",") if part.strip()]


def parse(data: dict[str, Any]) -> TalkDetails:
    """Validate details; a bad value is an :class:`InputError` naming the field."""
    try:
        return TalkDetails.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    message = str(first["msg"]).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def changes(data: dict[str, Any]) -> dict[str, Any]:
    """The fields a PATCH sets, validated: only editable fields, and no empty title."""
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot change {', '.join(sorted(unknown))}")
    details = parse(data)
    if "title" in data and details.title is None:
        raise InputError("title must not be empty")
    if "published" in data and data["published"] is None:
        raise InputError("published must be true or false")
    if "language" in data and details.language is None:
        raise InputError("language must be a language code such as de")
    if "licence" in data and details.licence is None:
        raise InputError("licence must be one of " + ", ".join(LICENCES))
    return {name: getattr(details, name) for name in data}
