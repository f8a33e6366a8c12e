"""Index drains are serialised: a second drainer waits until the first has written its change,
so a request that drained returns only after the index holds it."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from archive import catalog as cat
from archive.search import outbox
from archive.settings import Settings

# the catalog of each test: SQLite, then a fresh PostgreSQL database
pytestmark = pytest.mark.usefixtures("catalog_url")


def test_a_second_drainer_waits_for_the_first(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    catalog = cat.Catalog(Settings(data_dir=tmp_path))
    try:
        with catalog.session() as s:
            outbox.queue_change(s, "t1")
        events: list[str] = []

        def slow_apply(_settings, _client, _catalog, row) -> None:  # type: ignore[no-untyped-def]
            events.append(f"start {row.talk_id}")
            time.sleep(0.3)  # the index write takes a while
            events.append(f"written {row.talk_id}")

        monkeypatch.setattr(outbox, "_apply", slow_apply)
        monkeypatch.setattr(outbox, "ensure_index", lambda *_args: None)
        first = threading.Thread(target=outbox.drain_outbox, args=(Settings(), None, catalog))
        first.start()
        time.sleep(0.05)
        outbox.drain_outbox(Settings(), None, catalog)  # type: ignore[arg-type]
        events.append("second returned")
        first.join()
        assert events == ["start t1", "written t1", "second returned"]
    finally:
        catalog.engine.dispose()
