"""Where the archive keeps its files below DATA_DIR, and the sha256 that addresses them.

Originals are content-addressed (``media/originals/{sha256}{ext}``); a talk's id is the first
16 hex digits of that hash; its transcript JSON (the source of truth) is
``transcripts/{talk_id}.json``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .settings import Settings


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def talk_id_for(content_hash: str) -> str:
    return content_hash[:16]


def transcript_path(settings: Settings, talk_id: str) -> Path:
    """The transcript JSON of a talk: the one place this path is spelled."""
    return settings.transcripts_dir / f"{talk_id}.json"


def original_path(settings: Settings, content_hash: str, suffix: str) -> Path:
    return settings.media_dir / "originals" / f"{content_hash}{suffix.lower()}"


def slides_dir(settings: Settings, talk_id: str) -> Path:
    """A talk's slide thumbnails (``000.jpg``, ...), named in its transcript."""
    return settings.media_dir / "slides" / talk_id
