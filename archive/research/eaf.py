"""The ELAN export: a transcript as an ELAN Annotation Format 3.0 document (``.eaf``, valid
against the MPI's ``EAFv3.0.xsd``).

Per speaker a tier of sentences (linguistic type ``utterance``, ``PARTICIPANT`` the speaker's
name) and under it a tier of words (type ``word``, stereotype ``Included_In``: time-aligned
annotations within their sentence, gaps allowed). Times are milliseconds in ``TIME_ORDER``, one
pair of slots per annotation as ELAN writes them. The header points at the recording
(``MEDIA_DESCRIPTOR``) and carries the provenance as ``PROPERTY`` elements; the licence is a
``LICENSE`` element. Built with :mod:`xml.etree.ElementTree`.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

from ..citations import SITE
from ..clock import now_iso
from ..transcript import Transcript
from .common import WORDS_SUFFIX, Layout, Speaker, layout, licence, provenance

XSI_SCHEMA = "{http://www.w3.org/2001/XMLSchema-instance}noNamespaceSchemaLocation"
SCHEMA_URL = "http://www.mpi.nl/tools/elan/EAFv3.0.xsd"
SENTENCE_TYPE = "utterance"
WORD_TYPE = "word"
# The four stereotypes ELAN declares in every document, with ELAN's own descriptions.
CONSTRAINTS = {
    "Time_Subdivision": "Time subdivision of parent annotation's time interval, no time gaps "
                        "allowed within this interval",
    "Symbolic_Subdivision": "Symbolic subdivision of a parent annotation. Annotations refering to "
                            "the same parent are ordered",
    "Symbolic_Association": "1-1 association with a parent annotation",
    "Included_In": "Time alignable annotations within the parent annotation's time interval, gaps "
                   "are allowed",
}
_NCNAME = re.compile(r"^[A-Za-z_][\w.-]*$")


class _Slots:
    """Time slots and annotation ids, numbered in the order ELAN would number them."""

    def __init__(self) -> None:
        self.times: list[int] = []
        self.annotations = 0

    def pair(self, start: int, end: int) -> tuple[int, int]:
        self.times += [start, end]
        return len(self.times) - 2, len(self.times) - 1

    def annotation_id(self) -> str:
        self.annotations += 1
        return f"a{self.annotations}"

    def ids(self) -> tuple[list[tuple[str, int]], dict[int, str]]:
        """The slots in time order as (id, ms), and each slot's id by its index in ``times``."""
        order = sorted(range(len(self.times)), key=lambda i: (self.times[i], i))
        names = {index: f"ts{n}" for n, index in enumerate(order, 1)}
        return [(names[i], self.times[i]) for i in order], names


def _annotation(tier: ET.Element, slots: _Slots, start: int, end: int, text: str) -> None:
    first, second = slots.pair(start, end)
    aligned = ET.SubElement(ET.SubElement(tier, "ANNOTATION"), "ALIGNABLE_ANNOTATION", {
        "ANNOTATION_ID": slots.annotation_id(),
        "TIME_SLOT_REF1": str(first), "TIME_SLOT_REF2": str(second),  # indexes until _number
    })
    ET.SubElement(aligned, "ANNOTATION_VALUE").text = text


def _tiers(lay: Layout, slots: _Slots, annotator: str, locale: str | None) -> list[ET.Element]:
    tiers: list[ET.Element] = []
    for speaker in lay.speakers:
        tiers += _speaker_tiers(lay, speaker, slots, annotator, locale)
    return tiers


