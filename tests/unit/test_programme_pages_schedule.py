"""``GET /api/events/{slug}/schedule.xml``: valid against the schedule XSD (the one shipped and
the one in ../shared), links to public recordings only, and a round trip: importing the export
changes nothing, for an event from schedule.xml and from schedule JSON; a CSV agenda's export
gains the days' start and end once, then stays a fixed point."""

from __future__ import annotations

from pathlib import Path

import pytest
import xmlschema
from fastapi.testclient import TestClient
from lxml import etree

from archive.errors import NotFound
from archive.programme.read import read_programme
from archive.programme.schedule_export import ACRONYM, hh_mm, schedule_xml
from archive.programme.schedule_xml import SCHEMA

from ..schemas import schema_file
from .fakes import FakeSearch, app_with
from .test_programme_api import upload
from .test_programme_import import KEYNOTE, RATHAUS, XML_SLUG
from .test_programme_pages import conference

SITE = "http://testserver"


def export(client: TestClient, slug: str = XML_SLUG) -> bytes:
    response = client.get(f"/api/events/{slug}/schedule.xml")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    return response.content


def reimport(client: TestClient, token: str, body: bytes) -> dict:  # type: ignore[type-arg]
    return upload(client, token, "export.xml", content=body).json()  # type: ignore[no-any-return]


def test_the_export_is_valid_and_links_public_recordings(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, token):
        body = export(client)
        staff_body = client.get(f"/api/events/{XML_SLUG}/schedule.xml",
                                headers={"Authorization": f"Bearer {token}"}).content
    for xsd in (SCHEMA, schema_file("schedule/schedule.xml.xsd")):
        xmlschema.XMLSchema(str(xsd)).validate(etree.fromstring(body))
    root = etree.fromstring(body)
    keynote = root.find(f"day/room/event[@guid='{KEYNOTE}']")
    assert keynote.findtext("recording/url") == f"{SITE}/api/talks/keynote/media"
    assert keynote.findtext("recording/link") == f"{SITE}/talks/keynote"
    assert keynote.findtext("url") == f"{SITE}/talks/keynote"
    assert [link.get("href") for link in keynote.findall("links/link")] == [
        f"{SITE}/talks/keynote", f"{SITE}/api/talks/keynote/transcript.vtt"]
    rathaus = root.find(f"day/room/event[@guid='{RATHAUS}']")
    assert rathaus.find("recording/url") is None and rathaus.find("links") is None
    assert rathaus.findtext("url") == f"{SITE}/events/{XML_SLUG}#slot-{RATHAUS}"
    for secret in (b"/talks/rathaus", b"/talks/bus"):
        assert secret not in body and secret not in staff_body  # an export is for everyone
    assert root.findtext("conference/acronym") == XML_SLUG
    assert [d.get("index") for d in root.findall("day")] == ["1", "2"]
    # every room in every day, in their order, as frab writes it
    assert [r.get("name") for r in root.findall("day[2]/room")] == ["Saal Südwestfalen", "Raum Menden"]


def test_importing_the_export_changes_nothing(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, catalog, token):
        before = client.get(f"/api/events/{XML_SLUG}", headers={"Authorization": f"Bearer {token}"}).json()
        body = export(client)
        diff = reimport(client, token, body)
        assert diff["empty"] and not diff["applied"], diff
        assert export(client) == body  # and the export is the same again
        after = client.get(f"/api/events/{XML_SLUG}", headers={"Authorization": f"Bearer {token}"}).json()
        assert after == before  # talks stay linked, statuses stay
        # the reader reads back every field the writer wrote
        programme = read_programme(body, "export.xml")
        assert {s.guid: (s.title, s.persons, s.duration) for s in programme.slots}[KEYNOTE] == (
            "Begrüßung und Keynote: Die Stadt als Plattform", ("Anna Becker", "Jonas Weber"), 2700)
        assert catalog.get("keynote") is not None


def test_the_round_trip_from_schedule_json(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        slug = upload(client, token, "schedule.json").json()["event"]
        body = export(client, slug)
        xmlschema.XMLSchema(str(SCHEMA)).validate(etree.fromstring(body))
        assert reimport(client, token, body)["empty"]


def test_a_csv_agenda_gains_its_days_once(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        form = {"event_slug": "smart-cities-2025", "event_title": "Smart Cities 2025", "place": "Soest"}
        assert upload(client, token, "agenda.csv", data=form).json()["applied"]
        first = export(client, "smart-cities-2025")
        diff = reimport(client, token, first)
        assert [c["field"] for c in diff["event_changes"]] == ["days"], diff  # start and end only
        assert not (diff["added"] or diff["changed"] or diff["removed"])
        second = export(client, "smart-cities-2025")
        assert reimport(client, token, second)["empty"]
        assert client.get("/api/events").json()[0]["place"] == "Soest"  # schedule.xml has no place


def test_staff_edits_are_exported_as_the_programme_now_reads(tmp_path: Path) -> None:
    with conference(tmp_path) as (client, _catalog, token):
        auth = {"Authorization": f"Bearer {token}"}
        url = f"/api/events/{XML_SLUG}/slots/{RATHAUS}"
        assert client.patch(url, json={"title": "Rathaus digital (Olpe)"}, headers=auth).status_code == 200
        body = export(client)
        assert b"<title>Rathaus digital (Olpe)</title>" in body
        diff = reimport(client, token, body)
        assert [k["field"] for c in diff["changed"] for k in c["kept"]] == ["title"]
        assert not [c for c in diff["changed"] if c["changes"]]


def test_durations_and_short_slugs() -> None:
    assert [hh_mm(s) for s in (2700, 3600, 3723, 59, 0)] == ["00:45", "01:00", "01:02:03",
                                                             "00:00:59", "00:00"]
    assert ACRONYM.match("abcd") and not ACRONYM.match("ab")  # the XSD's acronym


def test_an_unknown_event_is_not_found(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (_client, catalog, _token), pytest.raises(NotFound):
        schedule_xml(catalog, "nope", SITE)
