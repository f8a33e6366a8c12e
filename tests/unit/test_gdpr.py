"""A GDPR delete leaves nothing of the talk in the data dir: not its files, its jobs' uploads,
its work files, nor its details in the catalog's pages. A job still running for a talk that is
deleted stores nothing, and a failed job whose talk was never made can be deleted."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from archive import catalog as cat
from archive import edits, jobs
from archive import transcript as tr
from archive.details import TalkDetails
from archive.errors import JobCancelled, NotFound
from archive.paths import sha256_file, talk_id_for
from archive.settings import Settings
from ingest import engines, pipeline

from .fakes import FakeSearch, add_talk, app_with
from .test_research_unit import save_transcript

# the catalog of each test: SQLite, then a fresh PostgreSQL database
pytestmark = pytest.mark.usefixtures("catalog_url")

MARKER = "Zeugin Marlene Quastenberg"  # in the talk's details only


def walk(data_dir: Path, needle: str) -> tuple[list[str], list[str]]:
    """Paths whose name holds ``needle``, and files whose bytes hold MARKER."""
    names, contents = [], []
    for path in data_dir.rglob("*"):
        if needle in path.name:
            names.append(str(path.relative_to(data_dir)))
        if path.is_file() and MARKER.encode() in path.read_bytes():
            contents.append(str(path.relative_to(data_dir)))
    return names, contents


def leftovers(settings: Settings, talk_id: str) -> None:
    """What a talk leaves beyond its own files: a failed job's upload and row, a crashed
    job's work dir, a voice sample."""
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    upload = uploads / "0a1b2c.mp4"
    upload.write_bytes(b"x" * 100)
    for sub in (talk_id, f"{talk_id}-rediarize"):
        (settings.work_dir / sub).mkdir(parents=True, exist_ok=True)
        (settings.work_dir / sub / "audio.wav").write_bytes(b"RIFF")


