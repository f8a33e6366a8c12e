"""A conference day for the end-to-end tests: our own day recording (tests/dayrecording.py)
and its late-running programme imported, the recording cut by the real `talkarchive ingest
--room`, and `talkarchive serve` on it. Built once per session and shared, because transcribing
the day is the expensive part; the cuts as first proposed are kept before any test moves one."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive import catalog as cat
from archive.programme.tables import ProgrammeSlot

from ..conftest import SHARED, Archive, free_port, make_archive, start_serve
from ..dayrecording import DayRecording, build_day


@dataclass
class Day:
    day: DayRecording
    archive: Archive
    url: str
    output: str  # what `talkarchive ingest --room` printed
    cuts: dict[str, dict]  # type: ignore[type-arg]  # slot guid -> the talk's cut as proposed
    talks: dict[str, str]  # slot guid -> talk id
    status: dict[str, str]  # slot guid -> slot status as proposed


def _proposed(archive: Archive) -> tuple[dict[str, dict], dict[str, str], dict[str, str]]:  # type: ignore[type-arg]
    catalog = cat.Catalog(archive.settings())
    try:
        with catalog.session() as session:
            slots = session.query(ProgrammeSlot).all()
            talks = {s.guid: s.talk_id for s in slots if s.talk_id}
            status = {s.guid: s.status.value for s in slots}
            cuts = {g: dict(session.get(cat.Talk, t).cut or {}) for g, t in talks.items()}  # type: ignore[union-attr]
    finally:
        catalog.dispose()
    return cuts, talks, status


@pytest.fixture(scope="session")
def conference_day(meili_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    if not (SHARED / "talks_de").is_dir() or not (SHARED / "speech_de").is_dir():
        pytest.skip(f"{SHARED} is absent (not in a user's clone)")
    tmp = tmp_path_factory.mktemp("conference-day")
    day = build_day(tmp_path_factory.getbasetemp().parent / "day-recording-build")
    archive = make_archive(tmp, meili_server)
    archive.run("programme", "import", str(day.schedule))
    done = archive.run("ingest", str(day.video), "--room", day.room, "-q")
    cuts, talks, status = _proposed(archive)
    port = free_port()
    archive.env["TALKARCHIVE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"
    proc, url = start_serve(archive, tmp, port)
    try:
        yield Day(day, archive, url, done.stdout, cuts, talks, status)
    finally:
        proc.terminate()
        proc.wait(30)


def ffprobe_json(path: Path, *args: str) -> dict:  # type: ignore[type-arg]
    out = subprocess.run(["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)  # type: ignore[no-any-return]
