"""Shared fixtures. Unit tests need none of these; end-to-end tests get a real Meilisearch
(the pinned binary on a free 127.0.0.1 port) and run the real ``talkarchive`` command."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from archive.search import server
from archive.settings import Settings
from ingest import models

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TALKS = SHARED / "talks_de"
CLI = Path(sys.executable).parent / "talkarchive"
ARTIFACTS = ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def needs_shared() -> pytest.MarkDecorator:
    return pytest.mark.skipif(not TALKS.is_dir(), reason=f"{SHARED} is absent (not in a user's clone)")


@pytest.fixture(scope="session")
def installed() -> Settings:
    """The model and Meilisearch binary that `make test` installs."""
    settings = Settings()
    try:
        models.resolve(settings)
    except Exception as exc:  # noqa: BLE001
        pytest.exit(f"{exc} (run `make test`, which installs it)", returncode=1)
    if not server.binary_path(settings).exists():
        pytest.exit("Meilisearch is not installed (run `make test`, which installs it)", 1)
    return settings


@pytest.fixture(scope="session")
def meili_server(installed: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Meilisearch for the whole session; yields its URL. Its key is in the env dict."""
    data = tmp_path_factory.mktemp("meili")
    url = f"http://127.0.0.1:{free_port()}"
    settings = Settings(data_dir=data, meili_url=url, meili_master_key=MASTER_KEY)
    managed = server.ManagedMeili(settings)
    managed.start()
    yield url
    managed.stop()


MASTER_KEY = "test-master-key-" + "0123456789abcdef"


@dataclass
class Archive:
    """One archive (data dir + its own index) on the session's Meilisearch."""

    data_dir: Path
    env: dict[str, str]

    def settings(self) -> Settings:
        return Settings(
            data_dir=self.data_dir,
            meili_url=self.env["TALKARCHIVE_MEILI_URL"],
            meili_master_key=self.env.get("TALKARCHIVE_MEILI_MASTER_KEY"),
            meili_index=self.env["TALKARCHIVE_MEILI_INDEX"],
            engine=self.env.get("TALKARCHIVE_ENGINE", "faster-whisper"),  # type: ignore[arg-type]
            database_url=self.env.get("TALKARCHIVE_DATABASE_URL"),
        )

    def run(self, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [str(CLI), *args], capture_output=True, text=True, env={**self.env, **env},
            timeout=600,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"talkarchive {' '.join(args)} exited {result.returncode}\n{result.stderr}"
            )
        return result

    def search(self, query: str) -> dict:  # type: ignore[type-arg]
        return json.loads(self.run("search", query, "--json").stdout)


_counter = iter(range(1000))


