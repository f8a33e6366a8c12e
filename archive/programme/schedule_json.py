"""The schedule JSON that pretalx and frab export, checked against the JSON Schema shipped in
``schemas/schema.json`` first. A file that does not fit is refused with the JSON path of the
most relevant error (``$.schedule.conference.days[0].rooms.Saal[0].id: '2814' is not of type
'integer'``); ``"do_not_record": true`` marks a slot as not to be recorded."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jsonschema.exceptions import ValidationError, best_match
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for

from .model import (
    DEFAULT_TIMEZONE,
    Day,
    EventInfo,
    Options,
    Programme,
    ProgrammeError,
    Slot,
    aware,
    duration,
    finish,
    guid,
    persons,
    required,
    text,
    zone,
)

SCHEMA = Path(__file__).resolve().parent / "schemas" / "schema.json"


@functools.cache
def _validator() -> Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = validator_for(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _load(data: bytes) -> Any:
    try:
        doc = json.loads(data)
        error = best_match(_validator().iter_errors(doc))
    except json.JSONDecodeError as exc:
        raise ProgrammeError(f"line {exc.lineno} column {exc.colno}: not JSON ({exc.msg})") from None
    except UnicodeDecodeError:
        raise ProgrammeError("not UTF-8 text") from None
    except RecursionError:
        raise ProgrammeError("nested too deeply") from None
    if error is not None:
        raise ProgrammeError(_message(doc, error))
    return doc


def _message(doc: Any, error: ValidationError) -> str:
    if error.validator is None:  # a property the schema forbids ("rooms": false): name it
        parent = functools.reduce(lambda node, key: node[key], error.absolute_path, doc)
        key = next((k for k, v in parent.items() if v is error.instance), "?")
        return f"{error.json_path}.{key}: not allowed here"
    message = error.message if len(error.message) <= 200 else error.message[:200] + "…"
    return f"{error.json_path}: {message}"


def _slot(event: dict[str, Any], day: str, room: str, tz: ZoneInfo, where: str) -> Slot:
    where = f"{where} (guid {event.get('guid')})"
    names = (p.get("name") or p.get("public_name") for p in event.get("persons") or ())
    return Slot(
        guid=guid(event["guid"], where), day=day,
        room=text(event.get("room"), "room", where) or room,
        start=aware(event["date"], tz, where),
        duration=duration(event["duration"], where),
        title=required(text(event.get("title"), "title", where), "title", where),
        persons=persons(names, where),
        abstract=text(event.get("abstract") or event.get("description"), "abstract", where),
        track=text(event.get("track"), "track", where),
        type=text(event.get("type"), "type", where),
        language=text(event.get("language"), "language", where),
        licence=text(event.get("recording_license"), "licence", where),
        do_not_record=bool(event.get("do_not_record")), where=where)


def read_json(data: bytes, options: Options) -> Programme:
    conference = _load(data)["schedule"]["conference"]
    tzname = options.timezone or conference.get("time_zone_name") or DEFAULT_TIMEZONE
    tz = zone(tzname, "$.schedule.conference.time_zone_name")
    days: list[Day] = []
    slots: list[Slot] = []
    for d, day in enumerate(conference["days"]):
        where = f"$.schedule.conference.days[{d}]"
        days.append(Day(day["index"], day["date"][:10], aware(day["day_start"], tz, where),
                        aware(day["day_end"], tz, where)))
        for room, events in day["rooms"].items():
            slots += [_slot(event, day["date"][:10], room.strip(), tz, f"{where}.rooms.{room}[{n}]")
                      for n, event in enumerate(events)]
    event = EventInfo(slug=conference["acronym"], title=text(conference["title"], "title", "$"),
                      start=conference["start"][:10], end=conference["end"][:10], timezone=tzname)
    rooms = [str(r["name"]).strip() for r in conference.get("rooms") or ()]
    return finish("schedule.json", event, days, slots, options, rooms)
