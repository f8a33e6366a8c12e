"""Who said it: speaker labels of a talk (``SPEAKER_1`` ...), the names staff give them, and
voices remembered across talks.

A label's name lives in the catalog (``talks.speaker_names``); the voice behind it (the centroid
of its speaker embeddings) lives in the transcript. Naming a label also files its centroid as a
sample of that name (``voice_samples``), so the same voice in a new talk gets the name
suggested; staff confirm. A sample belongs to its talk: deleting the talk deletes it (GDPR).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import delete, select

from . import catalog as cat
from . import transcript as tr
from .details import CONTROL
from .errors import InputError, NotFound
from .paths import transcript_path
from .search.outbox import queue_change
from .settings import Settings

# Cosine similarity of two centroids from which a voice counts as the same person, measured on
# the 13 real voices of shared/data/speech_de (bench/voices.py; README, Speakers): the same
# voice in two "talks" at least 0.81 (median 0.89), two different voices at most 0.81 (median
# 0.54). From 0.82 no
# pair of the 288 different-voice pairs is suggested, 1 of 12 same-voice pairs is missed; a
# wrong name costs more than a missing suggestion, and staff confirm every suggestion anyway.
SUGGEST_THRESHOLD = 0.82
MAX_NAME = 200


@dataclass
class Speaker:
    label: str
    name: str | None
    seconds: float
    suggestion: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "name": self.name, "seconds": self.seconds,
                "suggestion": self.suggestion}


def display(label: str | None, names: dict[str, str]) -> str | None:
    """What a sentence's speaker is called: the name where one is set, else the label."""
    if label is None:
        return None
    return names.get(label) or label


def talk_or_404(catalog: cat.Catalog, talk_id: str) -> cat.Talk:
    with catalog.session() as s:
        return cat.find_talk(s, talk_id)


def _unit(vector: list[float]) -> np.ndarray:
    arr = np.asarray(vector, dtype=np.float64)
    norm = float(np.linalg.norm(arr))
    return arr / norm if norm else arr


def known_voices(catalog: cat.Catalog, exclude_talk: str | None = None) -> dict[str, np.ndarray]:
    """Each remembered name's voice: the duration-weighted mean of its samples' unit centroids."""
    with catalog.session() as s:
        rows = s.scalars(select(cat.VoiceSample)).all()
    sums: dict[str, np.ndarray] = {}
    for row in rows:
        if row.talk_id == exclude_talk:
            continue
        weighted = _unit(row.centroid) * max(row.seconds, 1.0)
        sums[row.name] = sums.get(row.name, 0) + weighted
    return {name: _unit(list(total)) for name, total in sums.items()}


def suggest(voice: tr.Voice, voices: dict[str, np.ndarray]) -> dict[str, Any] | None:
    """The remembered name whose voice is closest, when it is close enough."""
    if not voices or not voice.centroid:
        return None
    mine = _unit(voice.centroid)
    name, score = max(((n, float(mine @ v)) for n, v in voices.items()), key=lambda p: p[1])
    return {"name": name, "score": round(score, 3)} if score >= SUGGEST_THRESHOLD else None


def speakers_of(settings: Settings, catalog: cat.Catalog, talk: cat.Talk,
                transcript: tr.Transcript | None = None) -> list[Speaker]:
    """The talk's voices with their names, time spoken, and a suggested name for unnamed ones
    (``transcript``: the talk's, when the caller has loaded it already)."""
    transcript = transcript or tr.load(transcript_path(settings, talk.id))
    names = talk.speaker_names or {}
    voices = known_voices(catalog, exclude_talk=talk.id)
    out = []
    for label, voice in sorted(transcript.voices.items(), key=lambda p: _label_key(p[0])):
        name = names.get(label)
        out.append(Speaker(label, name, voice.seconds, None if name else suggest(voice, voices)))
    return out


def _label_key(label: str) -> tuple[int, str]:
    number = label.rsplit("_", 1)[-1]
    return (int(number) if number.isdigit() else 10**6, label)


def set_names(settings: Settings, catalog: cat.Catalog, talk_id: str,
              changes: dict[str, str | None]) -> cat.Talk:
    """Name voices (``{"SPEAKER_1": "Anna Becker"}``; null or "" removes a name). The named
    voices are remembered; the index follows through the outbox."""
    if not changes:
        raise InputError("nothing to change: send {\"SPEAKER_1\": \"a name\"}")
    with catalog.session() as s:
        talk = cat.find_talk(s, talk_id)
        transcript = tr.load(transcript_path(settings, talk.id))
        names = dict(talk.speaker_names or {})
        for label, raw in changes.items():
            if label not in transcript.voices:
                known = ", ".join(sorted(transcript.voices, key=_label_key)) or "none"
                raise NotFound(f"{label[:64]!r} is not a speaker of this talk (speakers: {known})",
                               code="unknown_speaker")
            name = " ".join((raw or "").split())
            if len(name) > MAX_NAME:
                raise InputError(f"a speaker name is longer than {MAX_NAME} characters")
            if CONTROL.search(name):
                raise InputError("a speaker name holds control characters")
            s.execute(delete(cat.VoiceSample).where(cat.VoiceSample.talk_id == talk.id,
                                                    cat.VoiceSample.label == label))
            if name:
                names[label] = name
                voice = transcript.voices[label]
                s.add(cat.VoiceSample(name=name, talk_id=talk.id, label=label,
                                      centroid=voice.centroid, seconds=voice.seconds))
            else:
                names.pop(label, None)
        talk.speaker_names = names
        queue_change(s, talk.id)
    return catalog.get(talk_id)  # type: ignore[return-value]


def carry_names(catalog: cat.Catalog, talk_id: str, old: dict[str, tr.Voice],
                new: dict[str, tr.Voice], segment_count: int | None = None) -> dict[str, str]:
    """After a new diarization, give each new label the name of the old voice it matches best
    (one to one, cosine similarity at least SUGGEST_THRESHOLD); the talk's voice samples follow.
    Returns the new names."""
    from scipy.optimize import linear_sum_assignment

    with catalog.session() as s:
        talk = cat.find_talk(s, talk_id)
        old_names = dict(talk.speaker_names or {})
        names: dict[str, str] = {}
        named = [label for label in old if old_names.get(label)]
        fresh = list(new)
        if named and fresh:
            scores = np.array([[float(_unit(old[a].centroid) @ _unit(new[b].centroid))
                                for b in fresh] for a in named])
            for i, j in zip(*linear_sum_assignment(-scores), strict=True):
                if scores[i, j] >= SUGGEST_THRESHOLD:
                    names[fresh[j]] = old_names[named[i]]
        s.execute(delete(cat.VoiceSample).where(cat.VoiceSample.talk_id == talk_id))
        for label, name in names.items():
            s.add(cat.VoiceSample(name=name, talk_id=talk_id, label=label,
                                  centroid=new[label].centroid, seconds=new[label].seconds))
        talk.speaker_names = names
        if segment_count is not None:  # sentences were re-cut at the new turns
            talk.segment_count = segment_count
        queue_change(s, talk_id)
    return names
