"""What the staff page shows, in the reader's language: jobs with their state names, progress
and a human message for a failure (the technical one kept for the technician), talks with their
review state (transcribed but not yet published), and the languages a talk can have."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from archive import catalog as cat
from archive import jobs
from archive.programme.tables import DayRecording, Event, EventRoom

from .presenters import talk_json

# endonyms: a language's own name needs no translation
LANGUAGES = {"de": "Deutsch", "en": "English", "fr": "Français", "nl": "Nederlands",
             "it": "Italiano", "es": "Español", "pl": "Polski", "tr": "Türkçe",
             "uk": "Українська", "ru": "Русский", "ar": "العربية"}
ACTIVE = ("queued", "running")
RECENT_JOBS = 30
ROOMS_OFFERED = 100


def language_options(current: str | None) -> list[tuple[str, str]]:
    """The offered languages, with ``current`` among them even when it is not a usual one."""
    options = list(LANGUAGES.items())
    if current and current not in LANGUAGES:
        options.append((current, current))
    return options


def stage_label(stage: str, texts: dict[str, str]) -> str:
    """'transcribing' as 'Transkribiert'; a stage without a text stays as it is."""
    return texts.get(f"stage_{stage.split(' ')[0]}", stage)


def job_view(job: dict[str, Any], texts: dict[str, str], talk_ids: set[str]) -> dict[str, Any]:
    state = job["state"]
    running = state == "running"
    return {
        **job,
        "state_label": texts.get(f"job_{state}", state),
        "active": state in ACTIVE,
        "percent": round(job["progress"] * 100) if running else None,
        "stage_label": stage_label(job["stage"], texts) if running else "",
        "message": texts["job_failed_message"] if state == "failed" else "",
        "index_pending": state == "ready" and "pending" in job["stage"],
        "talk_url": (f"/talks/{job['talk_id']}" if state == "ready" and job["talk_id"] in talk_ids
                     else None),
    }


def talk_view(talk: cat.Talk) -> dict[str, Any]:
    shown = talk_json(talk)
    shown["glossary"] = list(talk.glossary or [])
    shown["in_review"] = not talk.published
    shown["languages"] = language_options(talk.language)
    return shown


def _zone(name: str | None) -> dt.tzinfo:
    try:
        return ZoneInfo(name) if name else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def day_recordings(catalog: cat.Catalog) -> dict[str, Any]:
    """The day recordings (newest first) with their start in their event's time zone, and the
    programme's rooms (newest event first) for the upload form's room field."""
    with catalog.session() as session:
        rows = session.execute(
            select(DayRecording, Event).outerjoin(Event, Event.id == DayRecording.event_id)
            .order_by(DayRecording.starts_at.desc())).all()
        days = []
        for row, event in rows:
            zone = _zone(event.timezone if event else None)
            local = row.starts_at.astimezone(zone)
            days.append({
                "recording": row.content_hash, "room": row.room, "name": row.original_name,
                "duration": row.duration, "has_video": row.has_video,
                "date": local.date().isoformat(), "time": local.strftime("%H:%M"),
                "timezone": getattr(zone, "key", "UTC"),
                "event": event.title if event else None})
        found = session.execute(
            select(EventRoom.name, Event.title).join(Event, Event.id == EventRoom.event_id)
            .order_by(Event.start.desc(), EventRoom.position)).all()
    rooms: dict[str, str] = {}
    for name, title in found:
        rooms.setdefault(name, title)
    return {"day_recordings": days, "rooms": list(rooms.items())[:ROOMS_OFFERED]}


def staff_lists(catalog: cat.Catalog, texts: dict[str, str]) -> dict[str, Any]:
    """The talks (those waiting for review first), the recent jobs and the day recordings with
    the programme's rooms, as the page shows them."""
    talks = [talk_view(t) for t in catalog.talks()]
    talks.sort(key=lambda t: not t["in_review"])  # stable: the catalog's order within each
    ids = {t["id"] for t in talks}
    shown_jobs = [job_view({**j.public_dict(), "title": (j.meta or {}).get("title")}, texts, ids)
                  for j in jobs.recent(catalog, RECENT_JOBS)]
    review = sum(t["in_review"] for t in talks)
    summary = (texts["review_one"] if review == 1
               else texts["review_many"].format(n=review) if review else "")
    return {"talks": talks, "jobs": shown_jobs, "review_summary": summary,
            "busy": any(j["active"] for j in shown_jobs), **day_recordings(catalog),
            "cut_published": {t["id"]: t["published"] for t in talks if t.get("cut")}}
