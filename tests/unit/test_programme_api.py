"""The events API through TestClient: the public list and programme, importing a file (staff,
multipart, ``?dry_run=true``), editing a slot (staff), and errors in the one JSON shape."""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

from fastapi.testclient import TestClient

from api.routes.events import Editable
from archive.programme.model import EDITABLE

from .fakes import FakeSearch, app_with
from .test_programme_import import KEYNOTE, PODIUM, RATHAUS, XML_SLUG
from .test_programme_readers import DATA


def upload(client: TestClient, token: str | None, name: str, query: str = "",
           data: dict[str, str] | None = None, content: bytes | None = None) -> Any:
    body = content if content is not None else (DATA / name).read_bytes()
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post(f"/api/events/import{query}", files={"file": (name, body)}, data=data or {},
                       headers=headers)


def error_of(response: Any, status: int) -> dict[str, str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    return body["error"]  # type: ignore[no-any-return]


def test_import_list_and_show(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        assert client.get("/api/events").json() == []
        dry = upload(client, token, "schedule.xml", "?dry_run=true").json()
        assert dry["dry_run"] and not dry["applied"] and len(dry["added"]) == 4
        assert client.get("/api/events").json() == []
        done = upload(client, token, "schedule.xml").json()
        assert done["applied"] and done["new_event"] and done["summary"].startswith(XML_SLUG)
        again = upload(client, token, "schedule.xml").json()
        assert again["empty"] and not again["applied"] and again["summary"] == f"{XML_SLUG}: no changes"
        assert client.get("/api/events").json() == [{
            "slug": XML_SLUG, "title": "Smart Cities Konferenz 2025", "start": "2025-09-18",
            "end": "2025-09-19", "place": None, "timezone": "Europe/Berlin"}]
        event = client.get(f"/api/events/{XML_SLUG}").json()
        assert [s["guid"] for s in event["slots"]][:3] == [KEYNOTE, "5a7c2e4e-0c1b-4d0e-9a51-000000000003",
                                                           PODIUM]
        first = event["slots"][0]
        assert {k: first[k] for k in ("guid", "title", "start", "duration", "persons", "talk_id", "status",
                                      "room", "day")} == {
            "guid": KEYNOTE, "title": "Begrüßung und Keynote: Die Stadt als Plattform",
            "start": "2025-09-18T09:30:00+02:00", "duration": 2700,
            "persons": ["Anna Becker", "Jonas Weber"], "talk_id": None, "status": "missing",
            "room": "Saal Südwestfalen", "day": "2025-09-18"}
        assert event["slots"][2]["status"] == "not_recorded"
        assert error_of(client.get("/api/events/nope"), 404)["code"] == "not_found"


def test_csv_import_takes_the_form_fields(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        missing = error_of(upload(client, token, "agenda.csv"), 422)
        assert missing["code"] == "bad_programme" and "event_slug" in missing["message"]
        form = {"event_slug": "smart-cities-2025", "event_title": "Smart Cities 2025",
                "place": "Soest", "timezone": "Europe/Berlin"}
        assert upload(client, token, "agenda.csv", data=form).json()["applied"]
        assert client.get("/api/events").json()[0]["place"] == "Soest"
        assert upload(client, token, "agenda.csv", data=form).json()["empty"]


def test_bad_files_are_4xx_and_change_nothing(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        upload(client, token, "schedule.xml")
        before = client.get(f"/api/events/{XML_SLUG}").json()
        bad = error_of(upload(client, token, "schedule-invalid.xml"), 422)
        assert bad == {"code": "bad_programme", "message": bad["message"]}
        assert bad["message"].startswith("schedule-invalid.xml: line 19, /schedule/day[1]/room[1]/event[1]/start")
        assert "line 4" in error_of(upload(client, token, "agenda-invalid.csv",
                                           data={"event_slug": "x-2025"}), 422)["message"]
        assert "$.schedule.conference" in error_of(upload(client, token, "schedule-invalid.json"), 422)["message"]
        assert error_of(upload(client, token, "leer.csv", content=b""), 422)["code"] == "empty_file"
        assert client.get(f"/api/events/{XML_SLUG}").json() == before
        assert not list((tmp_path / "uploads").iterdir())  # no upload left behind


def test_import_and_edit_need_staff(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        assert error_of(upload(client, None, "schedule.xml"), 401)["code"] == "unauthorized"
        assert error_of(upload(client, "wrong", "schedule.xml"), 401)["code"] == "unauthorized"
        upload(client, token, "schedule.xml")
        url = f"/api/events/{XML_SLUG}/slots/{RATHAUS}"
        assert error_of(client.patch(url, json={"title": "x"}), 401)["code"] == "unauthorized"
        assert error_of(client.post("/api/events/import", content=b"{}",
                                    headers={"Authorization": f"Bearer {token}"}), 415)


def test_staff_edit_a_slot_and_it_survives_a_reimport(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        auth = {"Authorization": f"Bearer {token}"}
        upload(client, token, "schedule.xml")
        url = f"/api/events/{XML_SLUG}/slots/{RATHAUS}"
        slot = client.patch(url, json={"title": "Das digitale Rathaus (Olpe)", "persons": ["Jonas Weber"],
                                       "do_not_record": True}, headers=auth).json()
        assert slot["title"] == "Das digitale Rathaus (Olpe)" and slot["status"] == "not_recorded"
        assert slot["overridden"] == ["do_not_record", "persons", "title"]
        assert upload(client, token, "schedule.xml").json()["empty"]
        changed = (DATA / "schedule.xml").read_bytes().replace(b"Das digitale Rathaus in Olpe", b"Rathaus Olpe")
        diff = upload(client, token, "schedule.xml", content=changed).json()
        assert diff["changed"][0]["kept"] == [{"field": "title", "staff": "Das digitale Rathaus (Olpe)",
                                               "programme": "Rathaus Olpe"}]
        shown = {s["guid"]: s for s in client.get(f"/api/events/{XML_SLUG}").json()["slots"]}
        assert shown[RATHAUS]["title"] == "Das digitale Rathaus (Olpe)"
        back = client.patch(url, json={"revert": ["title", "do_not_record"]}, headers=auth).json()
        assert (back["title"], back["status"], back["overridden"]) == ("Rathaus Olpe", "missing", ["persons"])
        for body in ({"start": "10:00"}, {"title": ""}, {"revert": ["room"]}, {}, {"title": None},
                     {"persons": ["x" * 300]}, {"revert": []}, {"do_not_record": "yes"},
                     {"persons": None}, {"title": "   "}):
            assert error_of(client.patch(url, json=body, headers=auth), 400)["code"] in (
                "bad_request", "bad_input"), body
        assert error_of(client.patch(f"/api/events/{XML_SLUG}/slots/nope", json={"title": "x"},
                                     headers=auth), 404)["code"] == "not_found"


def test_editable_fields_agree() -> None:
    assert get_args(Editable) == EDITABLE


def test_openapi_describes_the_routes(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, _token):
        paths = client.get("/openapi.json").json()["paths"]
        assert {"/api/events", "/api/events/{slug}", "/api/events/import",
                "/api/events/{slug}/slots/{guid}"} <= set(paths)
        assert "multipart/form-data" in paths["/api/events/import"]["post"]["requestBody"]["content"]
