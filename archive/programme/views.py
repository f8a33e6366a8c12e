"""Events and their programme as JSON: the list of events, and one event with its days, rooms
and slots in programme order (start, then the room's place in the programme). Times are shown
in the event's time zone, durations in seconds."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog import Catalog
from ..errors import NotFound
from .diff import plain
from .tables import Event, EventDay, EventRoom, ProgrammeSlot


def event_json(event: Event) -> dict[str, Any]:
    return {"slug": event.slug, "title": event.title, "start": event.start, "end": event.end,
            "place": event.place, "timezone": event.timezone}


def slot_json(slot: ProgrammeSlot, tz: ZoneInfo) -> dict[str, Any]:
    return {"guid": slot.guid, "title": slot.title, "start": plain(slot.start, tz),
            "duration": slot.duration, "persons": list(slot.persons or []),
            "talk_id": slot.talk_id, "status": slot.status.value, "room": slot.room,
            "day": slot.day, "abstract": slot.abstract, "track": slot.track, "type": slot.type,
            "language": slot.language, "licence": slot.licence,
            "do_not_record": slot.do_not_record, "overridden": sorted(slot.overrides or {})}


def find_event(session: Session, slug: str) -> Event:
    event = session.scalar(select(Event).where(Event.slug == slug)) if len(slug) <= 80 else None
    if event is None:
        raise NotFound(f"no event {slug!r}")
    return event


def list_events(catalog: Catalog) -> list[dict[str, Any]]:
    """Every event, the newest first."""
    with catalog.session() as session:
        events = session.scalars(select(Event).order_by(Event.start.desc(), Event.slug))
        return [event_json(e) for e in events]


def event_detail(catalog: Catalog, slug: str) -> dict[str, Any]:
    with catalog.session() as session:
        event = find_event(session, slug)
        tz = ZoneInfo(event.timezone)
        days = session.scalars(select(EventDay).where(EventDay.event_id == event.id)
                               .order_by(EventDay.date))
        rooms = list(session.scalars(select(EventRoom).where(EventRoom.event_id == event.id)
                                     .order_by(EventRoom.position)))
        place = {room.name: room.position for room in rooms}
        slots = sorted(session.scalars(select(ProgrammeSlot)
                                       .where(ProgrammeSlot.event_id == event.id)),
                       key=lambda s: (s.start, place.get(s.room, len(place)), s.room, s.title))
        return {**event_json(event),
                "days": [{"index": d.index, "date": d.date, "start": plain(d.start, tz),
                          "end": plain(d.end, tz)} for d in days],
                "rooms": [room.name for room in rooms],
                "slots": [slot_json(slot, tz) for slot in slots]}