def make_archive(tmp: Path, meili_url: str, **env: str) -> Archive:
    data = tmp / "archive"
    full = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TALKARCHIVE_")},
        "TALKARCHIVE_DATA_DIR": str(data),
        "TALKARCHIVE_MEILI_URL": meili_url,
        "TALKARCHIVE_MEILI_MASTER_KEY": MASTER_KEY,
        "TALKARCHIVE_MEILI_INDEX": f"test{next(_counter)}_{os.getpid()}",
        "NO_COLOR": "1",
        "COLUMNS": "200",
        **env,
    }
    if "TALKARCHIVE_CACHE_DIR" in os.environ:
        full["TALKARCHIVE_CACHE_DIR"] = os.environ["TALKARCHIVE_CACHE_DIR"]
    return Archive(data, full)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``both_catalogs`` that uses ``archive`` runs on SQLite and on PostgreSQL;
    a test that uses ``catalog_url`` runs on SQLite in the unit tier, on PostgreSQL in
    integration."""
    if "archive" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
            "both_catalogs"):
        metafunc.parametrize("archive_catalog", ["sqlite", "postgresql"], indirect=True)
    if "catalog_url" in metafunc.fixturenames:
        tier = "postgresql" if "integration" in metafunc.definition.path.parts else "sqlite"
        metafunc.parametrize("catalog_url", [tier], indirect=True)


@pytest.fixture
def archive_catalog(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def archive(meili_server: str, tmp_path: Path, archive_catalog: str,
            request: pytest.FixtureRequest) -> Archive:
    if archive_catalog == "postgresql":
        from .postgres_server import new_database

        url = new_database(request.getfixturevalue("postgres_cluster"))
        return make_archive(tmp_path, meili_server, TALKARCHIVE_DATABASE_URL=url)
    return make_archive(tmp_path, meili_server)


def truth_sentence(name: str, word: str) -> dict:  # type: ignore[type-arg]
    truth = json.loads((TALKS / f"{name}.truth.json").read_text())
    return next(s for s in truth["sentences"] if word in s["text"])


@dataclass
class Served:
    url: str
    archive: Archive
    talk_ids: dict[str, str]  # source name -> talk id
    shared: bool


def start_serve(archive: Archive, tmp: Path, port: int | None = None,
                *args: str) -> tuple[subprocess.Popen[bytes], str]:
    """`talkarchive serve` on a free port, its output in ``tmp/serve.log``; returns once
    /api/health answers 200 (at most 60 s)."""
    import time

    import httpx

    port = port or free_port()
    log = (tmp / "serve.log").open("wb")
    proc = subprocess.Popen([str(CLI), "serve", "--port", str(port), *args], env=archive.env,
                            stdout=log, stderr=subprocess.STDOUT)
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/health", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"serve did not start: {(tmp / 'serve.log').read_text()}")
        time.sleep(0.2)


@pytest.fixture(scope="session")
def served(meili_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A real `talkarchive serve` with the three shared talks ingested once per session
    (our own demo talks where ../shared/data is absent)."""

    from ingest import demo

    tmp = tmp_path_factory.mktemp("served")
    archive = make_archive(tmp, meili_server, TALKARCHIVE_MAX_UPLOAD_MB="5")
    shared = TALKS.is_dir()
    if shared:
        files = sorted(TALKS.glob("*.mp4"))
        meta = {f.stem: ["--event", "Smart Cities Konferenz 2025", "--date", "2025-09-18",
                         "--town", "Arnsberg", "--speaker", "Jonas Weber"] for f in files}
        meta["podium_strategien"] = ["--event", "Smart Cities Konferenz 2024", "--date",
                                     "2024-10-02", "--town", "Olpe", "--speaker", "Anna Becker",
                                     "--speaker", "Paul Hoffmann"]
    else:
        files = [demo.render_demo(t, tmp / "demo")[0] for t in demo.DEMO_TALKS]
        meta = {t.slug: ["--event", t.event, "--date", t.date, "--town", t.town,
                         *sum((["--speaker", s] for s in t.speakers), [])]
                for t in demo.DEMO_TALKS}
    talk_ids = {}
    for f in files:
        out = archive.run("ingest", str(f), "-q", "--title", f.stem.replace("_", " ").title(),
                          *meta[f.stem])
        talk_ids[f.stem] = out.stdout.split()[0]
    port = free_port()
    archive.env["TALKARCHIVE_PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # CLI and API links agree
    proc, url = start_serve(archive, tmp, port)
    yield Served(url, archive, talk_ids, shared)
    proc.terminate()
    proc.wait(30)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[str]:
    """Debian's PostgreSQL on a free port for the session (about 3 s to start, so it always
    runs; TALKARCHIVE_TEST_POSTGRES=0 leaves it out)."""
    from .postgres_server import postgres

    if os.environ.get("TALKARCHIVE_TEST_POSTGRES") == "0":
        pytest.skip("TALKARCHIVE_TEST_POSTGRES=0: the PostgreSQL runs are left out")
    with postgres(free_port()) as base_url:
        yield base_url


@pytest.fixture
def catalog_url(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str | None:
    """The catalog of a test: the default SQLite catalog in the unit tier (in-process, no
    server), a fresh PostgreSQL database in the integration tier, through
    TALKARCHIVE_DATABASE_URL, which every Settings() of the test reads. The unit modules that
    use it run again in ``tests/integration/test_catalog_on_postgres_*.py``."""
    if request.param == "sqlite":
        monkeypatch.delenv("TALKARCHIVE_DATABASE_URL", raising=False)
        return None
    from .postgres_server import new_database

    url = new_database(request.getfixturevalue("postgres_cluster"))
    monkeypatch.setenv("TALKARCHIVE_DATABASE_URL", url)
    return url
