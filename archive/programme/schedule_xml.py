"""The frab/pretalx ``schedule.xml`` (conference > day > room > event), checked against the
XSD shipped in ``schemas/schedule.xml.xsd`` before anything is read from it. A file that does
not fit is refused with the line and element (``line 12, /schedule/day/room/event[2]/start: …``).

The XML is parsed by lxml without resolving entities, loading a DTD or touching the network;
a slot's ``<recording><optout>true</optout>`` marks it as not to be recorded."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import xmlschema
from lxml import etree

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

SCHEMA = Path(__file__).resolve().parent / "schemas" / "schedule.xml.xsd"


@functools.cache
def _schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMA))


def _parse(data: bytes) -> Any:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ProgrammeError(f"line {exc.lineno}: not well-formed XML ({exc.msg})") from None


def _check(root: Any) -> None:
    error = next(iter(_schema().iter_errors(etree.ElementTree(root))), None)
    if error is None:
        return
    elem: Any = error.elem
    path = elem.getroottree().getpath(elem) if hasattr(elem, "getroottree") else error.path
    value = f" (value {error.obj!r})" if isinstance(error.obj, str) and len(error.obj) < 80 else ""
    reason = (error.reason or "does not fit the schedule.xml schema").rstrip(".")
    raise ProgrammeError(f"line {error.sourceline}, {path}: {reason}{value}")


def _child(elem: Any, name: str) -> str | None:
    found = elem.find(name)
    return None if found is None else (found.text or "")


def _slot(elem: Any, day: str, room: str, tz: Any) -> Slot:
    where = f"line {elem.sourceline}, event {elem.get('guid')}"
    optout = (_child(elem, "recording/optout") or "").strip().lower() in ("true", "1")
    return Slot(
        guid=guid(elem.get("guid"), where), day=day,
        room=text(_child(elem, "room"), "room", where) or room,
        start=aware(_child(elem, "date") or "", tz, where),
        duration=duration(_child(elem, "duration") or "", where),
        title=required(text(_child(elem, "title"), "title", where), "title", where),
        persons=persons((p.text for p in elem.iterfind("persons/person")), where),
        abstract=text(_child(elem, "abstract") or _child(elem, "description"), "abstract", where),
        track=text(_child(elem, "track"), "track", where),
        type=text(_child(elem, "type"), "type", where),
        language=text(_child(elem, "language"), "language", where),
        licence=text(_child(elem, "recording/license"), "licence", where),
        do_not_record=optout, where=where)


def read_xml(data: bytes, options: Options) -> Programme:
    root = _parse(data)
    _check(root)
    conference = root.find("conference")
    tzname = options.timezone or (_child(conference, "time_zone_name") or "").strip() \
        or DEFAULT_TIMEZONE
    tz = zone(tzname, "conference/time_zone_name")
    days: list[Day] = []
    slots: list[Slot] = []
    for day in root.iterfind("day"):
        where = f"line {day.sourceline}, day {day.get('index')}"
        date = day.get("date") or day.get("start")[:10]
        days.append(Day(int(day.get("index")), date, aware(day.get("start"), tz, where),
                        aware(day.get("end"), tz, where)))
        for room in day.iterfind("room"):
            slots += [_slot(event, date, room.get("name").strip(), tz)
                      for event in room.iterfind("event")]
    dates = sorted(d.date for d in days)
    event = EventInfo(
        slug=(_child(conference, "acronym") or "").strip(),
        title=text(_child(conference, "title"), "title", "conference"),
        start=(_child(conference, "start") or dates[0])[:10],
        end=(_child(conference, "end") or dates[-1])[:10], timezone=tzname)
    rooms = [r.get("name").strip() for r in root.iterfind("day/room")]
    return finish("schedule.xml", event, days, slots, options, rooms)
