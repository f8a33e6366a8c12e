"""Research exports of a transcript: TEI (ISO 24624:2016), ELAN (EAF 3.0), Praat TextGrid and
an IIIF Presentation 3 Manifest, one module each; :func:`render` picks one by name.

``talk`` is :meth:`archive.catalog.Talk.public_dict` with the absolute ``url``, ``media_url``,
``media_type``, ``poster_url`` and ``captions_url`` that :func:`archive.exports.links` adds.
Each format carries the speakers and word times wherever it has room, and the licence and the
provenance wherever it has a place for metadata (:mod:`.common` lays the transcript out for all).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..transcript import Transcript
from .eaf import to_eaf
from .iiif import to_iiif
from .tei import to_tei
from .textgrid import to_textgrid

FORMATS: dict[str, str] = {
    "tei": "application/tei+xml; charset=utf-8",
    "eaf": "application/xml; charset=utf-8",
    "textgrid": "text/plain; charset=utf-8",
    "iiif": 'application/ld+json;profile="http://iiif.io/api/presentation/3/context.json"',
}

EXTENSIONS: dict[str, str] = {
    "tei": "tei.xml",
    "eaf": "eaf",
    "textgrid": "TextGrid",
    "iiif": "iiif.json",
}

RENDERERS: dict[str, Callable[[Transcript, dict[str, Any]], str]] = {
    "tei": to_tei,
    "eaf": to_eaf,
    "textgrid": to_textgrid,
    "iiif": to_iiif,
}


def render(fmt: str, transcript: Transcript, talk: dict[str, Any]) -> str:
    """The transcript in research format ``fmt`` (a key of :data:`FORMATS`)."""
    if fmt not in RENDERERS:
        raise KeyError(f"no research format {fmt!r}; use {', '.join(RENDERERS)}")
    return RENDERERS[fmt](transcript, talk)
