"""Meilisearch down: 503 with Retry-After in the error shape (no server process needed)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from ingest.settings import Settings


def test_search_unavailable_is_503_with_retry_after(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, meili_url="http://127.0.0.2:9", meili_master_key="k" * 20)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in ("/api/health", "/api/search?q=Bus"):
            r = client.get(path)
            assert r.status_code == 503, path
            assert r.headers["retry-after"] == "5"
            assert r.json()["error"]["code"] == "search_unavailable"
        assert client.get("/api/talks").json()["total"] == 0


def test_docs_without_swagger_ui_say_how_to_install_it(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", meili_url="http://127.0.0.2:9",
                        meili_master_key="k" * 20)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        r = client.get("/docs")
        assert r.status_code == 503 and "talkarchive swagger-ui fetch" in r.text
        assert client.get("/openapi.json").status_code == 200
        r = client.get("/docs/assets/5.32.0/swagger-ui-bundle.js")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
        assert client.get("/docs/assets/5.32.0/..%2Fsecret").status_code == 404
