"""What importing a programme would change, before it does: the event's own changes, new slots,
changed slots field by field, removed slots, and where staff edits are kept against a changed
programme. Values are compared as JSON shows them (times in the event's time zone), so the
same file twice is "no changes"."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from .model import SLOT_FIELDS, Programme, Slot
from .tables import Event, EventDay, EventRoom, ProgrammeSlot

EVENT_FIELDS = ("title", "start", "end", "place", "timezone", "rooms", "days")


@dataclass(frozen=True)
class Change:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class Kept:
    """Staff changed ``field`` to ``staff``; the programme now says ``programme``."""

    field: str
    staff: Any
    programme: Any


@dataclass
class SlotDiff:
    guid: str
    title: str
    day: str
    start: str
    room: str
    changes: list[Change] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)


@dataclass
class Diff:
    event: str
    new_event: bool = False
    event_changes: list[Change] = field(default_factory=list)
    added: list[SlotDiff] = field(default_factory=list)
    changed: list[SlotDiff] = field(default_factory=list)
    removed: list[SlotDiff] = field(default_factory=list)
    dry_run: bool = False
    applied: bool = False

    @property
    def empty(self) -> bool:
        return not (self.new_event or self.event_changes or self.added or self.changed
                    or self.removed)

    def summary(self) -> str:
        if self.empty:
            return f"{self.event}: no changes"
        counts = f"{len(self.added)} new, {len(self.changed)} changed, {len(self.removed)} removed"
        what = "new event" if self.new_event else "event changed" if self.event_changes else "event"
        done = "dry run, nothing applied" if self.dry_run else "applied" if self.applied else "not applied"
        return f"{self.event} ({what}): {counts} slot(s); {done}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "empty": self.empty, "summary": self.summary()}


def plain(value: Any, tz: ZoneInfo) -> Any:
    """A value as JSON shows it: times in the event's time zone, lists for tuples."""
    if isinstance(value, dt.datetime):
        return value.astimezone(tz).isoformat()
    return list(value) if isinstance(value, tuple | list) else value


def slot_values(slot: Slot | ProgrammeSlot, tz: ZoneInfo) -> dict[str, Any]:
    return {name: plain(getattr(slot, name), tz) for name in SLOT_FIELDS}


def event_values(event: Event, days: list[EventDay], rooms: list[EventRoom],
                 tz: ZoneInfo) -> dict[str, Any]:
    return {"title": event.title, "start": event.start, "end": event.end, "place": event.place,
            "timezone": event.timezone,
            "rooms": [r.name for r in sorted(rooms, key=lambda r: r.position)],
            "days": [_day(d.index, d.date, d.start, d.end, tz)
                     for d in sorted(days, key=lambda d: d.date)]}


def wanted_event(programme: Programme, current: dict[str, Any] | None, tz: ZoneInfo
                 ) -> dict[str, Any]:
    """The event as it will be: a title or place the file does not give stays as it is."""
    info = programme.event
    title = info.title or (current["title"] if current else info.slug)
    place = info.place if info.place is not None else (current or {}).get("place")
    return {"title": title, "start": info.start, "end": info.end, "place": place,
            "timezone": info.timezone, "rooms": list(programme.rooms),
            "days": [_day(d.index, d.date, d.start, d.end, tz) for d in programme.days]}


def _day(index: int, date: str, start: dt.datetime | None, end: dt.datetime | None,
         tz: ZoneInfo) -> dict[str, Any]:
    return {"index": index, "date": date, "start": plain(start, tz), "end": plain(end, tz)}


def _entry(guid: str, values: dict[str, Any]) -> SlotDiff:
    return SlotDiff(guid, values["title"], values["day"], values["start"], values["room"])


def _compare_slot(row: ProgrammeSlot, new: dict[str, Any], tz: ZoneInfo) -> SlotDiff:
    old = slot_values(row, tz)
    overrides = row.overrides or {}
    entry = _entry(row.guid, {**new, "title": old["title"]})
    for name in SLOT_FIELDS:
        if name in overrides:
            if overrides[name] != new[name]:
                entry.kept.append(Kept(name, old[name], new[name]))
        elif old[name] != new[name]:
            entry.changes.append(Change(name, old[name], new[name]))
    return entry


def compare(programme: Programme, event: Event | None, days: list[EventDay],
            rooms: list[EventRoom], rows: list[ProgrammeSlot]) -> Diff:
    """The diff between the catalog's event (None: not there yet) and ``programme``."""
    tz = ZoneInfo(programme.event.timezone)
    diff = Diff(programme.event.slug, new_event=event is None)
    current = event_values(event, days, rooms, tz) if event is not None else None
    wanted = wanted_event(programme, current, tz)
    if current is not None:
        diff.event_changes = [Change(name, current[name], wanted[name]) for name in EVENT_FIELDS
                              if current[name] != wanted[name]]
    by_guid = {row.guid: row for row in rows}
    for slot in programme.slots:
        row = by_guid.pop(slot.guid, None)
        new = slot_values(slot, tz)
        if row is None:
            diff.added.append(_entry(slot.guid, new))
            continue
        entry = _compare_slot(row, new, tz)
        if entry.changes or entry.kept:
            diff.changed.append(entry)
    diff.removed = [_entry(row.guid, slot_values(row, tz)) for row in by_guid.values()]
    for entries in (diff.added, diff.changed, diff.removed):
        entries.sort(key=lambda e: (e.start, e.room, e.title))
    return diff
