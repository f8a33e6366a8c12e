"""Staff edits of a slot (title, persons, abstract, track, type, language, licence,
do_not_record). Each changed field is recorded in the slot's ``overrides`` with what the
programme said for it, so a re-import leaves it; reverting a field puts the programme's value
back (the newest one a re-import saw) and the programme rules that field again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..catalog import Catalog
from ..errors import InputError, NotFound
from .apply import LOCK
from .diff import plain
from .model import EDITABLE, ProgrammeError, persons, required, text
from .tables import ProgrammeSlot
from .views import find_event, slot_json


def _editable(name: str) -> None:
    if name not in EDITABLE:
        raise InputError(f"{name!r} cannot be edited (editable: {', '.join(EDITABLE)})")


def _clean(name: str, value: Any) -> Any:
    _editable(name)
    try:
        if name == "do_not_record":
            if not isinstance(value, bool):
                raise ProgrammeError(f"{name}: true or false")
            return value
        if name == "persons":
            if not isinstance(value, list | tuple):
                raise ProgrammeError(f"{name}: a list of names")
            return list(persons(value, name))
        cleaned = text(value, name, name)
        return required(cleaned, name, name) if name == "title" else cleaned
    except ProgrammeError as exc:
        raise InputError(exc.message) from None


def edit_slot(catalog: Catalog, slug: str, guid: str, changes: Mapping[str, Any],
              revert: Iterable[str] = ()) -> dict[str, Any]:
    """Revert the fields named in ``revert``, then apply staff's ``changes`` to a slot (a field
    in both ends up changed, against the programme's value); the slot as JSON."""
    revert = list(dict.fromkeys(revert))
    cleaned = {name: _clean(name, value) for name, value in changes.items()}
    for name in revert:
        _editable(name)
    if not cleaned and not revert:
        raise InputError("nothing to change")
    with catalog.exclusive(LOCK), catalog.session() as session:
        event = find_event(session, slug)
        slot = session.scalar(select(ProgrammeSlot).where(
            ProgrammeSlot.event_id == event.id, ProgrammeSlot.guid == guid.lower()))
        if slot is None:
            raise NotFound(f"no slot {guid!r} in event {slug!r}")
        tz = ZoneInfo(event.timezone)
        overrides = dict(slot.overrides or {})
        for name in revert:
            if name in overrides:
                setattr(slot, name, overrides.pop(name))
        for name, value in cleaned.items():
            overrides.setdefault(name, plain(getattr(slot, name), tz))
            setattr(slot, name, value)
        slot.overrides = overrides
        return slot_json(slot, tz)
