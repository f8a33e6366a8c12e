"""Events and their programme as readers see them (the event pages, the feeds, the public
API): which talk a slot may link to, what its status says, and how many recordings an event has.

**What citizens may see.** A talk is public when it is published and ready. A slot links to its
talk only then (staff see every talk, marked unpublished). A slot cut into a talk that is not
public reads ``missing`` ("keine Aufnahme") with no talk id, so nothing about the talk leaks; a
slot waiting for review keeps ``needs_review`` ("wird geprüft") and no talk id; an opted-out
slot is ``not_recorded`` and never links anywhere.

**An event's recordings** are the public talks of its slots, in programme order, then the
public talks not in its programme whose event (the free-text field every talk has) is the
event's title, newest first: talks uploaded one by one for the same conference.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import catalog as cat
from .tables import Event, EventDay, EventRoom, ProgrammeSlot, SlotStatus
from .views import event_json, find_event, slot_json


def visible(talk: cat.Talk, staff: bool) -> bool:
    """A ready talk the reader may see: published, or any for staff."""
    return talk.status == cat.TalkStatus.READY and (talk.published or staff)


def talk_brief(talk: cat.Talk) -> dict[str, Any]:
    """What a list shows of a talk."""
    return {"id": talk.id, "title": talk.title, "url": f"/talks/{talk.id}",
            "duration": round(talk.duration or 0.0, 3), "date": talk.date,
            "speakers": talk.all_speakers(), "published": talk.published,
            "has_video": talk.has_video,
            "poster_url": f"/api/talks/{talk.id}/poster.jpg" if talk.poster_path else None}


def public_slot(slot: dict[str, Any], public: set[str]) -> dict[str, Any]:
    """A slot's JSON (:func:`.views.slot_json`) as citizens may see it: the talk id only of a
    public talk, and a cut slot whose talk is not public as ``missing``."""
    talk_id = slot["talk_id"]
    if talk_id is None or talk_id in public:
        return slot
    status = SlotStatus.MISSING.value if slot["status"] == SlotStatus.CUT.value else slot["status"]
    return {**slot, "talk_id": None, "status": status}


def slot_for_reader(row: ProgrammeSlot, tz: ZoneInfo, public: set[str], staff: bool
                    ) -> dict[str, Any]:
    """A slot's JSON for this reader, with its local start and end (``09:30``)."""
    slot = slot_json(row, tz)
    if not staff or row.do_not_record:
        slot = public_slot(slot, public if not row.do_not_record else set())
    start = row.start.astimezone(tz)
    end = start + dt.timedelta(seconds=row.duration)
    return {**slot, "local_start": f"{start:%H:%M}", "local_end": f"{end:%H:%M}",
            "minutes": round(row.duration / 60)}


def _ordered_slots(session: Any, event: Event) -> list[ProgrammeSlot]:
    """Programme order, as :func:`.views.event_detail` gives it: start, then the room's place."""
    rooms = {r.name: r.position for r in session.scalars(
        select(EventRoom).where(EventRoom.event_id == event.id))}
    return sorted(session.scalars(select(ProgrammeSlot).where(ProgrammeSlot.event_id == event.id)),
                  key=lambda s: (s.start, rooms.get(s.room, len(rooms)), s.room, s.title))


def _extra_talks(catalog: cat.Catalog, title: str, linked: set[str], staff: bool
                 ) -> list[cat.Talk]:
    """Talks of the event (by its title) that no slot links to, newest first."""
    with catalog.session() as session:
        rows = session.scalars(select(cat.Talk).where(cat.Talk.event == title)
                               .order_by(cat.Talk.date.desc(), cat.Talk.title)).all()
    return [t for t in rows if t.id not in linked and visible(t, staff)]


def event_slugs(catalog: cat.Catalog) -> dict[str, str]:
    """Event title -> slug, to link a talk's free-text event to its page."""
    with catalog.session() as session:
        return {title: slug for slug, title in session.execute(select(Event.slug, Event.title))}


