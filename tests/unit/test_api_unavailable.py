"""Meilisearch down or failing: the API answers in the one error shape, never with a URL or
errno text, and /docs is served from this machine (no server process needed)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from api.app import create_app
from archive.settings import Settings


def test_search_unavailable_is_503_with_retry_after(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, meili_url="http://127.0.0.2:9", meili_master_key="k" * 20)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        for path in ("/api/health", "/api/search?q=Bus"):
            r = client.get(path)
            assert r.status_code == 503, path
            assert r.headers["retry-after"] == "5"
            assert r.json()["error"]["code"] == "search_unavailable"
            message = r.json()["error"]["message"]
            assert "127.0.0.2" not in message and "Errno" not in message and "http" not in message
        assert client.get("/api/talks").json()["total"] == 0


def test_docs_are_served_from_the_installed_package(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, cache_dir=tmp_path / "cache", meili_url="http://127.0.0.2:9",
                        meili_master_key="k" * 20)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        page = client.get("/docs")
        assert page.status_code == 200 and "/docs/assets/swagger-ui-bundle.js" in page.text
        assert "https://" not in page.text  # nothing from a CDN
        bundle = client.get("/docs/assets/swagger-ui-bundle.js")
        assert bundle.status_code == 200 and len(bundle.content) > 100_000
        assert client.get("/docs/assets/swagger-ui.css").status_code == 200
        assert client.get("/openapi.json").status_code == 200
        assert client.get("/docs/assets/..%2F..%2Fpyproject.toml").status_code == 404
