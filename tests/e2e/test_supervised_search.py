"""`serve` supervises its managed Meilisearch: SIGKILLed, it is back within 10 s; searches
meanwhile answer 503 in the error shape, a change made meanwhile reaches the index once it is
back, and SIGTERM or SIGINT to `serve` ends everything it started."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import psutil
import pytest

from archive import catalog as cat

from ..conftest import free_port, make_archive, start_serve
from ..unit.fakes import add_talk
from ..unit.test_research_unit import save_transcript

pytestmark = pytest.mark.e2e


def wait_for(check, seconds: float):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            found = check()
        except httpx.TransportError:
            found = None
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.1)


def test_a_killed_meilisearch_comes_back_and_catches_up(tmp_path: Path) -> None:
    archive = make_archive(tmp_path, f"http://127.0.0.1:{free_port()}")  # serve manages it
    settings = archive.settings()
    catalog = cat.Catalog(settings)
    add_talk(catalog, tmp_path, "a1b2c3d4e5f60718")
    save_transcript(settings, "a1b2c3d4e5f60718", ["Willkommen im Rathaus von Soest."])
    catalog.dispose()
    token = archive.run("token", "create", "--name", "ops").stdout.split()[-1]
    serve, url = start_serve(archive, tmp_path, None, "--no-worker")
    try:
        assert httpx.get(f"{url}/api/search", params={"q": "Rathaus"}).json()["total"] == 1
        meili = next(p for p in psutil.Process(serve.pid).children(recursive=True)
                     if "meilisearch" in p.name())
        meili.kill()
        killed = time.monotonic()
        down = httpx.get(f"{url}/api/search", params={"q": "Rathaus"})
        assert down.status_code == 503 and down.json()["error"]["code"] == "search_unavailable"
        assert httpx.get(f"{url}/api/health").json()["search"] == "down"
        changed = httpx.patch(f"{url}/api/talks/a1b2c3d4e5f60718", json={
            "title": "Die Bürgerwerkstatt"}, headers={"Authorization": f"Bearer {token}"})
        assert changed.status_code == 200, changed.text
        found = wait_for(lambda: httpx.get(f"{url}/api/search", params={
            "q": "Bürgerwerkstatt"}, timeout=2).json().get("total"), 10)
        assert found == 1 and time.monotonic() - killed < 10
        assert httpx.get(f"{url}/api/health").json()["status"] == "ok"
        started = psutil.Process(serve.pid).children(recursive=True)
        assert any("meilisearch" in p.name() for p in started)
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)
        gone, alive = psutil.wait_procs(started, timeout=15)
        assert alive == [], [p.name() for p in alive]  # nothing left running, nothing orphaned
    finally:
        if serve.poll() is None:
            serve.kill()


def test_ctrl_c_ends_serve_its_meilisearch_and_its_worker(tmp_path: Path) -> None:
    """SIGINT (Ctrl-C) as SIGTERM above: nothing `serve` started outlives it, the job worker
    included."""
    archive = make_archive(tmp_path, f"http://127.0.0.1:{free_port()}")  # serve manages it
    serve, _url = start_serve(archive, tmp_path)
    try:
        deadline = time.monotonic() + 30
        while True:  # the managed Meilisearch and the worker (python -m talkarchive worker)
            started = psutil.Process(serve.pid).children(recursive=True)
            names = " ".join(" ".join(p.cmdline()) for p in started)
            if "meilisearch" in names and "talkarchive worker" in names:
                break
            assert time.monotonic() < deadline, names
            time.sleep(0.2)
        serve.send_signal(signal.SIGINT)
        serve.wait(30)
        gone, alive = psutil.wait_procs(started, timeout=15)
        assert alive == [], [p.name() for p in alive]
    finally:
        if serve.poll() is None:
            serve.kill()