def _speaker_tiers(lay: Layout, speaker: Speaker, slots: _Slots, annotator: str,
                   locale: str | None) -> list[ET.Element]:
    common = {"PARTICIPANT": speaker.name, "ANNOTATOR": annotator}
    if locale:
        common["DEFAULT_LOCALE"] = locale
    sentences = ET.Element("TIER", {"TIER_ID": speaker.name, "LINGUISTIC_TYPE_REF": SENTENCE_TYPE,
                                    **common})
    words = ET.Element("TIER", {"TIER_ID": speaker.name + WORDS_SUFFIX,
                                "LINGUISTIC_TYPE_REF": WORD_TYPE, "PARENT_REF": speaker.name,
                                **common})
    for sentence in lay.sentences:
        if sentence.speaker.ident != speaker.ident:
            continue
        _annotation(sentences, slots, sentence.start, sentence.end, sentence.text)
        for word in sentence.words:  # within the sentence: common.layout makes it span them
            _annotation(words, slots, word.start, word.end, word.text)
    return [sentences, words]


def _number(tiers: list[ET.Element], slots: _Slots) -> ET.Element:
    """The TIME_ORDER, and the tiers' slot references turned from indexes into slot ids."""
    order, names = slots.ids()
    time_order = ET.Element("TIME_ORDER")
    for slot_id, millis in order:
        ET.SubElement(time_order, "TIME_SLOT", {"TIME_SLOT_ID": slot_id, "TIME_VALUE": str(millis)})
    for aligned in (a for tier in tiers for a in tier.iter("ALIGNABLE_ANNOTATION")):
        for ref in ("TIME_SLOT_REF1", "TIME_SLOT_REF2"):
            aligned.set(ref, names[int(aligned.attrib[ref])])
    return time_order


def _header(transcript: Transcript, talk: dict[str, Any], annotations: int) -> ET.Element:
    header = ET.Element("HEADER", {"MEDIA_FILE": "", "TIME_UNITS": "milliseconds"})
    if talk.get("media_url"):
        ET.SubElement(header, "MEDIA_DESCRIPTOR", {
            "MEDIA_URL": str(talk["media_url"]),
            "MIME_TYPE": str(talk.get("media_type") or "video/mp4"),
        })
    properties = [("talk_url", str(talk["url"]))] if talk.get("url") else []
    properties += [*provenance(transcript), ("lastUsedAnnotationId", str(annotations))]
    for name, value in properties:
        ET.SubElement(header, "PROPERTY", {"NAME": name}).text = value
    return header


def to_eaf(transcript: Transcript, talk: dict[str, Any]) -> str:
    """The transcript as an ELAN 3.0 document (UTF-8 XML text)."""
    lay = layout(transcript, talk)
    root = ET.Element("ANNOTATION_DOCUMENT", {
        "AUTHOR": SITE, "DATE": now_iso(), "FORMAT": "3.0", "VERSION": "3.0",
        XSI_SCHEMA: SCHEMA_URL,
    })
    name, url = licence(talk)
    if name or url:  # pympi reads LICENSE_URL on every LICENSE: an empty one where there is none
        ET.SubElement(root, "LICENSE", {"LICENSE_URL": url or ""}).text = name
    language = str(talk.get("language") or transcript.language or "")
    locale = language if _NCNAME.match(language) else None
    prov = transcript.provenance
    slots = _Slots()
    tiers = _tiers(lay, slots, f"{prov.engine} {prov.model}", locale)
    root.append(_header(transcript, talk, slots.annotations))
    root.append(_number(tiers, slots))
    root.extend(tiers)
    ET.SubElement(root, "LINGUISTIC_TYPE", {"LINGUISTIC_TYPE_ID": SENTENCE_TYPE,
                                            "TIME_ALIGNABLE": "true", "GRAPHIC_REFERENCES": "false"})
    ET.SubElement(root, "LINGUISTIC_TYPE", {"LINGUISTIC_TYPE_ID": WORD_TYPE, "TIME_ALIGNABLE": "true",
                                            "CONSTRAINTS": "Included_In", "GRAPHIC_REFERENCES": "false"})
    if locale:
        ET.SubElement(root, "LOCALE", {"LANGUAGE_CODE": locale})
    for stereotype, description in CONSTRAINTS.items():
        ET.SubElement(root, "CONSTRAINT", {"STEREOTYPE": stereotype, "DESCRIPTION": description})
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
