"""The OpenAPI schema says what the server enforces: `schemathesis run --checks all` against a
served archive, anonymous and with a staff token, reports no failure (a small budget and a
fixed seed, so a run is repeatable; `schemathesis.toml` holds the one per-operation note).

The archive is its own (one talk with a real MP4, a poster-less video), since the staff run
changes and deletes what it finds. The coverage phase is left out: in schemathesis 4.32.5 it
stops with an internal error from hypothesis's lambda-source parser on Python 3.11 (an
"AST constructor recursion depth mismatch"), not with a finding about this API."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from archive import catalog as cat

from ..conftest import ROOT, make_archive, start_serve
from ..unit.fakes import add_talk
from ..unit.test_research_unit import save_transcript

pytestmark = pytest.mark.e2e

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
TALK = "a1b2c3d4e5f60718"


def fuzz(url: str, where: Path, *headers: str) -> subprocess.CompletedProcess[str]:
    args = [str(SCHEMATHESIS), "--config-file", str(ROOT / "schemathesis.toml"), "run",
            f"{url}/openapi.json", "--checks", "all", "--max-examples", "15", "--workers", "2",
            "--seed", "20261126", "--phases", "examples,fuzzing,stateful", "--no-color"]
    for header in headers:
        args += ["-H", header]
    # run where its cache (.schemathesis/) may stay
    return subprocess.run(args, capture_output=True, text=True, timeout=600, cwd=where)


def test_schemathesis_finds_no_failure(meili_server: str, tmp_path: Path) -> None:
    archive = make_archive(tmp_path, meili_server)
    settings = archive.settings()
    catalog = cat.Catalog(settings)
    originals = settings.media_dir / "originals"
    originals.mkdir(parents=True)
    add_talk(catalog, originals, TALK)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=duration=2",
                    "-f", "lavfi", "-i", "color=c=blue:s=160x120:d=2", "-shortest",
                    "-c:v", "libx264", "-c:a", "aac", str(originals / f"{TALK}.mp4")], check=True)
    save_transcript(settings, TALK, ["Willkommen im Rathaus von Soest.", "Der Bürgerbus fährt."])
    catalog.dispose()
    token = archive.run("token", "create", "--name", "fuzz").stdout.split()[-1]
    serve, url = start_serve(archive, tmp_path, None, "--no-worker")
    try:
        for who, headers in (("anonymous", ()), ("staff", (f"Authorization: Bearer {token}",))):
            run = fuzz(url, tmp_path, *headers)
            assert run.returncode == 0 and "Failures:" not in run.stdout, (who, run.stdout[-6000:])
        assert "Traceback" not in (tmp_path / "serve.log").read_text()  # no server error
    finally:
        serve.terminate()
        serve.wait(30)