def test_a_gdpr_delete_leaves_nothing_of_the_talk(tmp_path: Path, catalog_url: str | None) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
        talk_id = "9f8e7d6c5b4a3210"
        media = settings.media_dir / "originals" / f"{talk_id}.mp4"
        media.parent.mkdir(parents=True, exist_ok=True)
        add_talk(catalog, media.parent, talk_id)
        with catalog.session() as s:
            talk = s.get(cat.Talk, talk_id)
            talk.description = MARKER
            talk.speakers = [MARKER]
            s.add(cat.Job(id="f" * 32, talk_id=talk_id, upload_path=str(
                settings.data_dir / "uploads" / "0a1b2c.mp4"), file_name=f"{MARKER}.mp4",
                meta={"title": MARKER}, state="failed", stage="failed"))
            s.add(cat.Job(id="e" * 32, talk_id=talk_id, upload_path="", file_name="x.mp4",
                          meta={"speakers": [MARKER]}, state="ready", stage="ready"))
        save_transcript(settings, talk_id, [f"Guten Tag, ich bin {MARKER}."])
        leftovers(settings, talk_id)
        names, contents = walk(settings.data_dir, talk_id)
        assert len(names) >= 4  # the walk sees them
        if catalog_url is None:  # the SQLite catalog lives in the data dir; PostgreSQL does not
            assert any(c.startswith("catalog.sqlite3") for c in contents)
        r = client.delete(f"/api/talks/{talk_id}", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert walk(settings.data_dir, talk_id) == ([], [])
        assert not list((settings.data_dir / "uploads").iterdir())
        with catalog.session() as s:
            assert s.query(cat.Job).count() == 0
            assert [d.id for d in s.query(cat.DeletedTalk)] == [talk_id]  # id and date only


def test_a_failed_job_whose_talk_never_came_can_be_deleted(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
        auth = {"Authorization": f"Bearer {token}"}
        leftovers(settings, "1234567890abcdef")
        upload = settings.data_dir / "uploads" / "0a1b2c.mp4"
        with catalog.session() as s:
            s.add(cat.Job(id="a" * 32, talk_id="1234567890abcdef", upload_path=str(upload),
                          file_name=f"{MARKER}.mp4", meta={"title": MARKER}, state="failed",
                          stage="failed", error="engine crashed"))
            s.add(cat.Job(id="b" * 32, talk_id=None, upload_path="", file_name="y.mp4",
                          meta={}, state="queued", stage="queued"))
        assert client.delete("/api/jobs/" + "b" * 32, headers=auth).status_code == 409
        assert client.delete("/api/jobs/" + "c" * 32, headers=auth).status_code == 404
        assert client.delete("/api/jobs/" + "a" * 32).status_code == 401
        r = client.delete("/api/jobs/" + "a" * 32, headers=auth)
        assert r.status_code == 200 and r.json()["state"] == "failed"
        assert not upload.exists() and not (settings.work_dir / "1234567890abcdef").exists()
        assert walk(settings.data_dir, "1234567890abcdef")[1] == []
        with catalog.session() as s:
            assert [j.id for j in s.query(cat.Job)] == ["b" * 32]


@pytest.mark.parametrize("stage", ["transcribe", "catalog_row"])
def test_a_running_job_of_a_deleted_talk_stores_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stage: str) -> None:
    """Deleted while the engine runs (its upload goes, so the job fails on the way), or after
    its media and transcript are stored (the job finds its row gone and stores no talk)."""
    settings = Settings(data_dir=tmp_path / "data", diarize=False)
    catalog = cat.Catalog(settings)
    recording = settings.data_dir / "uploads" / "0a1b2c.wav"
    recording.parent.mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                    str(recording)], check=True)
    started, deleted = threading.Event(), threading.Event()
    real = getattr(pipeline, stage)

    def paused(*args: object) -> object:
        started.set()
        deleted.wait(30)
        if stage == "catalog_row":
            return real(*args)
        words = [tr.Word(0.0, 0.5, " Hallo")]
        return engines.EngineResult([tr.Segment(0.0, 0.5, "Hallo", words)], tr.Provenance(
            "fake", "none", None, "cpu", "int8", {}))

    monkeypatch.setattr(pipeline, stage, paused)
    if stage == "catalog_row":
        monkeypatch.setattr(pipeline, "transcribe", lambda *a: engines.EngineResult(
            [tr.Segment(0.0, 0.5, "Hallo", [tr.Word(0.0, 0.5, " Hallo")])],
            tr.Provenance("fake", "none", None, "cpu", "int8", {})))
    content_hash = sha256_file(recording)
    talk_id = talk_id_for(content_hash)
    with catalog.session() as s:
        s.add(cat.Job(id="d" * 32, talk_id=talk_id, upload_path=str(recording),
                      file_name="talk.wav", meta={}, state="running", stage="transcribing"))
    outcome: list[BaseException] = []

    def run() -> None:
        try:
            pipeline.ingest_file(settings, catalog, recording, TalkDetails(), job_id="d" * 32)
        except BaseException as exc:  # noqa: BLE001 - looked at below
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert started.wait(30)
    edits.delete(settings, catalog, talk_id)  # the talk has no row yet: its job goes
    deleted.set()
    worker.join(30)
    assert len(outcome) == 1
    if stage == "catalog_row":
        assert isinstance(outcome[0], JobCancelled)
    assert catalog.by_hash(content_hash) is None
    assert [p for p in settings.data_dir.rglob("*") if p.is_file() and "catalog" not in p.name
            and "queue" not in p.name] == []
    with pytest.raises(NotFound):
        edits.delete(settings, catalog, talk_id)
    assert jobs.recent(catalog) == []
    catalog.dispose()


def test_deleting_a_cut_talk_takes_its_words_out_of_the_day(tmp_path: Path,
                                                           catalog_url: str | None) -> None:
    """The day's transcript (kept to move cuts) keeps nothing of a deleted cut talk."""
    from archive.programme import cuts

    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
        recording = "ab" * 32
        day_id = cuts.day_transcript_id(recording)
        save_transcript(settings, day_id, ["Guten Morgen allerseits", MARKER + " spricht",
                                           "Danke sehr"])  # sentences at 0, 3 and 6 s
        add_talk(catalog, tmp_path, "c1")
        with catalog.session() as s:
            talk = s.get(cat.Talk, "c1")
            assert talk is not None
            talk.cut = cuts.cut_record(recording, 2.5, 5.5, "detected", 0.9, reviewed=False)
        edits.delete(settings, catalog, "c1")
        day = tr.load(settings.transcripts_dir / f"{day_id}.json")
        assert [s.text for s in day.segments] == ["Guten Morgen allerseits", "Danke sehr"]
        assert MARKER.split()[0] not in day.text
