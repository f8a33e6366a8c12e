"""Backups: `talkarchive backup` of a served archive, `talkarchive restore` into a fresh data
dir, and a search there finds the same moments; media comes along with --media; a restore
into a data dir in use, or of a file that is no backup, is refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archive import catalog as cat
from archive import transcript as tr
from archive.paths import transcript_path

from ..conftest import Served, make_archive
from ..postgres_server import new_database

pytestmark = pytest.mark.e2e


def moments(result: dict) -> list[tuple[str, list[tuple[float, float]]]]:  # type: ignore[type-arg]
    return [(t["id"], [(s["start"], s["at"]) for s in t["segments"]]) for t in result["talks"]]


def words_of(served: Served) -> list[str]:
    settings = served.archive.settings()
    words: list[str] = []
    for talk_id in served.talk_ids.values():
        transcript = tr.load(transcript_path(settings, talk_id))
        words += [w for w in re.findall(r"\w{7,}", transcript.text)][:2]
    return words


@pytest.mark.parametrize("catalog", ["sqlite", "postgresql"])
def test_backup_and_restore_find_the_same_moments(served: Served, meili_server: str,
                                                 tmp_path: Path, catalog: str,
                                                 request: pytest.FixtureRequest) -> None:
    """Restored into a SQLite catalog, and into PostgreSQL (the served archive is SQLite)."""
    file = tmp_path / "archiv.tar.gz"
    source = cat.Catalog(served.archive.settings())
    talks = len(source.talks())  # the shared talks, and any a test before this one added
    source.dispose()
    out = served.archive.run("backup", "-o", str(file), "--media", "-q").stdout
    assert f"{talks} talk(s)" in out and "with media" in out
    env = {}
    if catalog == "postgresql":
        env["TALKARCHIVE_DATABASE_URL"] = new_database(request.getfixturevalue("postgres_cluster"))
    fresh = make_archive(tmp_path / "neu", meili_server, **env)
    restored = fresh.run("restore", str(file), "-q")
    assert f"restored {talks} talk(s)" in restored.stdout
    queries = words_of(served)
    assert len(queries) >= 3
    for word in queries:
        before, after = served.archive.search(word), fresh.search(word)
        # talks that rank equal may come in either order
        assert before["total"] >= 1 and sorted(moments(after)) == sorted(moments(before)), word
    opened = cat.Catalog(fresh.settings())
    try:
        for talk in opened.talks():  # the paths follow the new data dir
            assert Path(talk.media_path).is_file()
            assert Path(talk.media_path).is_relative_to(fresh.data_dir.resolve())
    finally:
        opened.dispose()
    again = fresh.run("restore", str(file), check=False)
    assert again.returncode == 2 and "not empty" in again.stderr
    bogus = tmp_path / "bogus.tar.gz"
    bogus.write_bytes(b"not a tar at all")
    other = make_archive(tmp_path / "leer", meili_server)
    failed = other.run("restore", str(bogus), check=False)
    assert failed.returncode == 2 and "not a talkarchive backup" in failed.stderr
    assert "Traceback" not in failed.stderr and not other.data_dir.exists()
    manifest_only = json.loads(__import__("tarfile").open(file).extractfile(
        "talkarchive-backup.json").read())
    assert manifest_only["media"] is True and manifest_only["rows"]["talks"] == talks
