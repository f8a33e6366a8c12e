"""Every export format of a transcript in one registry: the everyday ones
(:mod:`archive.formats`: txt, json, srt, vtt, csv) and the research ones
(:mod:`archive.research`: tei, eaf, textgrid, iiif). The API's transcript route, the CLI's
``export``, the talk page's downloads and the corpus all go through :func:`render`."""

from __future__ import annotations

from typing import Any

from . import formats, research
from .errors import InputError
from .transcript import Transcript

MEDIA_TYPES: dict[str, str] = {**formats.FORMATS, **research.FORMATS}
EXTENSIONS: dict[str, str] = {**{f: f for f in formats.FORMATS}, **research.EXTENSIONS}
_ONE = "|".join(MEDIA_TYPES)
FORMATS_PATTERN = f"^(({_ONE})(,({_ONE}))*)?$"  # a comma-separated list, as the API documents it


def render(transcript: Transcript, talk: dict[str, Any], fmt: str) -> str:
    """``talk`` is the talk's public dict with absolute ``url``, ``media_url``,
    ``media_type``, ``poster_url`` and ``captions_url`` (:func:`links`)."""
    if fmt in research.FORMATS:
        return research.render(fmt, transcript, talk)
    return formats.render(transcript, talk, fmt)


def parse_formats(raw: str | None, default: tuple[str, ...]) -> list[str]:
    """``json,tei`` -> ["json", "tei"]; an unknown format is an InputError naming the known."""
    chosen = [f.strip().lower() for f in (raw or "").split(",") if f.strip()] or list(default)
    unknown = [f for f in chosen if f not in MEDIA_TYPES]
    if unknown:
        raise InputError(f"no export format {unknown[0][:20]!r}; use {', '.join(MEDIA_TYPES)}",
                         code="bad_format")
    return list(dict.fromkeys(chosen))


def links(talk: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The talk's public dict with the absolute links the research formats cite."""
    base = base_url.rstrip("/")
    api = f"{base}/api/talks/{talk['id']}"
    return {**talk, "url": f"{base}/talks/{talk['id']}", "media_url": f"{api}/media",
            "media_type": "video/mp4" if talk.get("has_video", True) else "audio/mp4",
            "poster_url": f"{api}/poster.jpg" if talk.get("has_poster") else None,
            "captions_url": f"{api}/transcript.vtt"}
