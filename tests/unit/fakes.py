"""Fakes for the unit tier: a search client that answers from a script, an app whose parts
are replaced through ``app.dependency_overrides``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from api import deps
from api.app import create_app
from archive import catalog as cat
from archive import tokens
from archive.errors import SearchUnavailable, TalkarchiveError
from archive.settings import Settings


class FakeSearch:
    """Answers each multi-search with the next scripted result list (or raises ``error``)."""

    def __init__(self, answers: list[list[dict[str, Any]]] | None = None,
                 error: TalkarchiveError | None = None) -> None:
        self.answers = list(answers or [])
        self.error = error
        self.requests: list[list[dict[str, Any]]] = []

    def healthy(self, timeout: int = 2) -> bool:
        return self.error is None

    def __getattr__(self, name: str) -> Any:
        """Every other call (index writes) finds the search engine away, as when it is down."""
        def unavailable(*_args: Any, **_kwargs: Any) -> Any:
            raise SearchUnavailable("the fake search engine only answers searches")
        return unavailable

    def multi_search(self, queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        self.requests.append([dict(q) for q in queries])
        if self.error is not None:
            raise self.error
        return self.answers.pop(0)


@contextmanager
def app_with(tmp_path: Path, search: FakeSearch, *, semantic: bool = False
             ) -> Iterator[tuple[TestClient, cat.Catalog, str]]:
    """A TestClient on a fresh archive whose search client is ``search``; yields the client,
    the catalog and a staff token. Search by meaning is off unless asked for: the fake answers
    the keyword flow's requests, one multi-search each."""
    settings = Settings(data_dir=tmp_path, meili_url="http://127.0.0.2:9", meili_master_key="k" * 20,
                        semantic=semantic)
    app = create_app(settings)
    app.dependency_overrides[deps.get_search] = lambda: search
    with TestClient(app, raise_server_exceptions=False) as client:
        catalog: cat.Catalog = app.state.catalog
        yield client, catalog, tokens.create_token(catalog, "unit")


def add_talk(catalog: cat.Catalog, tmp_path: Path, talk_id: str = "t1", *, published: bool = True,
             media: bytes = b"0123456789" * 100) -> cat.Talk:
    path = tmp_path / f"{talk_id}.mp4"
    path.write_bytes(media)
    talk = cat.Talk(id=talk_id, content_hash=(talk_id * 64)[:64], title="Das digitale Rathaus",
                    event="Smart Cities 2025", date="2025-09-18", year=2025, speakers=["Jonas Weber"],
                    town="Soest", language="de", duration=12.0, status="ready", published=published,
                    original_name="rathaus.mp4", original_path=str(path), media_path=str(path),
                    poster_path=None, has_video=True, segment_count=1)
    with catalog.session() as s:
        s.add(talk)
    return talk
