"""Scale-out: a real Redis server, two `talkarchive worker` processes, one SIGKILLed in the
middle of a transcription; every talk still ends ready, with the segment counts of a clean run
and no duplicate documents."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from archive.search.client import SearchClient
from ingest import demo

from ..conftest import CLI, MASTER_KEY, free_port, make_archive
from ..redis_server import RedisServer

pytestmark = pytest.mark.e2e

SENTENCES = [
    ["Die Stadt plant einen neuen Radweg am Fluss.", "Die Bauarbeiten beginnen im Frühling."],
    ["Unsere Schule bekommt schnelles Internet.", "Alle Klassen lernen mit Tablets."],
    ["Der Wochenmarkt ist jetzt auch am Samstag geöffnet.", "Viele Bauern verkaufen dort."],
    ["Im Rathaus gibt es eine neue Bürgerberatung.", "Sie hilft bei allen Anträgen weiter.",
     "Termine kann man online buchen.", "Die Beratung ist kostenlos und freundlich."],
]


@pytest.fixture
def redis_url(tmp_path: Path):  # type: ignore[no-untyped-def]
    server = RedisServer(tmp_path, free_port())
    server.start()
    yield server.url
    server.stop()


def jobs_table(data_dir: Path) -> list[tuple[str, str, str | None, int]]:
    with sqlite3.connect(data_dir / "catalog.sqlite3") as db:
        return db.execute("select id, state, worker, attempts from jobs").fetchall()


def test_two_workers_one_killed(meili_server: str, redis_url: str, tmp_path: Path) -> None:
    files = []
    for i, sentences in enumerate(SENTENCES):
        wav = tmp_path / f"t{i}.wav"
        demo.render_speech(sentences, wav)
        mp4 = tmp_path / f"talk{i}.mp4"
        demo.render_video(wav, mp4)
        files.append(mp4)

    clean = make_archive(tmp_path / "clean", meili_server)
    clean_counts = {}
    for f in files:
        talk_id = clean.run("ingest", "-q", str(f)).stdout.split()[0]
        doc = json.loads((clean.data_dir / "transcripts" / f"{talk_id}.json").read_text())
        clean_counts[talk_id] = len(doc["segments"])

    arch = make_archive(tmp_path / "scaled", meili_server, TALKARCHIVE_QUEUE_URL=redis_url,
                        TALKARCHIVE_JOB_STALE_SECONDS="4")
    token = arch.run("token", "create", "--name", "test").stdout.split()[-1]
    port = free_port()
    logs = tmp_path / "logs"
    logs.mkdir()
    def spawn(args: list[str], log: str) -> subprocess.Popen[bytes]:
        with (logs / log).open("wb") as out:
            return subprocess.Popen([str(CLI), *args], env=arch.env, stdout=out,
                                    stderr=subprocess.STDOUT)

    api = spawn(["serve", "--no-worker", "--port", str(port)], "api.log")
    workers = [spawn(["worker"], f"w{i}.log") for i in range(2)]
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(url + "/api/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        auth = {"Authorization": f"Bearer {token}"}
        job_ids = []
        for f in files:
            r = httpx.post(url + "/api/talks", headers=auth, timeout=60,
                           files={"file": (f.name, f.read_bytes(), "video/mp4")})
            assert r.status_code == 202, r.text
            job_ids.append(r.json()["job"]["id"])

        # kill the worker that is transcribing
        victim = None
        deadline = time.monotonic() + 120
        while victim is None and time.monotonic() < deadline:
            for job_id, state, worker, _ in jobs_table(arch.data_dir):
                if state == "running" and worker:
                    pid = int(worker.rsplit(":", 1)[1])
                    victim = next((w for w in workers if w.pid == pid), None)
                    if victim:
                        killed_job = job_id
                        break
            time.sleep(0.05)
        assert victim is not None, "no job was seen running"
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)

        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            states = {j: httpx.get(f"{url}/api/jobs/{j}", headers=auth).json() for j in job_ids}
            if all(s["state"] in ("ready", "failed") for s in states.values()):
                break
            time.sleep(0.5)
        assert all(s["state"] == "ready" for s in states.values()), states
        assert states[killed_job]["attempts"] >= 2  # it ran again after the kill
        talk_ids = {s["talk_id"] for s in states.values()}
        assert talk_ids == set(clean_counts)
        for talk_id, count in clean_counts.items():
            doc = json.loads((arch.data_dir / "transcripts" / f"{talk_id}.json").read_text())
            assert len(doc["segments"]) == count
            docs = SearchClient(meili_server, MASTER_KEY).documents(
                arch.env["TALKARCHIVE_MEILI_INDEX"], f'talk_id = "{talk_id}"', ["id"])
            ids = [d["id"] for d in docs]
            assert len(ids) == len(set(ids)) == count
    finally:
        for p in [api, *workers]:
            if p.poll() is None:
                p.terminate()
        for p in [api, *workers]:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
