"""The staff workflow end to end through a real `talkarchive serve` (with its worker)."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import httpx
import pytest

from archive.search.client import SearchClient
from archive.semantic import vectors
from archive.transcript import load
from ingest import demo

from ..conftest import MASTER_KEY, Served

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def token(served: Served) -> str:
    out = served.archive.run("token", "create", "--name", "Anna (Soest)").stdout
    return out.split()[-1]


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("clip")
    wav = folder / "rede.wav"
    demo.render_speech(["Die Stadtwerke bauen neue Ladesäulen am Bahnhof.",
                        "Der Gemeinderat stimmt im Winter darüber ab."], wav)
    mp4 = folder / "ladesaeulen.mp4"
    demo.render_video(wav, mp4)
    return mp4


def api(served: Served, method: str, path: str, token: str | None = None, **kw) -> httpx.Response:  # type: ignore[no-untyped-def]
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.request(method, served.url + path, headers=headers, timeout=60, **kw)


def wait_job(served: Served, token: str, job_id: str, timeout: float = 180) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = api(served, "GET", f"/api/jobs/{job_id}", token).json()
        if job["state"] in ("ready", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.5)
    raise AssertionError(f"job {job_id} did not finish")


def index_docs(served: Served, talk_id: str) -> int:
    env = served.archive.env
    client = SearchClient(env["TALKARCHIVE_MEILI_URL"], MASTER_KEY)
    return len(client.documents(env["TALKARCHIVE_MEILI_INDEX"], f'talk_id = "{talk_id}"', ["id"]))


def test_upload_publish_correct_delete(served: Served, token: str, clip: Path) -> None:
    files = {"file": (clip.name, clip.read_bytes(), "video/mp4")}
    meta = {"title": "Ladesäulen am Bahnhof", "event": "Smart Cities Konferenz 2025",
            "date": "2025-09-18", "town": "Menden", "speakers": "Ben Weber, Cem Arslan",
            "published": "false"}
    assert api(served, "POST", "/api/talks", files=files, data=meta).status_code == 401
    assert api(served, "POST", "/api/talks", "ta_wrong", files=files, data=meta).status_code == 401
    r = api(served, "POST", "/api/talks", token, files=files, data=meta)
    assert r.status_code == 202, r.text
    body = r.json()
    talk_id = body["talk_id"]
    job = wait_job(served, token, body["job"]["id"])
    assert job["state"] == "ready" and job["talk_id"] == talk_id, job

    # unpublished: staff see it, the public does not (search, page, media, exports)
    staff_hits = api(served, "GET", "/api/search", token, params={"q": "Bahnhof"}).json()
    assert talk_id in [t["id"] for t in staff_hits["talks"]]
    assert talk_id not in [t["id"] for t in api(served, "GET", "/api/search",
                                                  params={"q": "Bahnhof"}).json()["talks"]]
    for path in (f"/api/talks/{talk_id}", f"/api/talks/{talk_id}/media",
                 f"/api/talks/{talk_id}/transcript.vtt", f"/talks/{talk_id}"):
        assert api(served, "GET", path).status_code == 404, path
    # publish: the index follows
    r = api(served, "PATCH", f"/api/talks/{talk_id}", token, json={"published": True})
    assert r.status_code == 200 and r.json()["published"] is True
    public = api(served, "GET", "/api/search", params={"q": "Bahnhof"}).json()
    assert talk_id in [t["id"] for t in public["talks"]]
    assert public["talks"][0]["speakers"] == ["Ben Weber", "Cem Arslan"]

    # correct a word; the corrected word is found, timings of unchanged words survive
    path = served.archive.data_dir / "transcripts" / f"{talk_id}.json"
    before = load(path)
    seg = before.segments[0]
    new_text = seg.text.split()
    new_text[-1] = "Zwönitzbahnhof."
    r = api(served, "PATCH", f"/api/talks/{talk_id}/segments/0", token,
            json={"text": " ".join(new_text)})
    assert r.status_code == 200, r.text
    after = load(path)
    assert after.segments[0].text == " ".join(new_text)
    assert [w.start for w in after.segments[0].words[:-1]] == [w.start for w in seg.words[:-1]]
    assert after.history[-1]["who"] == "Anna (Soest)" and after.history[-1]["before"] == seg.text
    hits = api(served, "GET", "/api/search", params={"q": "Zwönitzbahnhof", "exact": "true"}
               ).json()
    assert [t["id"] for t in hits["talks"]] == [talk_id]
    hits = api(served, "GET", "/api/search", params={"q": "Zwönitzbahnhof"}).json()
    assert hits["talks"][0]["id"] == talk_id  # by meaning too: a talk naming Zwönitz may follow
    # the corrected sentence has its own vector now, and the old text's is gone
    meaning = vectors.load(served.archive.settings(), talk_id)
    assert meaning is not None
    assert vectors.text_key(after.segments[0].text) in meaning.keys
    assert vectors.text_key(seg.text) not in meaning.keys

    # names for voices: staff see the voices and the listed speakers, and name one
    r = api(served, "GET", f"/api/talks/{talk_id}/speakers", token)
    assert r.status_code == 200 and r.json()["listed"] == ["Ben Weber", "Cem Arslan"]
    label = r.json()["speakers"][0]["label"]
    assert label == after.segments[0].speaker and r.json()["speakers"][0]["seconds"] > 0
    assert api(served, "PATCH", f"/api/talks/{talk_id}/speakers",
               json={label: "Cem Arslan"}).status_code == 401
    r = api(served, "PATCH", f"/api/talks/{talk_id}/speakers", token, json={label: "Cem Arslan"})
    assert r.status_code == 200 and r.json()["speaker_names"] == {label: "Cem Arslan"}
    doc = api(served, "GET", f"/api/talks/{talk_id}/transcript.json").json()
    assert doc["segments"][0]["speaker"] == "Cem Arslan"
    hits = api(served, "GET", "/api/search", params={"q": "Zwönitzbahnhof"}).json()
    assert hits["talks"][0]["segments"][0]["speaker"] == "Cem Arslan"
    vtt = api(served, "GET", f"/api/talks/{talk_id}/transcript.vtt").text
    assert "<v Cem Arslan>" in vtt

    # delete: nothing of the talk remains
    talk_row = json.loads(served.archive.run("status", "--json").stdout)
    assert talk_row["talks"] >= 4
    assert api(served, "DELETE", f"/api/talks/{talk_id}").status_code == 401
    r = api(served, "DELETE", f"/api/talks/{talk_id}", token)
    assert r.status_code == 200, r.text
    assert not path.exists()
    assert not vectors.vectors_path(served.archive.settings(), talk_id).exists()
    media = served.archive.data_dir / "media"
    leftovers = [p for p in media.rglob("*") if p.is_file() and (talk_id in p.name)]
    assert leftovers == []
    originals = list((media / "originals").glob("*"))
    assert all(talk_id not in p.name and not p.name.startswith(talk_id) for p in originals)
    assert not any(p.stat().st_size == clip.stat().st_size for p in originals)
    with sqlite3.connect(served.archive.data_dir / "catalog.sqlite3") as db:
        assert db.execute("select count(*) from talks where id = ?", (talk_id,)).fetchone()[0] == 0
    assert index_docs(served, talk_id) == 0
    assert api(served, "GET", f"/api/talks/{talk_id}", token).status_code == 404


def test_bad_uploads_store_nothing(served: Served, token: str, tmp_path: Path) -> None:
    uploads = served.archive.data_dir / "uploads"
    wav = tmp_path / "s.wav"
    demo.render_speech(["Ein kurzer Satz."], wav)
    mp4 = tmp_path / "s.mp4"
    demo.render_video(wav, mp4)
    good = mp4.read_bytes()
    cases = [
        ("notes.mp4", b"kein Video, nur Text\n" * 50, {}, 422),
        ("half.mp4", good[: len(good) // 2], {}, 422),
        ("empty.mp4", b"", {}, 422),  # not usable media, as the API documents it
        ("big.mp4", os.urandom(6_000_000), {}, 413),
        ("../../etc/evil.mp4", good, {}, 400),
        ("ok.mp4", good, {"title": "x" * 100_000}, 400),
    ]
    for name, data, fields, status in cases:
        r = api(served, "POST", "/api/talks", token, files={"file": (name, data, "video/mp4")},
                data=fields)
        assert r.status_code == status, (name, r.status_code, r.text)
        body = r.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    r = api(served, "POST", "/api/talks", token, json={"file": "x"})
    assert r.status_code == 415 and r.json()["error"]["code"] == "unsupported_media_type"
    assert not uploads.exists() or list(uploads.iterdir()) == []
    # the worker is unharmed: a good upload still goes through
    r = api(served, "POST", "/api/talks", token, files={"file": ("gut.mp4", good, "video/mp4")},
            data={"title": "Kurzer Satz"})
    assert r.status_code == 202, r.text
    assert wait_job(served, token, r.json()["job"]["id"])["state"] == "ready"


def test_cli_queue_and_watch_folder(served: Served, token: str, tmp_path: Path) -> None:
    import shutil
    import subprocess

    from ..conftest import CLI

    wav = tmp_path / "a.wav"
    demo.render_speech(["Die Bibliothek öffnet am Sonntag."], wav)
    first = tmp_path / "bibliothek.mp4"
    demo.render_video(wav, first)
    out = served.archive.run("ingest", "--no-wait", str(first)).stdout
    job_id = out.split()[0]
    assert "queued" in out and first.exists()  # the user's file stays where it was
    done = wait_job(served, token, job_id)
    assert done["state"] == "ready"
    # no title given: the talk is named after the user's file, not the queued copy's name
    assert api(served, "GET", f"/api/talks/{done['talk_id']}", token).json()["title"] == "bibliothek"

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = subprocess.Popen([str(CLI), "watch", str(inbox), "--interval", "0.5"],
                               env=served.archive.env, stdout=subprocess.PIPE, text=True)
    try:
        demo.render_speech(["Der Stadtpark bekommt neue Bänke."], tmp_path / "b.wav")
        demo.render_video(tmp_path / "b.wav", tmp_path / "park.mp4")
        shutil.copy(tmp_path / "park.mp4", inbox / "park.mp4")
        deadline = time.monotonic() + 120
        job = None
        while time.monotonic() < deadline:
            found = [j for j in api(served, "GET", "/api/jobs", token).json()
                     if j["file_name"] == "park.mp4"]
            if found and found[0]["state"] in ("ready", "failed"):
                job = found[0]
                break
            time.sleep(0.5)
        assert job is not None and job["state"] == "ready", job
        assert api(served, "GET", f"/api/talks/{job['talk_id']}", token).json()["title"] == "park"
    finally:
        watcher.terminate()
        watcher.wait(10)
        if watcher.stdout:
            watcher.stdout.close()
