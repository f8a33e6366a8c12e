"""The IIIF export: a talk as an IIIF Presentation API 3.0 Manifest
(https://iiif.io/api/presentation/3.0/) with its transcript as W3C Web Annotations.

One Canvas as long as the recording, painted with the media (``Video`` or ``Sound``); its
``annotations`` are one AnnotationPage of ``supplementing`` annotations, one per sentence, each a
``TextualBody`` ("Name: text" where the speaker is known) targeting the canvas with a media
fragment ``#t=start,end``. The Manifest carries the talk's details as ``metadata``, the licence
as ``rights`` (where it is a Creative Commons URI, as IIIF requires) and always in the
``requiredStatement``, the provenance in ``metadata``, and links the talk page (``homepage``)
and the WebVTT captions (``rendering``).
"""

from __future__ import annotations

import json
from typing import Any

from ..transcript import Transcript
from .common import UNKNOWN, Layout, Sentence, layout, licence, made_by, secs

CONTEXT = "http://iiif.io/api/presentation/3/context.json"
_RIGHTS_HOSTS = ("creativecommons.org/licenses/", "creativecommons.org/publicdomain/",
                 "rightsstatements.org/vocab/")
_IMAGE_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def _lang(values: list[str], lang: str) -> dict[str, list[str]]:
    return {lang: values}


def _label(de: str, en: str) -> dict[str, list[str]]:
    return {"de": [de], "en": [en]}


def rights(url: str | None) -> str | None:
    """A licence URL as IIIF's ``rights`` wants it (the http:// form of a Creative Commons or
    RightsStatements.org URI), or None where it is neither."""
    if not url:
        return None
    bare = url.split("://", 1)[-1]
    return "http://" + bare if bare.startswith(_RIGHTS_HOSTS) else None


def _metadata(transcript: Transcript, talk: dict[str, Any]) -> list[dict[str, Any]]:
    people = list(talk.get("speakers") or [])
    people += [n for n in (talk.get("speaker_names") or {}).values() if n and n not in people]
    pairs = [
        (_label("Veranstaltung", "Event"), [talk.get("event")]),
        (_label("Datum", "Date"), [talk.get("date") or talk.get("year")]),
        (_label("Ort", "Place"), [talk.get("town")]),
        (_label("Sprecher", "Speakers"), people),
        (_label("Transkription", "Transcription"), [made_by(transcript)]),
    ]
    return [{"label": label, "value": {"none": [str(v) for v in values if v]}}
            for label, values in pairs if any(values)]


def _body_text(sentence: Sentence) -> str:
    if sentence.speaker.ident == UNKNOWN:
        return sentence.text
    return f"{sentence.speaker.name}: {sentence.text}"


def _canvas(transcript: Transcript, talk: dict[str, Any], lay: Layout, base: str) -> dict[str, Any]:
    canvas_id = f"{base}/canvas/1"
    duration = max(lay.duration, 1) / 1000  # IIIF wants a duration above zero
    has_video = talk.get("has_video", True)
    media = {
        "id": str(talk["media_url"]),
        "type": "Video" if has_video else "Sound",
        "format": str(talk.get("media_type") or ("video/mp4" if has_video else "audio/mp4")),
        "duration": duration,
    }
    painting = {"id": f"{canvas_id}/page/1", "type": "AnnotationPage", "items": [{
        "id": f"{canvas_id}/page/1/media", "type": "Annotation", "motivation": "painting",
        "body": media, "target": canvas_id,
    }]}
    language = str(transcript.language or talk.get("language") or "de")
    transcript_page = {
        "id": f"{canvas_id}/transcript", "type": "AnnotationPage",
        "label": _label("Transkript", "Transcript"),
        "items": [{
            "id": f"{canvas_id}/transcript/{s.index + 1}", "type": "Annotation",
            "motivation": "supplementing",
            "body": {"type": "TextualBody", "value": _body_text(s), "language": language,
                     "format": "text/plain"},
            "target": f"{canvas_id}#t={secs(s.start)},{secs(s.end)}",
        } for s in lay.sentences],
    }
    return {"id": canvas_id, "type": "Canvas", "duration": duration, "items": [painting],
            "annotations": [transcript_page]}


def _links(talk: dict[str, Any], title: str, lang: str) -> dict[str, Any]:
    links: dict[str, Any] = {}
    if talk.get("url"):
        links["homepage"] = [{"id": str(talk["url"]), "type": "Text", "label": _lang([title], lang),
                              "format": "text/html"}]
    if talk.get("poster_url"):
        poster = str(talk["poster_url"])
        thumb = {"id": poster, "type": "Image"}
        if fmt := _IMAGE_TYPES.get(poster.rsplit(".", 1)[-1].lower()):
            thumb["format"] = fmt
        links["thumbnail"] = [thumb]
    if talk.get("captions_url"):
        links["rendering"] = [{"id": str(talk["captions_url"]), "type": "Text",
                               "label": _label("Untertitel (WebVTT)", "Captions (WebVTT)"),
                               "format": "text/vtt"}]
    return links


def _served_at(talk: dict[str, Any], base: str) -> str:
    """A manifest's id is the address it is served from: beside the captions
    (``/api/talks/{id}/transcript.iiif``); without them, under the talk page."""
    captions = str(talk.get("captions_url") or "")
    if captions.endswith("/transcript.vtt"):
        return captions.removesuffix(".vtt") + ".iiif"
    return f"{base}/manifest"


def to_iiif(transcript: Transcript, talk: dict[str, Any]) -> str:
    """The talk and its transcript as an IIIF Presentation 3 Manifest (JSON text). Needs the
    talk's absolute ``url`` and ``media_url``."""
    lay = layout(transcript, talk)
    base = str(talk["url"]).rstrip("/")  # the talk page: the manifest and canvas ids hang off it
    lang = str(talk.get("language") or transcript.language or "de")
    title = str(talk.get("title") or transcript.talk_id)
    manifest: dict[str, Any] = {
        "@context": CONTEXT, "id": _served_at(talk, base), "type": "Manifest",
        "label": _lang([title], lang),
        "metadata": _metadata(transcript, talk),
    }
    if talk.get("description"):
        manifest["summary"] = _lang([str(talk["description"])], lang)
    name, url = licence(talk)
    if (uri := rights(url)) is not None:
        manifest["rights"] = uri
    if name or url:
        manifest["requiredStatement"] = {"label": _label("Lizenz", "Licence"),
                                         "value": {"none": [name or url]}}
    manifest.update(_links(talk, title, lang))
    manifest["items"] = [_canvas(transcript, talk, lay, base)]
    return json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"
