"""The TEI export: a transcript as TEI P5 following ISO 24624:2016 (transcription of spoken
language), as EXMARaLDA's ISO-TEI export writes it.

The header names the talk, its licence (``availability/licence``), the recording
(``sourceDesc/recordingStmt/recording`` with its ``media``), the speakers
(``particDesc/listPerson``), the engine that transcribed it and the diarizer (``respStmt`` and
``encodingDesc``) and the staff corrections (``revisionDesc``). The text has a ``timeline`` in
seconds (``when`` T0 is the origin, every other time point an ``interval`` since it) and one
``annotationBlock`` per speaker turn; its ``u`` holds one ``seg type="utterance"`` per sentence,
each word a ``w`` preceded by an ``anchor`` at its start (and followed by one at its end where a
pause follows). The header is built with :mod:`xml.etree.ElementTree`, the text written as
escaped XML (:func:`_text` says why); valid against ``tei_all.rng``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any
from xml.sax.saxutils import escape

from ..citations import SITE
from ..transcript import Transcript
from .common import Layout, Sentence, Speaker, layout, licence, made_by, provenance, secs, turns

TEI_NS = "http://www.tei-c.org/ns/1.0"
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_QUOTE = {'"': "&quot;"}
_DATE = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    element.text = text
    return element


def _language(transcript: Transcript, talk: dict[str, Any]) -> str:
    return str(talk.get("language") or transcript.language or "de")


def _date(talk: dict[str, Any]) -> str | None:
    """The talk's date (or year) where it is one XML Schema can read."""
    value = str(talk.get("date") or talk.get("year") or "")
    return value if _DATE.match(value) else None


def _file_desc(transcript: Transcript, talk: dict[str, Any], lay: Layout) -> ET.Element:
    file_desc = ET.Element("fileDesc")
    title_stmt = _sub(file_desc, "titleStmt")
    _sub(title_stmt, "title", str(talk.get("title") or transcript.talk_id))
    prov = transcript.provenance
    resp = _sub(title_stmt, "respStmt")
    _sub(resp, "resp", "automatische Transkription")
    _sub(resp, "name", f"{prov.engine} ({prov.model})", type="software")
    diarizer = (prov.diarization or {}).get("diarizer")
    if diarizer:
        resp = _sub(title_stmt, "respStmt")
        _sub(resp, "resp", "automatische Sprecherzuordnung")
        _sub(resp, "name", str(diarizer), type="software")
    pub = _sub(file_desc, "publicationStmt")
    _sub(pub, "publisher", SITE)
    if talk.get("url"):
        _sub(pub, "idno", str(talk["url"]), type="URI")
    name, url = licence(talk)
    if name or url:
        availability = _sub(pub, "availability")
        lic = _sub(availability, "licence", name or url)
        if url:
            lic.set("target", url)
    recording = _sub(_sub(_sub(file_desc, "sourceDesc"), "recordingStmt"), "recording",
                     type="video" if talk.get("has_video", True) else "audio",
                     dur=f"PT{secs(lay.duration)}S")
    if (when := _date(talk)) is not None:
        _sub(recording, "date", when, when=when)
    if talk.get("speakers"):
        resp = _sub(recording, "respStmt")
        _sub(resp, "resp", "Vortrag")
        for person in talk["speakers"]:
            _sub(resp, "persName", str(person))
    if talk.get("media_url"):
        _sub(recording, "media", mimeType=str(talk.get("media_type") or "video/mp4"),
             url=str(talk["media_url"]))
    return file_desc


def _encoding_desc(transcript: Transcript) -> ET.Element:
    encoding = ET.Element("encodingDesc")
    _sub(encoding, "p", f"Automatisch transkribiert mit {made_by(transcript)}.")
    gloss = _sub(_sub(encoding, "p"), "list", type="gloss")
    for name, value in provenance(transcript):
        _sub(gloss, "label", name)
        _sub(gloss, "item", value)
    return encoding


def _person(speaker: Speaker) -> ET.Element:
    person = ET.Element("person", {XML_ID: speaker.ident})
    if speaker.labels:
        person.set("n", " ".join(speaker.labels))
    _sub(person, "persName", speaker.name)
    return person


def _profile_desc(transcript: Transcript, talk: dict[str, Any], lay: Layout) -> ET.Element:
    profile = ET.Element("profileDesc")
    lang = _language(transcript, talk)
    _sub(_sub(profile, "langUsage"), "language", lang, ident=lang)
    if lay.speakers:
        people = _sub(_sub(profile, "particDesc"), "listPerson")
        people.extend(_person(s) for s in lay.speakers)
    if talk.get("event") or talk.get("town"):
        setting = _sub(_sub(profile, "settingDesc"), "setting")
        if talk.get("event"):
            _sub(setting, "name", str(talk["event"]), type="event")
        if talk.get("town"):
            _sub(setting, "name", str(talk["town"]), type="place")
        if (when := _date(talk)) is not None:
            _sub(setting, "date", when, when=when)
    return profile


