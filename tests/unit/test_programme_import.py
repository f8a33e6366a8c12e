"""Importing a programme into the catalog: the exact diff, idempotent re-import, staff edits that
survive it, dry runs and bad files that change nothing, one transaction. Runs on SQLite here and
on PostgreSQL in tests/integration/test_catalog_on_postgres_programme.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from archive import backup
from archive import catalog as cat
from archive.errors import InputError, NotFound
from archive.programme import apply, views
from archive.programme.apply import import_programme
from archive.programme.diff import Change, Kept
from archive.programme.edit import edit_slot
from archive.programme.model import Options, ProgrammeError
from archive.programme.read import read_programme
from archive.programme.tables import Event, EventDay, EventRoom, ProgrammeSlot
from archive.settings import Settings

from .test_programme_readers import CSV, DATA

pytestmark = pytest.mark.usefixtures("catalog_url")
XML_SLUG = "smartcities-2025"
KEYNOTE = "5a7c2e4e-0c1b-4d0e-9a51-000000000001"
PODIUM = "5a7c2e4e-0c1b-4d0e-9a51-000000000002"
BUS = "5a7c2e4e-0c1b-4d0e-9a51-000000000003"
RATHAUS = "5a7c2e4e-0c1b-4d0e-9a51-000000000004"


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[cat.Catalog]:
    catalog = cat.Catalog(Settings(data_dir=tmp_path))
    yield catalog
    catalog.dispose()


def xml(**replace: str) -> bytes:
    text = (DATA / "schedule.xml").read_text()
    for old, new in replace.items():
        assert old.replace("_", " ") in text, old
        text = text.replace(old.replace("_", " "), new)
    return text.encode()


def run(catalog: cat.Catalog, data: bytes, name: str = "schedule.xml", options: Options | None = None,
        dry_run: bool = False) -> Any:
    return import_programme(catalog, read_programme(data, name, options), dry_run=dry_run)


def counts(catalog: cat.Catalog) -> tuple[int, ...]:
    with catalog.session() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) or 0
                     for t in (Event, EventDay, EventRoom, ProgrammeSlot))


def test_first_import_then_the_same_file_changes_nothing(catalog: cat.Catalog) -> None:
    first = run(catalog, xml())
    assert first.new_event and first.applied and not first.dry_run
    assert [e.guid for e in first.added] == [BUS, KEYNOTE, PODIUM, RATHAUS]  # start, room, title
    assert first.added[0].start == "2025-09-18T09:30:00+02:00" and not first.changed
    assert counts(catalog) == (1, 2, 2, 4)
    again = run(catalog, xml())
    assert again.empty and not again.applied and again.summary() == f"{XML_SLUG}: no changes"
    event = views.event_detail(catalog, XML_SLUG)
    assert {k: event[k] for k in ("slug", "title", "start", "end", "place", "timezone")} == {
        "slug": XML_SLUG, "title": "Smart Cities Konferenz 2025", "start": "2025-09-18",
        "end": "2025-09-19", "place": None, "timezone": "Europe/Berlin"}
    assert event["rooms"] == ["Saal Südwestfalen", "Raum Menden"]
    assert event["days"][0] == {"index": 1, "date": "2025-09-18", "start": "2025-09-18T04:00:00+02:00",
                                "end": "2025-09-19T03:59:00+02:00"}
    # programme order: start, then the room's place in the programme
    assert [s["guid"] for s in event["slots"]] == [KEYNOTE, BUS, PODIUM, RATHAUS]
    podium = event["slots"][2]
    assert podium["status"] == "not_recorded" and podium["do_not_record"]
    assert {s["status"] for s in event["slots"] if s["guid"] != PODIUM} == {"missing"}
    assert podium["start"] == "2025-09-18T10:30:00+02:00" and podium["duration"] == 3600
    assert podium["talk_id"] is None and podium["persons"] == ["Paul Hoffmann"]


def test_a_changed_file_gives_the_exact_diff(catalog: cat.Catalog) -> None:
    run(catalog, xml())
    changed = xml(**{"Das_digitale_Rathaus_in_Olpe": "Das digitale Rathaus in Soest",
                     "<date>2025-09-18T10:30:00+02:00</date>": "<date>2025-09-18T10:45:00+02:00</date>",
                     "<person_id=\"3\">Paul_Hoffmann</person>":
                         "<person>Paul Hoffmann</person><person>Eva Roth</person>",
                     "<title>Smart_Cities_Konferenz_2025</title>": "<title>Smart Cities 2025</title>",
                     "9a51-000000000003": "9a51-000000000005"})
    diff = run(catalog, changed, dry_run=True)
    assert diff.dry_run and not diff.applied and not diff.new_event
    assert diff.event_changes == [Change("title", "Smart Cities Konferenz 2025", "Smart Cities 2025")]
    assert [(e.guid, e.title) for e in diff.added] == [
        ("5a7c2e4e-0c1b-4d0e-9a51-000000000005", "Bürgerbus on demand in Bad Berleburg")]
    assert [(e.guid, e.title) for e in diff.removed] == [(BUS, "Bürgerbus on demand in Bad Berleburg")]
    assert [(e.guid, e.changes) for e in diff.changed] == [
        (PODIUM, [Change("start", "2025-09-18T10:30:00+02:00", "2025-09-18T10:45:00+02:00"),
                  Change("persons", ["Paul Hoffmann"], ["Paul Hoffmann", "Eva Roth"])]),
        (RATHAUS, [Change("title", "Das digitale Rathaus in Olpe", "Das digitale Rathaus in Soest")])]
    assert diff.summary() == (f"{XML_SLUG} (event changed): 1 new, 2 changed, 1 removed slot(s); "
                              "dry run, nothing applied")
    assert run(catalog, xml()).empty  # the dry run wrote nothing
    applied = run(catalog, changed)
    assert applied.applied and applied.to_dict()["changed"] == diff.to_dict()["changed"]
    assert run(catalog, changed).empty
    slots = {s["guid"]: s for s in views.event_detail(catalog, XML_SLUG)["slots"]}
    assert BUS not in slots and slots[RATHAUS]["title"] == "Das digitale Rathaus in Soest"
    assert slots[PODIUM]["start"] == "2025-09-18T10:45:00+02:00"


def test_staff_edits_survive_a_reimport_until_reverted(catalog: cat.Catalog) -> None:
    run(catalog, xml())
    slot = edit_slot(catalog, XML_SLUG, RATHAUS.upper(), {"title": "Das digitale Rathaus (Olpe)",
                                                          "persons": ["Jonas Weber", "Lena Schulte"]})
    assert slot["title"] == "Das digitale Rathaus (Olpe)" and slot["overridden"] == ["persons", "title"]
    edit_slot(catalog, XML_SLUG, KEYNOTE, {"do_not_record": True})  # the speaker said no on the day
    assert run(catalog, xml()).empty  # the programme has not changed: nothing to say
    newer = xml(**{"Das_digitale_Rathaus_in_Olpe": "Digitales Rathaus Olpe",
                   "Vom_Antrag_bis_zum_Bescheid": "Vom Antrag zum Bescheid"})
    diff = run(catalog, newer)
    (entry,) = diff.changed
    assert entry.title == "Das digitale Rathaus (Olpe)"
    assert entry.changes == [Change("abstract", "Vom Antrag bis zum Bescheid ohne Papier.",
                                    "Vom Antrag zum Bescheid ohne Papier.")]
    assert entry.kept == [Kept("title", "Das digitale Rathaus (Olpe)", "Digitales Rathaus Olpe")]
    assert run(catalog, newer).empty
    slots = {s["guid"]: s for s in views.event_detail(catalog, XML_SLUG)["slots"]}
    assert slots[RATHAUS]["title"] == "Das digitale Rathaus (Olpe)"
    assert slots[RATHAUS]["abstract"] == "Vom Antrag zum Bescheid ohne Papier."
    assert slots[KEYNOTE]["status"] == "not_recorded"
    reverted = edit_slot(catalog, XML_SLUG, RATHAUS, {}, revert=["title"])
    assert reverted["title"] == "Digitales Rathaus Olpe" and reverted["overridden"] == ["persons"]
    assert reverted["persons"] == ["Jonas Weber", "Lena Schulte"]
    assert run(catalog, newer).empty
    both = edit_slot(catalog, XML_SLUG, RATHAUS, {"persons": ["Jonas Weber"]}, revert=["persons"])
    assert both["persons"] == ["Jonas Weber"] and both["overridden"] == ["persons"]
    assert edit_slot(catalog, XML_SLUG, RATHAUS, {}, revert=["persons"])["persons"] == ["Jonas Weber"]


def test_edit_errors(catalog: cat.Catalog) -> None:
    run(catalog, xml())
    with pytest.raises(NotFound):
        edit_slot(catalog, "nope", KEYNOTE, {"title": "x"})
    with pytest.raises(NotFound):
        edit_slot(catalog, XML_SLUG, "5a7c2e4e-0c1b-4d0e-9a51-999999999999", {"title": "x"})
    for changes, revert in (({"start": "10:00"}, ()), ({"title": " "}, ()), ({}, ()),
                            ({"do_not_record": "ja"}, ()),
                            ({}, ["room"]), ({"persons": "Anna"}, ())):
        with pytest.raises(InputError):
            edit_slot(catalog, XML_SLUG, KEYNOTE, changes, revert)


def test_a_bad_file_leaves_the_catalog_unchanged(catalog: cat.Catalog) -> None:
    run(catalog, xml())
    before = views.event_detail(catalog, XML_SLUG)
    for name in ("schedule-invalid.xml", "schedule-invalid.json", "agenda-invalid.csv"):
        with pytest.raises(ProgrammeError):
            run(catalog, (DATA / name).read_bytes(), name, CSV)
    assert views.event_detail(catalog, XML_SLUG) == before and counts(catalog) == (1, 2, 2, 4)


def test_a_failure_while_applying_rolls_everything_back(catalog: cat.Catalog,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    run(catalog, xml())
    before = views.event_detail(catalog, XML_SLUG)

    def broken(*_args: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(apply, "_save_slots", broken)
    with pytest.raises(RuntimeError):
        run(catalog, xml(**{"Smart_Cities_Konferenz_2025": "Smart Cities 2025"}))
    assert views.event_detail(catalog, XML_SLUG) == before
    with pytest.raises(RuntimeError):
        run(catalog, (DATA / "agenda.csv").read_bytes(), "agenda.csv", CSV)
    assert [e["slug"] for e in views.list_events(catalog)] == [XML_SLUG]


def test_csv_and_json_events_side_by_side(catalog: cat.Catalog) -> None:
    csv = (DATA / "agenda.csv").read_bytes()
    assert run(catalog, csv, "agenda.csv", Options("smart-cities-2025", place="Soest")).applied
    assert run(catalog, (DATA / "schedule.json").read_bytes(), "schedule.json").applied
    assert [e["slug"] for e in views.list_events(catalog)] == ["smart-cities-2025", "werkstatt_2025"]
    # no title given: the slug; a re-import without --place keeps the place
    assert run(catalog, csv, "agenda.csv", Options("smart-cities-2025")).empty
    event = views.event_detail(catalog, "smart-cities-2025")
    assert (event["title"], event["place"]) == ("smart-cities-2025", "Soest")
    titled = run(catalog, csv, "agenda.csv", CSV)
    assert titled.event_changes == [Change("title", "smart-cities-2025", "Smart Cities 2025")]
    fixed = csv.replace("Bürgerbus on demand".encode(), "Bürgerbus auf Abruf".encode())
    (entry,) = run(catalog, fixed, "agenda.csv", CSV).changed  # a typo fix: the same slot
    assert entry.changes == [Change("title", "Bürgerbus on demand", "Bürgerbus auf Abruf")]
    werkstatt = views.event_detail(catalog, "werkstatt_2025")
    assert [s["status"] for s in werkstatt["slots"]] == ["missing", "missing", "not_recorded"]


def test_starts_are_stored_as_instants(catalog: cat.Catalog) -> None:
    run(catalog, xml())
    with catalog.session() as s:
        slot = s.scalar(select(ProgrammeSlot).where(ProgrammeSlot.guid == KEYNOTE))
        assert slot is not None and slot.start == dt.datetime(2025, 9, 18, 7, 30, tzinfo=dt.UTC)
    # the same times in another time zone's notation are no change
    utc = xml(**{"<date>2025-09-18T09:30:00+02:00</date>": "<date>2025-09-18T07:30:00Z</date>"})
    assert run(catalog, utc).empty


def test_a_backup_keeps_the_programme(tmp_path: Path, catalog: cat.Catalog, catalog_url: str | None) -> None:
    if catalog_url is not None:
        pytest.skip("a restore needs an empty catalog: here the SQLite one of a new data dir")
    run(catalog, xml())
    edit_slot(catalog, XML_SLUG, RATHAUS, {"title": "Das digitale Rathaus (Olpe)"})
    before = views.event_detail(catalog, XML_SLUG)
    out = tmp_path / "backup.tar.gz"
    with out.open("wb") as f:
        manifest = backup.backup(Settings(data_dir=tmp_path), catalog, f)
    assert manifest["rows"]["programme_slots"] == 4 and manifest["rows"]["events"] == 1
    target = Settings(data_dir=tmp_path / "restored")
    backup.restore(target, out)
    restored = cat.Catalog(target)
    try:
        assert views.event_detail(restored, XML_SLUG) == before
        assert run(restored, xml()).empty
    finally:
        restored.dispose()
