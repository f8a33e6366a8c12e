"""The one settings object (environment prefix ``TALKARCHIVE_``), built once and passed down."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .licences import LICENCES


class Settings(BaseSettings):
    """Every setting the archive reads. Documented one by one in README.md (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="TALKARCHIVE_", extra="ignore")

    data_dir: Path = Field(Path("./data"), description="Everything the archive stores lives below it.")
    cache_dir: Path = Field(
        Path.home() / ".cache" / "talkarchive",
        description="Verified model files and the Meilisearch binary, shared by archives.",
    )
    meili_url: str = Field("http://127.0.0.1:7700", description="Meilisearch base URL.")
    meili_master_key: str | None = Field(
        None, description="Meilisearch master key; generated and kept below DATA_DIR when unset."
    )
    meili_index: str = Field("segments", description="Name of the segment index; the talk index is `{name}_talks`.")
    engine: Literal["faster-whisper", "openai-whisper"] = Field(
        "faster-whisper", description="Transcription engine."
    )
    model: str = Field("base", description="Whisper model size or a path to model files.")
    device: Literal["cpu", "cuda"] = Field("cpu", description="Where the engine runs.")
    compute_type: str = Field(
        "auto", description="CTranslate2 compute type; auto is int8 on CPU, float16 on CUDA."
    )
    language: str = Field("de", description="Default spoken language of a talk.")
    public_url: str | None = Field(
        None,
        description="The archive's address as people reach it, for links in exports, citations "
        "and corpora; unset: the address a request came to (the CLI: http://127.0.0.1:8000).",
    )
    default_licence: str = Field(
        "CC-BY-4.0", description="Licence a new talk gets (SPDX identifier; staff may change it)."
    )
    beam_size: int = Field(5, ge=1, le=10, description="Beam size for decoding.")
    batch_size: int = Field(
        8, ge=0, description="Batch size of the batched pipeline for long recordings; 0 turns it off."
    )
    batch_min_seconds: float = Field(
        120.0, description="Recordings at least this long use the batched pipeline."
    )
    chunk_seconds: float = Field(
        300.0, gt=60, description="Audio is fed to the engine in chunks of at most this length."
    )
    cpu_threads: int = Field(0, ge=0, description="Engine CPU threads; 0 uses every core.")
    diarize: bool = Field(True, description="Find speaker turns (who said each sentence).")
    slides: bool = Field(
        True, description="Read the text of a video's slides (Tesseract), searchable from the "
        "second each slide appears; audio-only recordings are not affected.",
    )
    database_url: str | None = Field(
        None, description="SQLAlchemy URL of the catalog; default SQLite below DATA_DIR."
    )
    queue_url: str | None = Field(None, description="Queue URL (Huey); default SQLite below DATA_DIR.")
    job_stale_seconds: float = Field(
        30.0, gt=0, description="A running job whose worker is silent this long is run again."
    )
    embed_ancestors: str = Field(
        "*", description="Sites that may show /embed/ pages in a frame: a CSP frame-ancestors "
        "source list, such as `https://www.soest.de https://*.olpe.de`; other pages never.",
    )
    session_idle_minutes: int = Field(
        120, ge=1, le=7 * 24 * 60,
        description="A staff session unused this long is signed out (it lives 7 days at most).",
    )
    max_upload_mb: int = Field(8192, ge=1, description="Largest accepted upload in MB.")
    index_batch_size: int = Field(
        2000, ge=1, description="Documents per request when the index is written."
    )
    semantic: bool = Field(
        True, description="Search by meaning as well as by words: every sentence gets a vector "
        "from a sentence model, and a search finds what a query means, not only its words.",
    )

    @field_validator("default_licence")
    @classmethod
    def _known_licence(cls, value: str) -> str:
        if value not in LICENCES:
            raise ValueError(f"{value!r} is not one of {', '.join(LICENCES)}")
        return value

    def session_idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.session_idle_minutes)

    def base_url(self, asked: str | None = None) -> str:
        """The address links are built on: PUBLIC_URL, else the one a request came to."""
        return (self.public_url or asked or "http://127.0.0.1:8000").rstrip("/")

    @property
    def catalog_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'catalog.sqlite3').resolve()}"

    @property
    def models_dir(self) -> Path:
        return self.cache_dir / "models"

    @property
    def transcripts_dir(self) -> Path:
        return self.data_dir / "transcripts"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def work_dir(self) -> Path:
        return self.data_dir / "tmp"

    def resolved_compute_type(self) -> str:
        if self.compute_type != "auto":
            return self.compute_type
        return "float16" if self.device == "cuda" else "int8"
