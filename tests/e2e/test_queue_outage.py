"""A queue outage: with a real redis-server stopped, an upload answers 503
``queue_unavailable`` in the error shape and leaves nothing behind (no job row, no file in
uploads/), and /api/health names the queue as down. Once Redis is back, the same upload is
queued, as JSON."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from api.app import create_app
from archive import catalog as cat
from archive import tokens
from archive.settings import Settings

from ..conftest import MASTER_KEY, free_port
from ..redis_server import RedisServer

pytestmark = pytest.mark.e2e


def test_an_upload_while_redis_is_down(meili_server: str, tmp_path: Path) -> None:
    server = RedisServer(tmp_path, free_port())
    server.start()
    recording = tmp_path / "talk.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "sine=frequency=440:duration=2", str(recording)], check=True)
    settings = Settings(data_dir=tmp_path / "data", meili_url=meili_server,
                        meili_master_key=MASTER_KEY, meili_index=f"outage{free_port()}",
                        queue_url=server.url)
    try:
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            catalog: cat.Catalog = client.app.state.catalog  # type: ignore[attr-defined]
            auth = {"Authorization": f"Bearer {tokens.create_token(catalog, 'outage')}"}

            def upload() -> object:
                return client.post("/api/talks", headers=auth, files={
                    "file": ("talk.wav", recording.read_bytes(), "audio/wav")},
                    data={"title": "Bürgerfunk"})

            assert client.get("/api/health").json()["queue"] == "ok"
            server.stop()
            health = client.get("/api/health")
            assert health.status_code == 503 and health.headers["retry-after"] == "10"
            body = health.json()
            assert body["status"] == "degraded" and body["queue"] == "down"
            assert body["catalog"] == "ok" and body["search"] == "ok"
            assert body["error"]["code"] == "queue_unavailable"
            r = upload()
            assert r.status_code == 503, r.text  # type: ignore[attr-defined]
            assert r.json()["error"]["code"] == "queue_unavailable"  # type: ignore[attr-defined]
            assert r.headers["retry-after"] == "10"  # type: ignore[attr-defined]
            with catalog.session() as s:
                assert s.query(cat.Job).count() == 0  # no job that waits forever
            assert list((settings.data_dir / "uploads").iterdir()) == []

            server.start()
            assert client.get("/api/health").json()["status"] == "ok"
            r = upload()
            assert r.status_code == 202, r.text  # type: ignore[attr-defined]
            job_id = r.json()["job"]["id"]  # type: ignore[attr-defined]
            with catalog.session() as s:
                assert [(j.id, j.state) for j in s.query(cat.Job)] == [(job_id, "queued")]
            queued = redis.Redis.from_url(server.url).lrange("huey.redis.talkarchive", 0, -1)
            assert [json.loads(m)["$message"]["args"] for m in queued] == [{"$tuple": [job_id]}]
    finally:
        server.stop()
