"""What the research exports share: the transcript laid out as speakers and sentences with
times in whole milliseconds (never negative, no end before its start, a sentence spanning its
words), the speaker turns, and the talk's licence and provenance as name/value pairs.

A segment's speaker is shown as :func:`archive.formats.speakers` shows it (the name staff gave
its label, else the label); segments without a label belong to the speaker :data:`UNKNOWN`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, NamedTuple

from ..formats import speakers as shown_speakers
from ..transcript import Segment, Transcript

UNKNOWN = "unknown"  # the name (and XML id) of the speaker of segments without a label
WORDS_SUFFIX = " - Wörter"  # a speaker's word tier is named after the speaker, with this suffix


@dataclass(frozen=True)
class Speaker:
    ident: str  # an XML NCName: "SPK1", "SPK2", … in order of appearance, or UNKNOWN
    name: str  # as shown: the staff-given name, else the label, else UNKNOWN
    labels: tuple[str, ...]  # the diarizer's labels shown under this name


class Token(NamedTuple):
    """A word (a named tuple: a talk has thousands, and a frozen dataclass took three times as
    long to build)."""

    start: int  # milliseconds
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    index: int  # the segment's position in the transcript
    start: int  # milliseconds
    end: int
    text: str
    words: tuple[Token, ...]
    speaker: Speaker


@dataclass(frozen=True)
class Layout:
    speakers: tuple[Speaker, ...]  # in order of first appearance
    sentences: tuple[Sentence, ...]
    duration: int  # milliseconds, never before any sentence's end


def ms(seconds: float | None) -> int:
    """Seconds as whole milliseconds, never negative (nothing for NaN or infinity)."""
    try:
        millis = round(seconds * 1000)  # type: ignore[operator]
    except (TypeError, ValueError, OverflowError):  # None, NaN, infinity
        return 0
    return millis if millis > 0 else 0


def secs(millis: int) -> str:
    """Milliseconds as decimal seconds with three places: 1234 -> '1.234'."""
    return f"{millis // 1000}.{millis % 1000:03d}"


def clean(text: str) -> str:
    """Text on one line, runs of white space as one space."""
    return " ".join(text.split())


def _sentence(index: int, seg: Segment, speaker: Speaker) -> Sentence:
    start = ms(seg.start)
    end = max(start, ms(seg.end))
    words: list[Token] = []
    floor = 0
    for word in seg.words:
        parts = word.word.split()
        if not parts:
            continue
        w_start = ms(word.start)
        if w_start < floor:  # word starts never go back in time
            w_start = floor
        w_end = ms(word.end)
        words.append(Token(w_start, w_end if w_end > w_start else w_start,
                           parts[0] if len(parts) == 1 else " ".join(parts)))
        floor = w_start
    if words:  # the sentence spans its words
        start = min(start, words[0].start)
        end = max(end, *(w.end for w in words))
    return Sentence(index, start, end, clean(seg.text), tuple(words), speaker)


def layout(transcript: Transcript, talk: dict[str, Any]) -> Layout:
    """The transcript's speakers and sentences, times clamped as the module says."""
    names = [clean(shown or "") or UNKNOWN for shown in shown_speakers(transcript, talk)]
    labels: dict[str, list[str]] = {}
    for seg, name in zip(transcript.segments, names, strict=True):
        found = labels.setdefault(name, [])
        if seg.speaker and seg.speaker not in found:
            found.append(seg.speaker)
    by_name: dict[str, Speaker] = {}
    known = 0
    for name, found in labels.items():
        known += name != UNKNOWN
        by_name[name] = Speaker(UNKNOWN if name == UNKNOWN else f"SPK{known}", name, tuple(found))
    sentences = tuple(_sentence(i, seg, by_name[name])
                      for i, (seg, name) in enumerate(zip(transcript.segments, names, strict=True)))
    duration = max([ms(transcript.duration), ms(talk.get("duration") or 0.0)]
                   + [s.end for s in sentences])
    return Layout(tuple(by_name.values()), sentences, duration)


def turns(sentences: tuple[Sentence, ...] | list[Sentence]) -> list[list[Sentence]]:
    """Runs of consecutive sentences by the same speaker."""
    out: list[list[Sentence]] = []
    for sentence in sentences:
        if out and out[-1][-1].speaker.ident == sentence.speaker.ident:
            out[-1].append(sentence)
        else:
            out.append([sentence])
    return out


def licence(talk: dict[str, Any]) -> tuple[str | None, str | None]:
    """The talk's licence as (name, URL); either may be None."""
    lic = talk.get("licence") or {}
    return (lic.get("name") or lic.get("id") or None), (lic.get("url") or None)


def provenance(transcript: Transcript) -> list[tuple[str, str]]:
    """Who made the transcript, as name/value pairs (options and diarizer settings as JSON)."""
    prov = transcript.provenance
    pairs = [("engine", prov.engine), ("model", prov.model)]
    if prov.model_sha256:
        pairs.append(("model_sha256", prov.model_sha256))
    pairs += [("device", prov.device), ("compute_type", prov.compute_type),
              ("options", json.dumps(prov.options, ensure_ascii=False, sort_keys=True))]
    if prov.diarization:
        diarizer = prov.diarization.get("diarizer")
        if diarizer:
            pairs.append(("diarizer", str(diarizer)))
        pairs.append(("diarization", json.dumps(prov.diarization, ensure_ascii=False,
                                                sort_keys=True, default=str)))
    return pairs


def made_by(transcript: Transcript) -> str:
    """One line for people: the engine and model, and the diarizer where one ran."""
    prov = transcript.provenance
    line = f"{prov.engine}, Modell {prov.model}"
    diarizer = (prov.diarization or {}).get("diarizer")
    return f"{line}; Sprecherzuordnung: {diarizer}" if diarizer else line
