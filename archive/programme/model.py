"""The programme as a reader found it in a file, before it meets the catalog: plain, frozen
dataclasses, the limits of the columns they go into, and the checks every reader shares.

Times are timezone-aware; a slot's ``day`` is the programme day it is listed under (pretalx
days run from 04:00, so a talk at 01:00 belongs to the day before)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError

DEFAULT_TIMEZONE = "Europe/Berlin"
# the fields of a slot a re-import compares, in the order the diff shows them
SLOT_FIELDS = ("title", "day", "start", "duration", "room", "persons", "abstract", "track",
               "type", "language", "licence", "do_not_record")
# what staff may change (PATCH); times and rooms come from the programme
EDITABLE = ("title", "persons", "abstract", "track", "type", "language", "licence",
            "do_not_record")
LIMITS = {"title": 500, "room": 200, "track": 200, "type": 100, "language": 32, "licence": 200,
          "abstract": 20_000, "person": 200}
MAX_PERSONS = 50
MAX_SLOTS = 5000
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{1,79}$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # as archive.details: tab and newlines are text


class ProgrammeError(InputError):
    """A programme file that cannot be imported; the message names the file and the element,
    JSON path or line."""

    code = "bad_programme"
    status = 422


@dataclass(frozen=True)
class Options:
    """What the importer says beside the file (CLI options, form fields): it wins over the
    file. A CSV agenda has no event of its own, so it needs ``event_slug``."""

    event_slug: str | None = None
    event_title: str | None = None
    timezone: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class EventInfo:
    slug: str
    title: str | None  # None: not said (a CSV agenda without --event-title)
    start: str  # YYYY-MM-DD
    end: str
    timezone: str
    place: str | None = None  # None: not said, the catalog keeps what it has


@dataclass(frozen=True)
class Day:
    index: int
    date: str  # YYYY-MM-DD
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class Slot:
    guid: str
    day: str
    room: str
    start: dt.datetime
    duration: int  # seconds
    title: str
    persons: tuple[str, ...] = ()
    abstract: str | None = None
    track: str | None = None
    type: str | None = None
    language: str | None = None
    licence: str | None = None
    do_not_record: bool = False
    where: str = field(default="", compare=False)  # the element, JSON path or line it came from


@dataclass(frozen=True)
class Programme:
    source: str  # schedule.xml | schedule.json | csv
    event: EventInfo
    days: tuple[Day, ...]
    rooms: tuple[str, ...]
    slots: tuple[Slot, ...]


def zone(name: str, where: str = "time zone") -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ProgrammeError(f"{where}: {name!r} is not a time zone (such as Europe/Berlin)") from None


def check_slug(slug: str, where: str) -> str:
    if not _SLUG.match(slug):
        raise ProgrammeError(f"{where}: event slug {slug!r} must be 2-80 lower-case letters, "
                             "digits, '-' or '_' (give one with --event-slug)")
    return slug


def text(value: Any, name: str, where: str) -> str | None:
    """A text field: stripped, None when empty; too long or with control characters is an error."""
    if value is None:
        return None
    value = str(value).strip()
    if CONTROL.search(value):
        raise ProgrammeError(f"{where}: {name} has control characters")
    if len(value) > LIMITS[name]:
        raise ProgrammeError(f"{where}: {name} is longer than {LIMITS[name]} characters")
    return value or None


def required(value: str | None, name: str, where: str) -> str:
    if not value:
        raise ProgrammeError(f"{where}: {name} is empty")
    return value


def guid(value: Any, where: str) -> str:
    """A slot's guid as a lower-case UUID."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise ProgrammeError(f"{where}: guid {str(value)[:60]!r} is not a UUID") from None


def persons(names: Iterable[Any], where: str) -> tuple[str, ...]:
    found = [n for n in (text(name, "person", where) for name in names) if n]
    if len(found) > MAX_PERSONS:
        raise ProgrammeError(f"{where}: more than {MAX_PERSONS} persons")
    return tuple(dict.fromkeys(found))


def duration(value: str, where: str) -> int:
    """``HH:MM`` or ``HH:MM:SS`` in seconds."""
    parts = value.strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ProgrammeError(f"{where}: duration {value!r} is not HH:MM")
    seconds = sum(int(p) * f for p, f in zip(parts, (3600, 60, 1), strict=False))
    if seconds <= 0:
        raise ProgrammeError(f"{where}: duration {value!r} is not longer than 0")
    return seconds


def aware(value: str, tz: ZoneInfo, where: str) -> dt.datetime:
    """An ISO 8601 date-time; one without an offset is in the event's time zone."""
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise ProgrammeError(f"{where}: {value!r} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def finish(source: str, event: EventInfo, days: Iterable[Day], slots: list[Slot],
           options: Options, rooms: Iterable[str] = ()) -> Programme:
    """The programme with the importer's options applied and the checks every format needs:
    a slug, a time zone, unique guids, rooms in the order they appear."""
    event = replace(event, slug=options.event_slug or event.slug,
                    title=options.event_title or event.title,
                    timezone=options.timezone or event.timezone,
                    place=options.place or event.place)
    check_slug(event.slug, "event")
    zone(event.timezone)
    if len(slots) > MAX_SLOTS:
        raise ProgrammeError(f"more than {MAX_SLOTS} slots")
    seen: dict[str, Slot] = {}
    for slot in slots:
        required(slot.room, "room", slot.where)
        if slot.guid in seen:
            raise ProgrammeError(f"{slot.where}: guid {slot.guid} is also at {seen[slot.guid].where}")
        seen[slot.guid] = slot
    names = list(dict.fromkeys([*rooms, *(s.room for s in slots)]))
    for name in names:
        text(name, "room", "rooms")
    return Programme(source, event, tuple(sorted(days, key=lambda d: d.date)), tuple(names),
                     tuple(slots))
