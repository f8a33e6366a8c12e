"""The real `talkarchive programme import` on SQLite and PostgreSQL: the diff shown and applied,
the same file twice changes nothing, --dry-run writes nothing, and a bad file is one line on
stderr with exit code 2 and leaves the catalog as it was."""

from __future__ import annotations

import json

import pytest

from archive import catalog as cat
from archive.programme import views

from ..conftest import ROOT, Archive

DATA = ROOT / "tests" / "data" / "programme"


@pytest.mark.both_catalogs
def test_programme_import_on_the_real_command(archive: Archive) -> None:
    xml = str(DATA / "schedule.xml")
    dry = archive.run("programme", "import", xml, "--dry-run", "--place", "Soest")
    assert "Begrüßung und Keynote" in dry.stdout and "dry run, nothing applied" in dry.stdout
    done = archive.run("programme", "import", xml, "--place", "Soest")
    assert done.stdout.strip().splitlines()[-1] == (
        "smartcities-2025 (new event): 4 new, 0 changed, 0 removed slot(s); applied")
    again = archive.run("programme", "import", xml)
    assert again.stdout.strip() == "smartcities-2025: no changes"

    bad = archive.run("programme", "import", str(DATA / "schedule-invalid.xml"), check=False)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.startswith("error: schedule-invalid.xml: line 19, /schedule/day[1]/room[1]/event[1]/start:")
    assert len(bad.stderr.splitlines()) == 1

    csv = archive.run("programme", "import", str(DATA / "agenda.csv"), "--event-slug", "smart-cities-2025",
                      "--event-title", "Smart Cities 2025", "--json")
    assert json.loads(csv.stdout)["applied"]

    catalog = cat.Catalog(archive.settings())
    try:
        assert [e["slug"] for e in views.list_events(catalog)] == ["smart-cities-2025", "smartcities-2025"]
        event = views.event_detail(catalog, "smartcities-2025")
        assert event["place"] == "Soest" and len(event["slots"]) == 4
        assert [s["status"] for s in event["slots"]] == ["missing", "missing", "not_recorded", "missing"]
        assert event["slots"][0]["start"] == "2025-09-18T09:30:00+02:00"
    finally:
        catalog.dispose()
