"""Import a programme into the catalog: the diff first (:mod:`.diff`), then, unless it is a dry
run or there is nothing to do, every change in one transaction, so a failure leaves the catalog
as it was. One import at a time (a catalog lock): two at once would both see the event as new.

Slots are matched by guid; a slot's fields that staff overrode keep staff's value, and the
programme's newest value for them is kept in ``overrides`` (see :mod:`archive.programme`).
Rooms and days are matched by name and date, so their rows (and ids) stay."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..catalog import Catalog
from ..clock import now
from .diff import Diff, compare, plain, wanted_event
from .model import SLOT_FIELDS, Programme
from .tables import Event, EventDay, EventRoom, ProgrammeSlot

LOCK = "programme"


def _children(session: Session, event: Event | None
              ) -> tuple[list[EventDay], list[EventRoom], list[ProgrammeSlot]]:
    if event is None:
        return [], [], []
    days = list(session.scalars(select(EventDay).where(EventDay.event_id == event.id)))
    rooms = list(session.scalars(select(EventRoom).where(EventRoom.event_id == event.id)))
    slots = list(session.scalars(select(ProgrammeSlot).where(ProgrammeSlot.event_id == event.id)))
    return days, rooms, slots


def _save_event(session: Session, event: Event | None, wanted: dict[str, Any],
                programme: Programme) -> Event:
    if event is None:
        event = Event(slug=programme.event.slug)
        session.add(event)
    for name in ("title", "start", "end", "place", "timezone"):
        setattr(event, name, wanted[name])
    event.source = programme.source
    event.imported_at = now()
    session.flush()  # its id, for new days, rooms and slots
    return event


def _sync(session: Session, rows: list[Any], wanted: list[dict[str, Any]], key: str,
          make: type[EventDay] | type[EventRoom], event_id: int) -> None:
    """Rows matched by ``key``: updated in place, added, or deleted when no longer wanted."""
    by_key = {getattr(row, key): row for row in rows}
    for values in wanted:
        row = by_key.pop(values[key], None)
        if row is None:
            session.add(make(event_id=event_id, **values))
            continue
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
    for row in by_key.values():
        session.delete(row)


def _save_slots(session: Session, event: Event, rows: list[ProgrammeSlot],
                programme: Programme, tz: ZoneInfo) -> None:
    by_guid = {row.guid: row for row in rows}
    for slot in programme.slots:
        row = by_guid.pop(slot.guid, None)
        if row is None:
            row = ProgrammeSlot(event_id=event.id, guid=slot.guid, overrides={})
            session.add(row)
        overrides = dict(row.overrides or {})
        for name in SLOT_FIELDS:
            value = getattr(slot, name)
            value = list(value) if isinstance(value, tuple) else value
            if name in overrides:
                overrides[name] = plain(value, tz)
            elif getattr(row, name) != value:
                setattr(row, name, value)
        if overrides != row.overrides:
            row.overrides = overrides  # a new object: the JSON column sees the change
    for row in by_guid.values():
        session.delete(row)


def import_programme(catalog: Catalog, programme: Programme, *, dry_run: bool = False) -> Diff:
    """Compare ``programme`` with the catalog and, unless ``dry_run``, apply the difference;
    the diff, with ``applied`` set when something was written."""
    tz = ZoneInfo(programme.event.timezone)
    with catalog.exclusive(LOCK), catalog.session() as session:
        event = session.scalar(select(Event).where(Event.slug == programme.event.slug))
        days, rooms, rows = _children(session, event)
        diff = compare(programme, event, days, rooms, rows)
        diff.dry_run = dry_run
        if dry_run or diff.empty:
            return diff
        current = {"title": event.title, "place": event.place} if event is not None else None
        event = _save_event(session, event, wanted_event(programme, current, tz), programme)
        _sync(session, days, [{"index": d.index, "date": d.date, "start": d.start, "end": d.end}
                              for d in programme.days], "date", EventDay, event.id)
        _sync(session, rooms, [{"name": name, "position": n}
                               for n, name in enumerate(programme.rooms)], "name", EventRoom,
              event.id)
        _save_slots(session, event, rows, programme, tz)
        diff.applied = True
    return diff
