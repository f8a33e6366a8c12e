"""The programme readers: schedule.xml, schedule JSON and the German CSV agenda, on our own small
files (tests/data/programme) and on the shared pretalx export where ../shared is there; a bad
file is refused with the element, JSON path or line that is wrong."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from archive.programme.model import Options, ProgrammeError
from archive.programme.read import read_programme

from ..conftest import ROOT

DATA = ROOT / "tests" / "data" / "programme"
SHARED = ROOT.parent / "shared" / "schemas" / "schedule"
CSV = Options(event_slug="smart-cities-2025", event_title="Smart Cities 2025")
needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason=f"{SHARED} is absent (not in a user's clone)")


def read(name: str, options: Options | None = None, data: bytes | None = None):  # type: ignore[no-untyped-def]
    return read_programme(data if data is not None else (DATA / name).read_bytes(), name, options)


def refused(name: str, data: bytes | None = None, options: Options | None = None) -> str:
    with pytest.raises(ProgrammeError) as caught:
        read(name, options, data)
    assert caught.value.status == 422 and caught.value.code == "bad_programme"
    assert "\n" not in caught.value.message
    return caught.value.message


def test_schedule_xml_is_read_with_rooms_days_and_opt_out() -> None:
    p = read("schedule.xml")
    assert p.source == "schedule.xml"
    assert (p.event.slug, p.event.title, p.event.start, p.event.end, p.event.timezone) == (
        "smartcities-2025", "Smart Cities Konferenz 2025", "2025-09-18", "2025-09-19", "Europe/Berlin")
    assert p.rooms == ("Saal Südwestfalen", "Raum Menden")
    assert [d.date for d in p.days] == ["2025-09-18", "2025-09-19"]
    keynote, podium, bus, rathaus = p.slots
    assert keynote.start == dt.datetime(2025, 9, 18, 7, 30, tzinfo=dt.UTC)
    assert keynote.start.utcoffset() == dt.timedelta(hours=2)
    assert (keynote.duration, keynote.persons, keynote.licence, keynote.track) == (
        2700, ("Anna Becker", "Jonas Weber"), "CC BY 4.0", "Plenum")
    assert podium.do_not_record and not keynote.do_not_record and not bus.do_not_record
    assert podium.abstract is None and podium.licence is None
    assert (bus.room, bus.day, rathaus.day) == ("Raum Menden", "2025-09-18", "2025-09-19")


def test_schedule_json_is_read_with_opt_out() -> None:
    p = read("schedule.json")
    assert (p.source, p.event.slug, p.event.timezone) == ("schedule.json", "werkstatt_2025", "Europe/Berlin")
    assert p.rooms == ("Rathaussaal", "Stadtbücherei")
    daten, gespraech, sensoren = p.slots
    assert daten.start.isoformat() == "2025-03-12T10:00:00+01:00" and daten.duration == 2400
    assert gespraech.do_not_record and not daten.do_not_record and not sensoren.do_not_record
    assert gespraech.persons == ("Tobias Lange", "Miriam Klein") and gespraech.track is None
    assert sensoren.persons == ("Sven Åström",)


def test_csv_agenda_is_read_in_the_given_time_zone() -> None:
    p = read("agenda.csv", CSV)
    assert (p.source, p.event.slug, p.event.title, p.event.start, p.event.end) == (
        "csv", "smart-cities-2025", "Smart Cities 2025", "2025-09-18", "2025-09-19")
    keynote, bus, podium = p.slots
    assert keynote.start.isoformat() == "2025-09-18T09:30:00+02:00" and keynote.duration == 2700
    assert bus.duration == 1800  # "30": minutes
    assert podium.persons == ("Paul Hoffmann", "Miriam Klein", "Tobias Lange")
    assert p.rooms == ("Saal A", "Saal B") and [d.index for d in p.days] == [1, 2]
    winter = read("agenda.csv", Options(event_slug="smart-cities-2025", timezone="America/New_York"))
    assert winter.slots[0].start.isoformat() == "2025-09-18T09:30:00-04:00"


def test_csv_guid_survives_a_fixed_title_but_not_a_move() -> None:
    text = (DATA / "agenda.csv").read_text()
    first = read("agenda.csv", CSV)
    fixed = read("agenda.csv", CSV, text.replace("Keynote;Saal A", "Keynote!;saal  a").encode())
    moved = read("agenda.csv", CSV, text.replace("09:30;00:45", "09:45;00:45").encode())
    assert fixed.slots[0].guid == first.slots[0].guid and fixed.slots[0].title == "Begrüßung und Keynote!"
    assert moved.slots[0].guid != first.slots[0].guid
    other_event = read("agenda.csv", Options(event_slug="smart-cities-2026"))
    assert other_event.slots[0].guid != first.slots[0].guid


def test_csv_with_a_kennung_comma_separated_and_windows_1252() -> None:
    data = ('datum,beginn,dauer,titel,raum,vortragende,kennung,aufzeichnung,sprache\n'
            '2025-09-18,9.30 Uhr,1:15,Grüße aus Menden,Saal A,"Anna Becker, Jonas Weber",k1,nein,de\n'
            '\n'
            '18.09.2025,11:00,20,Zwönitz,Saal A,,k2,ja,\n').encode("cp1252")
    p = read("agenda.csv", CSV, data)
    greet, zwoenitz = p.slots
    assert greet.title == "Grüße aus Menden" and greet.start.hour == 9 and greet.duration == 4500
    assert greet.persons == ("Anna Becker", "Jonas Weber") and greet.language == "de"
    assert greet.do_not_record and not zwoenitz.do_not_record and zwoenitz.persons == ()
    moved = read("agenda.csv", CSV, data.replace(b"9.30 Uhr", b"10:00"))
    assert moved.slots[0].guid == greet.guid


@pytest.mark.parametrize(("name", "expected"), [
    ("schedule-invalid.xml", "schedule-invalid.xml: line 19, /schedule/day[1]/room[1]/event[1]/start: "),
    ("schedule-invalid.json", "schedule-invalid.json: $.schedule.conference.days[0].rooms.Rathaussaal[1].id: "
                              "'102' is not of type 'integer'"),
    ("agenda-invalid.csv", "agenda-invalid.csv: line 4: Beginn '9 Uhr' is not a time (09:30)"),
])
def test_invalid_files_name_the_element_path_or_line(name: str, expected: str) -> None:
    assert refused(name, options=CSV).startswith(expected)


def test_xml_that_is_not_well_formed_or_misses_an_element() -> None:
    text = (DATA / "schedule.xml").read_text()
    assert refused("s.xml", text.replace("</title>", "</titel>", 1).encode()).startswith(
        "s.xml: line 6: not well-formed XML")
    message = refused("s.xml", text.replace("<track>Mobilität</track>", "").encode())
    assert message.startswith("s.xml: line 53, /schedule/day[1]/room[2]/event: ") and "'track' expected" in message
    dup = text.replace("9a51-000000000004", "9a51-000000000001")
    assert refused("s.xml", dup.encode()).startswith(
        "s.xml: line 71, /schedule/day[2]/room/event: duplicated value ('5a7c2e4e-0c1b-4d0e-9a51-000000000001',)")


def test_xml_entities_are_not_expanded() -> None:
    evil = (DATA / "schedule.xml").read_text().replace(
        '<?xml version="1.0" encoding="utf-8"?>',
        '<?xml version="1.0"?><!DOCTYPE schedule [<!ENTITY x SYSTEM "file:///etc/passwd">]>').replace(
        "<title>Podium: Daten für alle?</title>", "<title>&x;</title>")
    message = refused("s.xml", evil.encode())
    assert "root:" not in message and "/title: " in message  # the entity stayed a reference


def test_json_errors() -> None:
    assert refused("s.json", b'{"schedule": \n {"version": 1,}}').startswith("s.json: line 2 column")
    doc = json.loads((DATA / "schedule.json").read_text())
    doc["schedule"]["conference"]["days"][0]["rooms"]["Rathaussaal"][0]["date"] = "morgen"
    assert refused("s.json", json.dumps(doc).encode()) == (
        "s.json: $.schedule.conference.days[0].rooms.Rathaussaal[0] (guid "
        "9d3e1c2a-7b6f-4f7e-8a1d-00000000a001): 'morgen' is not an ISO 8601 date-time")
    doc["schedule"]["conference"]["days"][0]["rooms"]["Rathaussaal"][0]["date"] = "2025-03-12T10:00"
    doc["schedule"]["conference"]["days"][0]["rooms"]["Stadtbücherei"][0]["guid"] = \
        "9d3e1c2a-7b6f-4f7e-8a1d-00000000a002"
    assert "guid 9d3e1c2a-7b6f-4f7e-8a1d-00000000a002 is also at" in refused("s.json", json.dumps(doc).encode())


@pytest.mark.parametrize(("data", "expected"), [
    ("Datum;Beginn;Dauer;Titel;Raum\n", "line 1: missing column(s) Vortragende"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende;Ort\n", "line 1: unknown column 'Ort'"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n", "line 2: no slots"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n31.02.2025;09:00;30;A;S;\n", "line 2: Datum '31.02.2025'"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n18.09.2025;09:00;0;A;S;\n", "line 2: Dauer '0'"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n18.09.2025;09:00;30;;S;\n", "line 2: Titel is empty"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n18.09.2025;09:00;30;A;S\n", "line 2: 5 fields"),
    ("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n18.09.2025;09:00;30;A;S;\n18.09.2025;09:00;20;B;s;\n",
     "line 3: the same Datum, Beginn and Raum (or Kennung) as line 2"),
    ('Datum;Beginn;Dauer;Titel;Raum;Vortragende\n18.09.2025;09:00;30;"A\nB";S;\n18.09.2025;25:00;30;C;S;\n',
     "line 4: Beginn '25:00'"),
])
def test_csv_errors_name_the_line(data: str, expected: str) -> None:
    assert refused("a.csv", data.encode(), CSV).startswith(f"a.csv: {expected}")


def test_csv_needs_an_event_slug_and_a_real_time_zone() -> None:
    assert "--event-slug" in refused("agenda.csv", options=Options())
    assert "'Mars/Olympus'" in refused("agenda.csv", options=Options("x-2025", timezone="Mars/Olympus"))
    assert "event slug 'Smart Cities'" in refused("agenda.csv", options=Options("Smart Cities"))


def test_empty_file() -> None:
    assert refused("leer.csv", b" \n") == "leer.csv: empty file"


def test_the_shipped_schemas_are_the_shared_ones() -> None:
    shipped = ROOT / "archive" / "programme" / "schemas"
    assert (shipped / "README.md").is_file()
    if SHARED.is_dir():
        for name in ("schedule.xml.xsd", "schema.json"):
            assert (shipped / name).read_bytes() == (SHARED / name).read_bytes(), name


@needs_shared
def test_the_pretalx_export_is_read() -> None:
    p = read("democon.json", data=(SHARED / "pretalx-democon.json").read_bytes())
    assert (p.event.slug, p.event.title, p.event.timezone) == ("democon", "DemoCon", "UTC")
    assert p.rooms == ("Gray Room", "Tan Room") and len(p.days) == 3
    assert len(p.slots) == len({s.guid for s in p.slots}) > 10
    first = p.slots[0]
    assert first.title == "Focused 5thgeneration hardware" and first.persons == ("Brian Robinson",)
    assert first.start == dt.datetime(2020, 12, 14, 8, 0, tzinfo=dt.UTC) and first.duration == 1800


@needs_shared
def test_the_shared_invalid_example_is_refused() -> None:
    message = refused("invalid.json", (SHARED / "invalid-example.json").read_bytes())
    assert message == "invalid.json: $.schedule.rooms: not allowed here"


def test_path_of_fixture_files() -> None:
    assert {p.name for p in DATA.iterdir()} >= {
        "schedule.xml", "schedule.json", "agenda.csv", "schedule-invalid.xml",
        "schedule-invalid.json", "agenda-invalid.csv"}
    assert isinstance(DATA, Path)


def test_the_readme_csv_template_is_read() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("Datum;Beginn;Dauer;Titel;Raum;Vortragende\n")
    template = readme[start:readme.index("```", start)]
    p = read("tagesordnung.csv", CSV, template.encode())
    assert [s.title for s in p.slots] == ["Begrüßung und Keynote", "Bürgerbus on demand in Bad Berleburg"]
    assert p.slots[1].duration == 1800 and p.slots[0].persons == ("Anna Becker", "Jonas Weber")