def _revision_desc(transcript: Transcript) -> ET.Element | None:
    if not transcript.history:
        return None
    revisions = ET.Element("revisionDesc")
    for entry in transcript.history:
        what = str(entry.get("who") or "")
        if isinstance(entry.get("segment"), int):
            fix = f"Satz {entry['segment'] + 1} korrigiert"
            what = f"{what}: {fix}" if what else fix
        change = _sub(revisions, "change", what or None)
        with contextlib.suppress(ValueError):  # a time XML Schema can read, or none
            change.set("when", dt.datetime.fromisoformat(str(entry.get("at"))).isoformat())
    return revisions


def _header(transcript: Transcript, talk: dict[str, Any], lay: Layout) -> ET.Element:
    header = ET.Element("teiHeader")
    header.append(_file_desc(transcript, talk, lay))
    header.append(_encoding_desc(transcript))
    header.append(_profile_desc(transcript, talk, lay))
    if (revisions := _revision_desc(transcript)) is not None:
        header.append(revisions)
    return header


def _esc(text: str) -> str:
    """Text content escaped for XML; most words need nothing (a third of the time in
    ``saxutils.escape`` went to words without ``&``, ``<`` or ``>``)."""
    return escape(text) if ("&" in text or "<" in text or ">" in text) else text


def _utterance(sentence: Sentence, used: set[int]) -> str:
    """A sentence as one ``seg``: an anchor at its start, before each word (its start), after
    a word where a pause follows (its end) and at its end, each later than the one before.
    Anchors point to ``T{ms}``; the times are added to ``used`` for the timeline."""
    parts = [f'<seg type="utterance" xml:id="seg{sentence.index + 1}">'
             f'<anchor synch="#T{sentence.start}"/>']
    last = sentence.start
    used.add(last)
    words = sentence.words
    if not words and sentence.text:  # no words: its text
        parts.append(_esc(sentence.text))
    for i, word in enumerate(words):
        if word.start > last:
            last = word.start
            parts.append(f'<anchor synch="#T{last}"/>')
            used.add(last)
        parts.append(f"<w>{_esc(word.text)}</w>")
        if word.end > last and (i + 1 == len(words) or word.end < words[i + 1].start):
            last = word.end
            parts.append(f'<anchor synch="#T{last}"/>')
            used.add(last)
    if sentence.end > last:
        parts.append(f'<anchor synch="#T{sentence.end}"/>')
        used.add(sentence.end)
    parts.append("</seg>\n")
    return "".join(parts)


def _text(lay: Layout) -> str:
    """The timeline and the turns, written as text: a talk has thousands of words, and
    ElementTree built and serialised them at 63 ms for 2,400 words (a corpus of 1,000 talks took
    minutes; README, Corpus). A time point's id is ``T`` and its milliseconds, so the turns are
    written in one pass and the timeline after them. Every text and attribute value passes
    through ``escape`` or is one of our own ids; the tests validate the result against
    tei_all.rng."""
    used = {0}  # 0 ms is T0, the origin
    body = []
    for turn in turns(lay.sentences):
        start, end = min(s.start for s in turn), max(s.end for s in turn)
        body.append(f'<annotationBlock who="#{escape(turn[0].speaker.ident, _QUOTE)}" '
                    f'start="#T{start}" end="#T{end}">\n<u>')
        body += [_utterance(s, used) for s in turn]
        body.append("</u>\n</annotationBlock>\n")
    if not lay.sentences:  # TEI wants something in a body; an empty div holds no turn
        body.append("<div/>\n")
    out = ['<text>\n<timeline unit="s" origin="#T0">\n<when xml:id="T0"/>\n']
    out += [f'<when xml:id="T{t}" interval="{t / 1000:.3f}" since="#T0"/>\n'  # as secs(t)
            for t in sorted(used) if t]
    out.append("</timeline>\n<body>\n")
    return "".join(out) + "".join(body) + "</body>\n</text>"


def to_tei(transcript: Transcript, talk: dict[str, Any]) -> str:
    """The transcript as an ISO 24624 TEI document (UTF-8 XML text)."""
    lay = layout(transcript, talk)
    root = ET.Element("TEI", {"xmlns": TEI_NS, XML_LANG: _language(transcript, talk)})
    root.append(_header(transcript, talk, lay))
    ET.indent(root, space=" ")
    head = ET.tostring(root, encoding="unicode")
    closing = head.rindex("</TEI>")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + head[:closing] + _text(lay) + "\n</TEI>\n")
