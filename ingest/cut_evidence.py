"""What a day recording shows about where its talks begin and end: stretches of speech and the
evidence at each pause between them (how long, whether the speaker or the slide changes, a title
slide or spoken words that match a slot).

The cutter (:mod:`ingest.cutting`) weighs this evidence against the programme's times. Every
function here is plain: transcript segments, slides and slot texts in, numbers out.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field

from archive.german import fold
from archive.transcript import Segment, Slide

# A pause this long separates two stretches; inside a talk, sentences follow within ~1-2 s.
STRETCH_GAP = 2.5
# A pause between talks (applause, changeover) is this long or longer: its score is then 1.
CLEAR_GAP = 8.0
_TOKEN = re.compile(r"\w+", re.UNICODE)
# German function words: they say nothing about a talk's subject.
_STOP_WORDS = """
der die das den dem des ein eine einer eines einem einen und oder aber auch als am an auf aus bei
bis da dass daß du er es für fur im in ist mit nach nicht noch nur ob so sie sind über um uns von
vor war was wie wir zu zum zur sich wird werden hat haben heute hier ich ihr man mehr sehr schon
kann können diese dieser dieses unsere unser wenn dann denn doch jetzt gibt ganz the of and to
"""
_STOP = frozenset(_STOP_WORDS.split())


@dataclass
class Stretch:
    """Speech without a pause of :data:`STRETCH_GAP` or more: its words' span and text."""

    start: float
    end: float
    first_speaker: str | None
    last_speaker: str | None
    tokens: Counter[str] = field(default_factory=Counter)
    speech: float = 0.0  # seconds of words


def tokens(text: str) -> list[str]:
    """Content words, folded (``ß`` -> ``ss``) and lower-cased, for comparing texts."""
    return [t for t in _TOKEN.findall(fold(text).lower()) if len(t) > 2 and t not in _STOP]


def stretches(segments: list[Segment]) -> list[Stretch]:
    """The recording's speech, cut at every pause of :data:`STRETCH_GAP` seconds or more."""
    out: list[Stretch] = []
    for seg in segments:
        for word in seg.words:
            if out and word.start - out[-1].end < STRETCH_GAP:
                cur = out[-1]
                cur.end = max(cur.end, word.end)
                cur.last_speaker = seg.speaker or cur.last_speaker
            else:
                cur = Stretch(word.start, word.end, seg.speaker, seg.speaker)
                out.append(cur)
            cur.tokens.update(tokens(word.word))
            cur.speech += max(0.0, word.end - word.start)
    return out


def pause_score(gap: float) -> float:
    """0 for a pause inside speech, 1 for a clear pause between talks, linear between."""
    return min(1.0, max(0.0, (gap - STRETCH_GAP) / (CLEAR_GAP - STRETCH_GAP)))


def gaps(units: list[Stretch], duration: float) -> tuple[list[float], list[float]]:
    """The pause before and after each stretch; the recording's start and end count as clear
    pauses (nothing is said beyond them)."""
    before = [u.start - units[i - 1].end if i else max(u.start, CLEAR_GAP)
              for i, u in enumerate(units)]
    after = [units[i + 1].start - u.end if i + 1 < len(units) else max(duration - u.end, CLEAR_GAP)
             for i, u in enumerate(units)]
    return before, after


def speaker_changes(units: list[Stretch]) -> list[bool]:
    """Whether the speaker after the pause before each stretch differs from the one before it."""
    return [i > 0 and None not in (u.first_speaker, units[i - 1].last_speaker)
            and u.first_speaker != units[i - 1].last_speaker for i, u in enumerate(units)]


def slide_changes(units: list[Stretch], slides: list[Slide]) -> list[bool]:
    """Whether a new slide appears in the pause before each stretch (or just after it starts)."""
    starts = sorted(s.start for s in slides if s.start > 0)
    out = []
    for i, unit in enumerate(units):
        lo = units[i - 1].end - 2.0 if i else -1.0
        out.append(any(lo <= t <= unit.start + 5.0 for t in starts))
    return out


def similarity(a: Counter[str], b: Counter[str]) -> float:
    """Cosine of two bags of words (0 when either is empty)."""
    if not a or not b:
        return 0.0
    dot = sum(n * b[t] for t, n in a.items() if t in b)
    return dot / math.sqrt(sum(n * n for n in a.values()) * sum(n * n for n in b.values()))


def title_match(title: str, text: str) -> float:
    """How much of a slot's title a slide shows: the share of the title's content words on it
    (OCR and the engine misread letters, so a word counts when it shares its first 5)."""
    wanted = {t[:5] for t in tokens(title)}
    if not wanted:
        return 0.0
    seen = {t[:5] for t in tokens(text)}
    return len(wanted & seen) / len(wanted)


def title_slides(units: list[Stretch], slides: list[Slide], titles: list[str]) -> list[list[float]]:
    """For each slot, per stretch: how well a slide shown around the stretch's start matches the
    slot's title (0 when none does by half)."""
    out = []
    for title in titles:
        row = []
        for i, unit in enumerate(units):
            lo = units[i - 1].end - 5.0 if i else -1.0
            near = [s for s in slides if lo <= s.start <= unit.start + 20.0]
            best = max((title_match(title, s.text) for s in near), default=0.0)
            row.append(best if best >= 0.5 else 0.0)
        out.append(row)
    return out


def content_affinity(units: list[Stretch], slot_texts: list[str]) -> list[list[float]]:
    """For each slot, per stretch: how much more the stretch's words resemble this slot's title,
    abstract and persons than the average slot's (tf-idf over the slots, so a word every slot
    shares counts little). Positive: this slot rather than another."""
    bags = [Counter(tokens(t)) for t in slot_texts]
    docs = len(bags) or 1
    df: Counter[str] = Counter(t for bag in bags for t in bag)
    weighted = [Counter({t: n * math.log(1 + docs / df[t]) for t, n in bag.items()}) for bag in bags]
    table = [[similarity(w, u.tokens) for u in units] for w in weighted]
    for k in range(len(units)):
        mean = sum(row[k] for row in table) / docs
        for row in table:
            row[k] -= mean
    return table
