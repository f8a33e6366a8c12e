"""``talkarchive ingest DAY.mp4 --room Aula``: a room's day recording, cut along the programme.
The options live on ``ingest``; this module runs the day and prints each slot's outcome."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from archive import catalog as cat
from archive.errors import InputError
from archive.settings import Settings
from ingest import cutting, dayrecording

from .common import EXIT_ERROR, progress_bar, stage_reporter

_SAID = {cutting.Placed.CUT: "cut", cutting.Placed.NEEDS_REVIEW: "needs review",
         cutting.Placed.MISSING: "missing"}


def parse_start(value: str | None) -> dt.datetime | None:
    """``--starts-at``: an ISO 8601 time with its offset (2025-09-18T09:00+02:00)."""
    if not value:
        return None
    try:
        found = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"--starts-at {value!r}: not a time; give e.g. "
                         "2025-09-18T09:00+02:00") from None
    if found.tzinfo is None:
        raise InputError(f"--starts-at {value!r} needs its time zone, e.g. 2025-09-18T09:00+02:00")
    return found


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "        "
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def report(result: dayrecording.DayResult, titles: dict[str, str]) -> None:
    if not result.created:
        click.echo(f"day recording {result.recording[:16]} already in the archive "
                   f"({len(result.talks)} talks, event {result.event})")
        return
    for p in result.placements:
        talk = result.talks.get(p.guid, "")
        span = f"{_clock(p.start)}–{_clock(p.end)}" if p.start is not None else " " * 17
        click.echo(f"{_SAID[p.status]:<13} {span}  {p.confidence:4.2f}  {talk:<16}  "
                   f"{titles.get(p.guid, p.guid)[:60]}")
    done = sum(p.status == cutting.Placed.CUT for p in result.placements)
    review = sum(p.status == cutting.Placed.NEEDS_REVIEW for p in result.placements)
    click.echo(f"{done} cut, {review} to review in /admin, "
               f"{len(result.placements) - done - review} missing (event {result.event})")


def ingest_day(settings: Settings, catalog: cat.Catalog, path: Path, room: str,
               starts_at: str | None, quiet: bool) -> None:
    with progress_bar(quiet) as bar:
        task = bar.add_task(f"{path.name}: probing", total=1.0)
        result = dayrecording.ingest_day(settings, catalog, path, room, parse_start(starts_at),
                                         stage_reporter(bar, task, path.name))
        bar.update(task, description=f"{path.name}: done", completed=1, total=1)
    with catalog.session() as session:
        from archive.programme.tables import ProgrammeSlot

        titles = {s.guid: s.title for s in session.query(ProgrammeSlot).all()}
    report(result, titles)
    if not result.talks and result.created:
        sys.exit(EXIT_ERROR)