def events_overview(catalog: cat.Catalog) -> list[dict[str, Any]]:
    """Every event, newest first, with how many public recordings and slots it has."""
    with catalog.session() as session:
        events = list(session.scalars(select(Event).order_by(Event.start.desc(), Event.slug)))
        linked: dict[int, set[str]] = {}
        slots: dict[int, int] = {}
        for event_id, talk_id in session.execute(select(ProgrammeSlot.event_id,
                                                        ProgrammeSlot.talk_id)):
            slots[event_id] = slots.get(event_id, 0) + 1
            if talk_id:
                linked.setdefault(event_id, set()).add(talk_id)
        by_title = {e.title: e.id for e in events}
        extra: dict[int, set[str]] = {}
        for talk_id, name in session.execute(
                select(cat.Talk.id, cat.Talk.event).where(cat.Talk.event.in_(list(by_title)))):
            extra.setdefault(by_title[name or ""], set()).add(talk_id)
        shown = [event_json(e) for e in events]
    public = catalog.public_ids(sorted(set().union(*linked.values(), *extra.values())))
    return [{**e, "talks": len((linked.get(event.id, set()) | extra.get(event.id, set())) & public),
             "slots": slots.get(event.id, 0)} for e, event in zip(shown, events, strict=True)]


def programme(catalog: cat.Catalog, slug: str, *, staff: bool = False) -> dict[str, Any]:
    """The event with its days, each with its slots in programme order (as this reader may
    see them, each with its talk's brief where it links to one), and the event's other
    recordings. :class:`NotFound` for an unknown slug."""
    with catalog.session() as session:
        event = find_event(session, slug)
        tz = ZoneInfo(event.timezone)
        rows = _ordered_slots(session, event)
        days = list(session.scalars(select(EventDay).where(EventDay.event_id == event.id)
                                    .order_by(EventDay.date)))
        rooms = [r.name for r in session.scalars(select(EventRoom).where(
            EventRoom.event_id == event.id).order_by(EventRoom.position))]
        shown = event_json(event)
    linked = {row.talk_id for row in rows if row.talk_id}
    talks = {t.id: t for t in catalog.talks(sorted(linked))} if linked else {}
    public = {tid for tid, t in talks.items() if visible(t, False)}
    slots = [slot_for_reader(row, tz, public, staff) for row in rows]
    for slot in slots:
        talk = talks.get(slot["talk_id"]) if slot["talk_id"] else None
        slot["talk"] = talk_brief(talk) if talk is not None and visible(talk, staff) else None
    by_day: dict[str, list[dict[str, Any]]] = {}
    for slot in slots:
        by_day.setdefault(slot["day"], []).append(slot)
    dates = sorted({d.date for d in days} | set(by_day))
    extra = [talk_brief(t) for t in _extra_talks(catalog, shown["title"], linked, staff)]
    recorded = [s["talk"] for s in slots if s["talk"]] + extra
    return {**shown, "rooms": rooms,
            "days": [{"date": date, "slots": by_day.get(date, [])} for date in dates],
            "extra": extra, "talk_count": len({t["id"] for t in recorded}),
            "slot_count": len(slots)}


Recording = tuple[cat.Talk, dict[str, Any] | None]


def recordings(catalog: cat.Catalog, slug: str) -> tuple[dict[str, Any], list[Recording]]:
    """The event and its public talks for feeds and exports: each talk with its slot (None for
    a talk not in the programme), programme order first. :class:`NotFound` for an unknown
    slug."""
    with catalog.session() as session:
        event = find_event(session, slug)
        tz = ZoneInfo(event.timezone)
        rows = _ordered_slots(session, event)
        slots = [(row.talk_id, slot_json(row, tz)) for row in rows
                 if row.talk_id and not row.do_not_record]
        shown = {**event_json(event), "imported_at": event.imported_at}
    linked = {row.talk_id for row in rows if row.talk_id}  # opted-out slots' too: never "extra"
    talks = {t.id: t for t in catalog.talks(sorted(linked))} if linked else {}
    found: list[Recording] = []
    seen: set[str] = set()
    for talk_id, slot in slots:
        talk = talks.get(talk_id)
        if talk is not None and visible(talk, False) and talk_id not in seen:
            seen.add(talk_id)
            found.append((talk, slot))
    found += [(t, None) for t in _extra_talks(catalog, shown["title"], linked, False)]
    return shown, found
