"""Public search re-checks the talks the index returns against the catalog: a talk
unpublished or deleted while Meilisearch was down (its change waiting in the outbox) never
shows; staff still see unpublished ones."""

from __future__ import annotations

from pathlib import Path

from archive import catalog as cat

from .fakes import FakeSearch, add_talk, app_with


def hit(talk_id: str) -> dict[str, object]:
    return {"talk_id": talk_id, "title": f"Vortrag {talk_id}", "_formatted": {}}


def test_talks_the_catalog_no_longer_shows_are_dropped(tmp_path: Path) -> None:
    talks = [{"hits": [hit("t1"), hit("t2"), hit("gone")], "totalHits": 3}]
    empty = [{"hits": []}]
    search = FakeSearch([talks, empty, empty * 3] * 2)  # talks, shared pool, one per talk
    with app_with(tmp_path, search) as (client, catalog, token):
        add_talk(catalog, tmp_path, "t1")
        add_talk(catalog, tmp_path, "t2")
        with catalog.session() as s:  # unpublished while the index was unreachable
            s.get(cat.Talk, "t2").published = False
        public = client.get("/api/search?q=rathaus").json()
        assert [t["id"] for t in public["talks"]] == ["t1"]
        assert public["total"] == 1 and public["pages"] == 1
        staff = client.get("/api/search?q=rathaus",
                           headers={"Authorization": f"Bearer {token}"}).json()
        assert [t["id"] for t in staff["talks"]] == ["t1", "t2", "gone"]
