"""An event's programme as frab/pretalx ``schedule.xml`` (valid against
``schemas/schedule.xml.xsd``), with links to the recordings: each slot whose talk is public
carries ``<url>`` (the talk's page), ``<recording><url>`` (the media file) and
``<recording><link>`` (the talk's page), and ``<links>`` to its transcript (WebVTT); any other
slot's ``<url>`` is its place on the event page.

**Round trip.** :mod:`.schedule_xml` reads back what this writes: importing the export of an
event changes nothing (the same guids, days, rooms and fields; rooms are listed in every day, in
their order, as frab does). Two exceptions, both from the format: a CSV agenda has no start and
end of its days, which schedule.xml requires (the export gives each day 04:00 to 03:59 the next
day, as pretalx does, or wider where slots lie outside), so the first re-import of such an export
adds them; and staff edits are exported as the programme now reads, so re-importing them shows
"staff, kept" where the programme had said something else. An event whose slug is shorter than
the four characters an ``<acronym>`` needs is exported without one (give ``--event-slug``).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import catalog as cat
from .listing import visible
from .tables import Event, EventDay, EventRoom, ProgrammeSlot
from .views import find_event

ACRONYM = re.compile(r"^[a-z0-9_-]{4,}$")
DAY_STARTS = dt.time(4, 0)  # pretalx: a programme day runs from 04:00 to 03:59


def hh_mm(seconds: int) -> str:
    """A duration as schedule.xml writes it: ``00:45``, or ``01:02:03`` with seconds."""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    elem = ET.SubElement(parent, tag, attrs)
    if text is not None:
        elem.text = text
    return elem


def _day_bounds(date: str, slots: list[ProgrammeSlot], day: EventDay | None, tz: ZoneInfo
                ) -> tuple[dt.datetime, dt.datetime]:
    """The day's start and end as the programme gives them, else 04:00 to 03:59 the next day,
    widened to hold its slots."""
    if day is not None and day.start is not None and day.end is not None:
        return day.start.astimezone(tz), day.end.astimezone(tz)
    start = dt.datetime.combine(dt.date.fromisoformat(date), DAY_STARTS, tz)
    end = start + dt.timedelta(days=1, minutes=-1)
    for slot in slots:
        start = min(start, slot.start.astimezone(tz))
        end = max(end, slot.start.astimezone(tz) + dt.timedelta(seconds=slot.duration))
    return start, end


def _indices(dates: list[str], days: dict[str, EventDay]) -> dict[str, int]:
    """The programme's day numbers where every day has a distinct one, else 1, 2, ..."""
    given = [days[d].index if d in days else None for d in dates]
    if None not in given and len(set(given)) == len(given) and all(i and i > 0 for i in given):
        return dict(zip(dates, given, strict=True))  # type: ignore[arg-type]
    return {d: n for n, d in enumerate(dates, 1)}


def _slot(room: ET.Element, slot: ProgrammeSlot, tz: ZoneInfo, talk: cat.Talk | None,
          base: str, event_url: str) -> None:
    start = slot.start.astimezone(tz)
    elem = _sub(room, "event", guid=slot.guid, id=str(slot.id))
    _sub(elem, "room", slot.room)
    _sub(elem, "title", slot.title)
    _sub(elem, "type", slot.type or "")
    _sub(elem, "date", start.isoformat())
    _sub(elem, "start", f"{start:%H:%M}")
    _sub(elem, "duration", hh_mm(slot.duration))
    _sub(elem, "abstract", slot.abstract or "")
    _sub(elem, "track", slot.track or "")
    persons = _sub(elem, "persons")
    for name in slot.persons or []:
        _sub(persons, "person", name)
    if slot.language:
        _sub(elem, "language", slot.language)
    recording = _sub(elem, "recording")
    _sub(recording, "license", slot.licence or "")
    _sub(recording, "optout", "true" if slot.do_not_record else "false")
    if talk is not None:
        page = f"{base}/talks/{talk.id}"
        _sub(recording, "url", f"{base}/api/talks/{talk.id}/media")
        _sub(recording, "link", page)
        links = _sub(elem, "links")
        _sub(links, "link", "Aufzeichnung", href=page, type="text/html")
        _sub(links, "link", "Transkript (WebVTT)", href=f"{base}/api/talks/{talk.id}/transcript.vtt",
             type="text/vtt")
        _sub(elem, "url", page)
    else:
        _sub(elem, "url", f"{event_url}#slot-{slot.guid}")


def schedule_xml(catalog: cat.Catalog, slug: str, base: str) -> bytes:
    """The event ``slug`` as schedule.xml (UTF-8), its links absolute under ``base``; links to
    public talks only. :class:`~archive.errors.NotFound` for an unknown slug."""
    base = base.rstrip("/")
    with catalog.session() as session:
        event = find_event(session, slug)
        tz = ZoneInfo(event.timezone)
        days = {d.date: d for d in session.scalars(select(EventDay).where(EventDay.event_id == event.id))}
        rooms = [r.name for r in session.scalars(select(EventRoom).where(
            EventRoom.event_id == event.id).order_by(EventRoom.position))]
        slots = sorted(session.scalars(select(ProgrammeSlot).where(ProgrammeSlot.event_id == event.id)),
                       key=lambda s: (s.start, s.room, s.guid))
        info = _event_info(event)
    linked = sorted({s.talk_id for s in slots if s.talk_id and not s.do_not_record})
    talks = {t.id: t for t in catalog.talks(linked) if visible(t, False)} if linked else {}
    rooms += [name for name in dict.fromkeys(s.room for s in slots) if name not in rooms]
    dates = sorted(set(days) | {s.day for s in slots})
    event_url = f"{base}/events/{info['slug']}"

    root = ET.Element("schedule")
    _sub(root, "generator", name="talkarchive")
    _sub(root, "url", f"{base}/api/events/{info['slug']}/schedule.xml")
    _sub(root, "version", info["version"])
    conference = _sub(root, "conference")
    if ACRONYM.match(info["slug"]):
        _sub(conference, "acronym", info["slug"])
    _sub(conference, "title", info["title"])
    _sub(conference, "start", info["start"])
    _sub(conference, "end", info["end"])
    _sub(conference, "days", str(len(dates)))
    _sub(conference, "time_zone_name", info["timezone"])
    _sub(conference, "url", event_url)
    for track in sorted({s.track for s in slots if s.track}):
        _sub(conference, "track", name=track)
    index = _indices(dates, days)
    for date in dates:
        mine = [s for s in slots if s.day == date]
        start, end = _day_bounds(date, mine, days.get(date), tz)
        day = _sub(root, "day", index=str(index[date]), date=date, start=start.isoformat(),
                   end=end.isoformat())
        for name in rooms:
            room = _sub(day, "room", name=name)
            for slot in (s for s in mine if s.room == name):
                talk = None if slot.do_not_record else talks.get(slot.talk_id or "")
                _slot(room, slot, tz, talk, base, event_url)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _event_info(event: Event) -> dict[str, Any]:
    stamp = event.imported_at or event.created_at
    return {"slug": event.slug, "title": event.title, "start": event.start, "end": event.end,
            "timezone": event.timezone,
            "version": f"{stamp:%Y-%m-%d %H:%M:%S}" if stamp else "1"}
