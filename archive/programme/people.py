"""People across events: a person's slug (``Jürgen Müller`` -> ``juergen-mueller``) and
everything the archive knows under it: the published talks that list the name as a speaker or
where staff gave the name to a voice (with how long that voice speaks), and the programme slots
that list the person.

A person is known only by name: the same slug is the same person. Unpublished talks are left
out for citizens; a slot whose talk is not public shows its status only (see :mod:`.listing`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from .. import catalog as cat
from ..errors import NotFound
from .listing import slot_for_reader, talk_brief, visible
from .tables import Event, ProgrammeSlot

MAX_SLUG = 100
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss", "ẞ": "SS"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def person_slug(name: str | None) -> str:
    """The name in lower-case ASCII words joined by '-': German umlauts transliterated
    (ä -> ae, ß -> ss), other accents dropped (é -> e). '' for a name with no Latin letter or
    digit (it gets no page)."""
    text = unicodedata.normalize("NFC", name or "").translate(_GERMAN)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", text.lower()).strip("-")[:MAX_SLUG].rstrip("-")


def _seconds_by_voice(catalog: cat.Catalog, talk_ids: list[str]) -> dict[tuple[str, str], float]:
    """How long each named voice speaks: (talk id, label) -> seconds, from the voice samples
    staff named."""
    if not talk_ids:
        return {}
    with catalog.session() as session:
        rows = session.scalars(select(cat.VoiceSample).where(cat.VoiceSample.talk_id.in_(talk_ids)))
        return {(row.talk_id, row.label): row.seconds for row in rows}


def person(catalog: cat.Catalog, slug: str, *, staff: bool = False) -> dict[str, Any]:
    """The person behind ``slug``: ``name`` (the spelling used most), ``talks`` (newest first,
    each with its event and the voice staff named, if any) and ``slots`` (programme slots that
    list the person and have no talk the reader may see). :class:`NotFound` when nothing
    carries the name."""
    if not slug or len(slug) > MAX_SLUG:
        raise NotFound(f"no speaker {slug[:MAX_SLUG]!r}")
    spellings: Counter[str] = Counter()
    talks: dict[str, dict[str, Any]] = {}
    for talk in catalog.talks():
        if not visible(talk, staff):
            continue
        listed = [n for n in talk.speakers or [] if person_slug(n) == slug]
        voices = sorted(label for label, n in (talk.speaker_names or {}).items()
                        if person_slug(n) == slug)
        if not listed and not voices:
            continue
        spellings.update(listed or [talk.speaker_names[v] for v in voices])
        talks[talk.id] = {**talk_brief(talk), "voices": voices, "event": None, "slot": None,
                          "event_name": talk.event}
    seconds = _seconds_by_voice(catalog, [tid for tid, t in talks.items() if t["voices"]])
    for talk_id, shown in talks.items():
        shown["voices"] = [{"label": label, "seconds": seconds.get((talk_id, label))}
                           for label in shown["voices"]]
    slots: list[dict[str, Any]] = []
    with catalog.session() as session:
        events = {e.id: e for e in session.scalars(select(Event))}
        public = catalog.public_ids([s for s in session.scalars(
            select(ProgrammeSlot.talk_id).where(ProgrammeSlot.talk_id.is_not(None))) if s])
        for row in session.scalars(select(ProgrammeSlot)):
            mine = [n for n in row.persons or [] if person_slug(n) == slug]
            if not mine:
                continue
            spellings.update(mine)
            event = events[row.event_id]
            slot = slot_for_reader(row, ZoneInfo(event.timezone), public, staff)
            event_ref = {"slug": event.slug, "title": event.title}
            if slot["talk_id"] in talks:
                talks[slot["talk_id"]].update(event=event_ref, slot=slot)
            else:
                slots.append({**slot, "event": event_ref})
    if not spellings:
        raise NotFound(f"no speaker {slug!r}")
    # a slot's talk that does not list the person (staff changed its speakers) is still theirs
    others = {s["talk_id"]: s for s in slots if s["talk_id"]}
    for talk in catalog.talks(sorted(others)) if others else []:
        if visible(talk, staff):
            slot = others[talk.id]
            talks[talk.id] = {**talk_brief(talk), "voices": [], "event": slot["event"],
                              "slot": slot, "event_name": talk.event}
    slots = [s for s in slots if s["talk_id"] not in talks]
    listed_talks = sorted(talks.values(), key=lambda t: (t["slot"]["start"] if t["slot"] else
                                                          t["date"] or "", t["title"]), reverse=True)
    slots.sort(key=lambda s: (s["start"], s["title"]), reverse=True)
    return {"slug": slug, "name": spellings.most_common(1)[0][0], "talks": listed_talks,
            "slots": slots}
