"""A room's conference day made for the cutter (issue 21, check "A day recording of your own"):
an MP4 of room "Aula" with known truth, its frab ``schedule.xml``, and a score for proposed cuts.

    day = build_day(dest)                    # ~10 minutes, built once into dest, then cached
    day = build_day(dest, hours=6)           # the programme repeated for a benchmark
    print(score_cuts(day, {guid: (start, end), ...}))

What the day holds (default: one 600 s block; ``hours`` repeats the block, with new guids, as
often as fits in that many hours):

- room noise (pink, about -48 dBFS) under everything, so no stretch is digital silence;
- six talks in the programme's order: the three talks of ``../shared/data/talks_de``
  (espeak voices) and three talks made of one real speaker's consecutive clips from
  ``../shared/data/speech_de`` (Thorsten-Voice, EmoDB speakers 08 and 03) with short pauses;
- synthesized applause (4-8 s) after each talk, and a break of about 2 minutes (room noise and
  quiet sine-tone music) after the third talk;
- video 640x360 at 5 fps (GOP 2 s): a plain stage picture, except for three talks (the first,
  third and fourth) whose slides show the talk's title in large dark text on white for the first
  15 s (from 3 s before the first word), then a content slide (heading and a bullet line) until
  the applause is over;
- the container's ``creation_time`` is :attr:`DayRecording.starts_at` (08:59:48 Europe/Berlin).

The ``schedule.xml`` (event ``sc-tag-2025``, one day, room "Aula") lists seven one-minute slots
from 09:00 with a planned break of one minute after the third. The programme runs late: each
talk starts 30, 45, 62, 85, 98 and 112 s after its slot's planned start. The fourth slot
("Digitale Zwillinge für Menden") never happened; the talks after it slide into its time
(without it they would have been 145 s and more late). Titles of slides and slots are the same.

Truth: ``first_word_start`` and ``last_word_end`` are measured, not guessed: each source's speech
onset and end are found on the clean clip with an energy threshold (:func:`speech_span`: 30 ms
above a level 30 dB under the clip's loud frames, about the room noise's level in the mix; it
agrees with Silero VAD within 0.1 s), then shifted by where the clip was placed; audio is mixed
sample-exact at 16 kHz and encoded once, so the times hold in the MP4. :attr:`DayRecording.breaks` is every
stretch outside all talks (lead-in, applause, changeovers, the break, the tail).

In ``hours`` mode every block is the same recording (same titles, same slides, same audio), only
the guids differ; it is meant for time and memory, its truth holds all the same.

Deterministic (fixed seeds, fixed clip order) and cached: ``dest/manifest.json`` is written last;
a later call with the same builder version, ``hours`` and source files returns it without
rebuilding. A build of the default day takes about 15 s of CPU (18-35 s wall on 2 busy cores),
a 6-hour day about 50 s of CPU (112 s wall) and 215 MB.
Needs ffmpeg (with drawtext), a DejaVu or Liberation bold font, numpy and ``../shared/data``
(:func:`material_missing` says what is absent, for a skip reason).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

BUILDER_VERSION = 2
ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
TALKS_DE = SHARED / "talks_de"
SPEECH_DE = SHARED / "speech_de"
DEFAULT_DEST = ROOT / "test-artifacts" / "dayrecording"

SR = 16_000  # audio sample rate of the day
FPS = 5
WIDTH, HEIGHT = 640, 360
GOP = 2 * FPS  # a keyframe every 2 s, and at every slide change
BLOCK = 600.0  # seconds of recording per programme block
TZ = ZoneInfo("Europe/Berlin")
DAY = dt.date(2025, 9, 18)
PROGRAMME_START = dt.datetime(2025, 9, 18, 9, 0, tzinfo=TZ)
STARTS_AT = PROGRAMME_START - dt.timedelta(seconds=12)  # the camera runs from 08:59:48
ROOM = "Aula"
EVENT_SLUG = "sc-tag-2025"
EVENT_TITLE = "Smart Cities Tag 2025"
GUIDS = uuid.UUID("6f1d8a52-3c4e-4b7a-9f0e-5a2b7c9d1e21")  # uuid5 namespace of the slot guids
SEED = 2025
MAX_HOURS = 14.0  # the programme starts at 09:00 and stays within the day
FONTS = [Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
         Path("/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf")]


@dataclass(frozen=True)
class TruthTalk:
    """A talk that happened, with times in seconds of the day recording."""

    guid: str
    title: str
    persons: list[str]
    first_word: str
    last_word: str
    first_word_start: float  # seconds in the day recording
    last_word_end: float
    planned_start: float = 0.0  # its slot's planned start, in seconds of the day recording
    title_slide: bool = False  # the video shows its title from 3 s before the first word
    source: str = ""  # where its speech comes from: talks_de/NAME or speech_de/SPEAKER


@dataclass(frozen=True)
class DayRecording:
    """The day: its MP4, its schedule, and the truth to score cuts against."""

    video: Path  # the day's MP4 (H.264 + AAC), with container creation_time set to starts_at
    schedule: Path  # frab schedule.xml of the event, valid against the schedule.xml XSD
    starts_at: dt.datetime  # aware wall-clock time of the recording's second 0 (Europe/Berlin)
    room: str  # "Aula"
    event_slug: str
    talks: list[TruthTalk]  # the talks that happened, in order
    never_happened: str  # guid of the slot in the schedule that never happened (first block)
    breaks: list[tuple[float, float]]  # stretches (seconds) outside every talk
    duration: float = BLOCK  # seconds of the recording
    never_happened_all: list[str] = field(default_factory=list)  # one per block
    # (start, end, kind, label), kind one of noise, talk, applause, music; in order
    segments: list[tuple[float, float, str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class TalkScore:
    guid: str
    title: str
    cut: tuple[float, float] | None
    ok: bool
    why: str  # "ok", "not cut", or what is wrong


@dataclass(frozen=True)
class Score:
    """Per truth talk whether its cut keeps the first and last word with at most 10 s around
    them; ``fraction_ok`` over all truth talks; ``wrongly_cut``: cut guids that are no truth
    talk (the slot that never happened, or a guid not in the programme)."""

    talks: list[TalkScore]
    fraction_ok: float
    wrongly_cut: list[str]

    def __str__(self) -> str:
        lines = [f"{'ok' if t.ok else '--'}  {t.guid[:8]}  {t.title[:40]:40}  "
                 f"{'-' if t.cut is None else f'{t.cut[0]:8.2f} {t.cut[1]:8.2f}'}  {t.why}"
                 for t in self.talks]
        lines.append(f"{self.fraction_ok:.0%} of {len(self.talks)} talks cut well; "
                     f"wrongly cut: {', '.join(self.wrongly_cut) or 'none'}")
        return "\n".join(lines)


MARGIN = 10.0  # seconds a cut may take around the first and the last word


def score_cuts(day: DayRecording, cuts: dict[str, tuple[float, float]]) -> Score:
    """Score ``cuts`` (slot guid -> (start, end) in seconds of the day recording) against the
    truth: a talk is ok when ``first_word_start - 10 <= start <= first_word_start`` and
    ``last_word_end <= end <= last_word_end + 10``. A truth talk without a cut is not ok; a cut
    of a guid that is no truth talk (the slot that never happened) is listed in ``wrongly_cut``."""
    scored = []
    for talk in day.talks:
        cut = cuts.get(talk.guid)
        if cut is None:
            scored.append(TalkScore(talk.guid, talk.title, None, False, "not cut"))
            continue
        start, end = float(cut[0]), float(cut[1])
        wrong = []
        if start > talk.first_word_start:
            wrong.append(f"starts {start - talk.first_word_start:.2f} s after the first word")
        elif start < talk.first_word_start - MARGIN:
            wrong.append(f"starts {talk.first_word_start - start:.2f} s before the first word")
        if end < talk.last_word_end:
            wrong.append(f"ends {talk.last_word_end - end:.2f} s before the last word ends")
        elif end > talk.last_word_end + MARGIN:
            wrong.append(f"ends {end - talk.last_word_end:.2f} s after the last word")
        scored.append(TalkScore(talk.guid, talk.title, (start, end), not wrong, "; ".join(wrong) or "ok"))
    truth = {t.guid for t in day.talks}
    fraction = sum(t.ok for t in scored) / len(scored) if scored else 0.0
    return Score(scored, fraction, sorted(g for g in cuts if g not in truth))


# ---------------------------------------------------------------------------------------------
# The programme of one block


@dataclass(frozen=True)
class _Slot:
    key: str
    title: str
    persons: tuple[str, ...]
    kind: str  # frab type
    track: str
    abstract: str
    minute: int  # planned start, minutes after 09:00
    minutes: int  # planned duration
    source: str = ""  # "talks_de/NAME" or "speech_de/SPEAKER" (clips below); "" never happened
    clips: tuple[str, ...] = ()  # speech_de paths, in order
    pause: tuple[float, float] = (0.0, 0.0)  # pause between clips, uniform in this range
    drift: float = 0.0  # seconds after the planned start that the first word is said
    slide: tuple[str, ...] = ()  # content slide (heading, bullet) shown after the title slide


_THORSTEN = "thorsten_voice_samples/"
_EMODB = "emodb_neutral/"
PROGRAMME: tuple[_Slot, ...] = (
    _Slot("keynote", "Gemeinsam lernen in der smarten Stadt", ("Anna Becker",), "Keynote", "Plenum",
          "Warum Austausch und Zusammenarbeit mehr bewirken als jede Technik.", 0, 1,
          "talks_de/keynote_austausch", drift=30.0,
          slide=("Austausch statt Insellösungen", "• Daten gemeinsam mit Bürgern nutzen")),
    _Slot("podium", "Podium: Strategien der fünf Städte",
          ("Paul Hoffmann", "Lena Schulte", "Jonas Weber"), "Podium", "Plenum",
          "Die Projektleitungen aus Arnsberg, Bad Berleburg, Menden, Olpe und Soest.", 1, 1,
          "talks_de/podium_strategien", drift=45.0),
    _Slot("stimmen", "Offene Stimmen für die Sprachtechnik", ("Thomas Krüger",), "Vortrag", "Daten",
          "Freie Sprachaufnahmen als Grundlage für Sprachassistenten in Kommunen.", 2, 1,
          "speech_de/thorsten_voice_samples", tuple(_THORSTEN + n for n in (
              "2b0d202fa8b36fa7b01322fa78225358.wav", "1386ecbb98a8f46dd0b0eb75d68ee0d0.wav",
              "sample01-gt.wav", "d2211c12c486ab34f1b85611d25953a3.wav", "sample03-gt.wav",
              "e3b0d27c39d2a719d60f4ad335f04b15.wav", "sample04-gt.wav",
              "eca9d4cc394847e6876b4ba43c046c5c.wav", "sample02-gt.wav",
              "c7c110c6a5bcbc6145494cecbf9bd0ba.wav")), (0.7, 1.4), drift=62.0,
          slide=("Warum offene Sprachdaten?", "• Frei nutzbar für alle Kommunen")),
    # planned break 09:03-09:04; this slot never happened
    _Slot("zwillinge", "Digitale Zwillinge für Menden", ("Sabine Wolf",), "Vortrag", "Daten",
          "Ein Stadtmodell für Planung und Beteiligung.", 4, 1),
    _Slot("mobil", "Bürgerbus nach Bedarf im ländlichen Raum", ("Miriam Schulz",), "Vortrag",
          "Mobilität", "Ein Jahr Rufbus in den Dörfern.", 5, 1, "talks_de/projekt_mobilitaet",
          drift=85.0, slide=("Ergebnisse nach einem Jahr", "• Mehr als zwölftausend Fahrten")),
    _Slot("alltag", "Alltagssprache in der Verwaltung", ("Katrin Neumann",), "Vortrag", "Verwaltung",
          "Wie Bescheide verständlich werden.", 6, 1, "speech_de/emodb_neutral 08", tuple(_EMODB + n for n in (
              "08b01Na.wav", "08a02Na.wav", "08b02Nb.wav", "08a04Nc.wav", "08b03Nb.wav",
              "08a05Nb.wav", "08b09Nb.wav", "08a07Na.wav", "08b10Nc.wav", "08a01Na.wav")),
          (1.5, 2.5), drift=98.0),
    _Slot("quartier", "Kommunikation im Quartier", ("Markus Klein",), "Vortrag", "Verwaltung",
          "Nachbarschaft digital und analog.", 7, 1, "speech_de/emodb_neutral 03", tuple(_EMODB + n for n in (
              "03b02Na.wav", "03a01Nc.wav", "03b01Nb.wav", "03a04Nc.wav", "03b03Nb.wav",
              "03a05Nd.wav", "03b09Nc.wav", "03a07Nc.wav", "03b10Nc.wav", "03a02Nc.wav")),
          (1.5, 2.5), drift=112.0),
)
BREAK_MUSIC = 120.0  # seconds of music in the break after the third talk
NEVER_HAPPENED_TITLE = next(s.title for s in PROGRAMME if not s.source)


def material_missing() -> str | None:
    """Why the day cannot be built here (for a skip reason), or None."""
    if not TALKS_DE.is_dir() or not SPEECH_DE.is_dir():
        return f"{SHARED} is absent (not in a user's clone)"
    if shutil.which("ffmpeg") is None:
        return "ffmpeg is not installed"
    if _font() is None:
        return "no DejaVu/Liberation bold font in /usr/share/fonts"
    return None


def _font() -> Path | None:
    return next((f for f in FONTS if f.is_file()), None)


# ---------------------------------------------------------------------------------------------
# Audio


def _decode(path: Path) -> np.ndarray:
    out = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", "0:a:0",
                          "-ac", "1", "-ar", str(SR), "-f", "f32le", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, dtype=np.float32).astype(np.float64)


def _frames(x: np.ndarray, hop: int = SR // 100) -> np.ndarray:
    n = len(x) // hop
    return np.sqrt((x[: n * hop].reshape(n, hop) ** 2).mean(axis=1) + 1e-12)


def speech_span(x: np.ndarray) -> tuple[float, float]:
    """Onset and end of speech in a clip (seconds): the first and the last 30 ms in which every
    10 ms frame is louder than 30 dB under the clip's loud frames (95th percentile of 10 ms RMS)
    and 3x its floor. Once the clip is levelled for the day, that is about the room noise's level:
    what is under it is not heard in the mix."""
    rms = _frames(x)
    threshold = max(np.percentile(rms, 10) * 3, np.percentile(rms, 95) * 10 ** (-30 / 20))
    loud = rms > threshold
    held = np.nonzero(loud[:-2] & loud[1:-1] & loud[2:])[0]
    return float(held[0]) / 100, float(held[-1] + 3) / 100


def _level(x: np.ndarray, dbfs: float = -16.0) -> np.ndarray:
    """Scaled so that its loud frames (95th percentile of 10 ms RMS) sit at ``dbfs``."""
    return x * (10 ** (dbfs / 20) / np.percentile(_frames(x), 95))


def _fade(x: np.ndarray, seconds: float = 0.02) -> np.ndarray:
    n = min(int(seconds * SR), len(x) // 2)
    ramp = np.linspace(0.0, 1.0, n)
    x = x.copy()
    x[:n] *= ramp
    x[len(x) - n:] *= ramp[::-1]
    return x


@dataclass
class _Speech:
    audio: np.ndarray
    onset: float  # first word starts, seconds into audio
    end: float  # last word ends
    first_word: str
    last_word: str


def _words(text: str) -> list[str]:
    return re.findall(r"[\wÄÖÜäöüß-]+", text)


def _manifest_texts() -> dict[str, str]:
    lines = (SPEECH_DE / "manifest.jsonl").read_text("utf-8").splitlines()
    return {d["audio"]: d["text"] for d in map(json.loads, filter(None, lines))}


def _talk_speech(slot: _Slot, rng: np.random.Generator, texts: dict[str, str]) -> _Speech:
    if slot.source.startswith("talks_de/"):
        name = slot.source.split("/", 1)[1]
        x = _level(_decode(TALKS_DE / f"{name}.mp4"))
        sentences = json.loads((TALKS_DE / f"{name}.truth.json").read_text("utf-8"))["sentences"]
        first, last = sentences[0], sentences[-1]
        onset = first["start"] + speech_span(x[int(first["start"] * SR): int(first["end"] * SR)])[0]
        a = int(last["start"] * SR)
        end = last["start"] + speech_span(x[a: int(last["end"] * SR) + SR // 2])[1]
        return _Speech(_fade(x), onset, end, _words(first["text"])[0], _words(last["text"])[-1])
    pieces: list[np.ndarray] = []
    onset = end = 0.0
    at = 0
    with ThreadPoolExecutor(2) as pool:
        clips = list(pool.map(lambda c: _decode(SPEECH_DE / c), slot.clips))
    for i, clip in enumerate(clips):
        clip_on, clip_end = speech_span(clip)
        if i == 0:
            onset = clip_on
        if i == len(clips) - 1:
            end = at / SR + clip_end
        pieces.append(_fade(_level(clip)))
        at += len(clip)
        if i < len(clips) - 1:
            gap = np.zeros(int(rng.uniform(*slot.pause) * SR))
            pieces.append(gap)
            at += len(gap)
    return _Speech(np.concatenate(pieces), onset, end, _words(texts[slot.clips[0]])[0],
                   _words(texts[slot.clips[-1]])[-1])


def _room_noise(rng: np.random.Generator, n: int) -> np.ndarray:
    """Pink noise (amplitude ~ 1/sqrt(f)) with a brown rumble below ~100 Hz, 25 Hz-5 kHz, and a
    slow swell; about -48 dBFS RMS."""
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.fft.rfftfreq(n, 1 / SR)
    f[0] = f[1]
    spectrum *= (f ** -0.5 + 10 / f) * (f > 25) / (1 + (f / 5000) ** 4)
    x = np.fft.irfft(spectrum, n)
    t = np.arange(n) / SR
    x *= 1 + 0.25 * np.sin(2 * np.pi * t / 37.0) * np.sin(2 * np.pi * t / 11.0)
    return x * (10 ** (-48 / 20) / np.sqrt((x**2).mean()))


def _applause(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Many hands: noise bursts of ~3 ms decay at 25-45 claps a second, band-passed, rising in
    0.5 s and dying away over the last 2 s; about -24 dBFS."""
    n = int(seconds * SR)
    count = int(rng.uniform(25, 45) * seconds)
    impulses = np.zeros(n)
    np.add.at(impulses, rng.integers(0, n, count), rng.lognormal(0.0, 0.5, count))
    k = np.arange(int(0.015 * SR)) / SR
    kernel = (1 - np.exp(-k / 0.0007)) * np.exp(-k / 0.003)  # a soft attack: no AAC pre-echo gap
    x = rng.standard_normal(n) * np.convolve(impulses, kernel)[:n]
    spectrum = np.fft.rfft(x)
    f = np.fft.rfftfreq(n, 1 / SR)
    spectrum *= 1 / (1 + (400 / np.maximum(f, 1)) ** 2) / (1 + (f / 4500) ** 2)
    x = np.fft.irfft(spectrum, n)
    t = np.arange(n) / SR
    envelope = np.minimum(1.0, t / 0.5) * np.clip((seconds - t) / 2.0, 0.0, 1.0) ** 1.5
    x *= envelope
    return x * (10 ** (-24 / 20) / np.sqrt((x[envelope > 0.5] ** 2).mean()))


def _music(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """Quiet sine-tone music: a pentatonic melody over a soft C-G pad, 3 s fades, ~-34 dBFS."""
    n = int(seconds * SR)
    t = np.arange(n) / SR
    x = 0.3 * (np.sin(2 * np.pi * 130.81 * t) + 0.7 * np.sin(2 * np.pi * 196.0 * t)) \
        * (1 + 0.2 * np.sin(2 * np.pi * 0.25 * t))
    scale = [261.63, 293.66, 329.63, 392.0, 440.0, 523.25, 587.33]
    at = 0.0
    step = 3
    while at < seconds - 1:
        length = float(rng.choice([0.4, 0.6, 0.8, 1.2]))
        step = int(np.clip(step + rng.integers(-2, 3), 0, len(scale) - 1))
        a, b = int(at * SR), min(n, int((at + length) * SR))
        tt = np.arange(b - a) / SR
        env = np.minimum(1.0, tt / 0.02) * np.exp(-tt / (0.35 * length))
        x[a:b] += env * (np.sin(2 * np.pi * scale[step] * tt) + 0.3 * np.sin(4 * np.pi * scale[step] * tt))
        at += length
    fade = np.clip(np.minimum(t, seconds - t) / 3.0, 0.0, 1.0)
    x *= fade
    return x * (10 ** (-34 / 20) / np.sqrt((x[fade > 0.99] ** 2).mean()))


# ---------------------------------------------------------------------------------------------
# One block: where everything goes


@dataclass
class _Placed:
    slot: _Slot
    speech: _Speech
    first: float  # first word, seconds in the block
    last: float  # last word ends
    applause: tuple[float, float]


@dataclass
class _Block:
    placed: list[_Placed]
    music: float  # start of the break's music, seconds in the block
    segments: list[tuple[float, float, str, str]]
    video: list[tuple[float, float, str]]  # (start, end, frame name)


def _planned(slot: _Slot) -> float:
    """The slot's planned start in seconds of the block."""
    return (PROGRAMME_START - STARTS_AT).total_seconds() + slot.minute * 60


def _grid(t: float) -> float:
    return round(t * FPS) / FPS


def _layout() -> _Block:
    """Where everything goes in a block: each talk's first word at its slot's planned start
    plus its drift, applause after it, the break's music after the third talk."""
    rng = np.random.default_rng([SEED, 1])
    texts = _manifest_texts()
    placed: list[_Placed] = []
    segments: list[tuple[float, float, str, str]] = []
    video: list[tuple[float, float, str]] = []
    previous_end = music = 0.0
    for slot in PROGRAMME:
        if not slot.source:
            continue
        speech = _talk_speech(slot, rng, texts)
        first = _planned(slot) + slot.drift
        last = first - speech.onset + speech.end
        assert first - speech.onset >= previous_end + 8, f"{slot.key} starts too close to what went before"
        clap_start = last + rng.uniform(0.8, 1.5)
        clap_end = clap_start + round(rng.uniform(4.0, 8.0), 2)
        placed.append(_Placed(slot, speech, first, last, (clap_start, clap_end)))
        segments += [(first, last, "talk", slot.title), (clap_start, clap_end, "applause", "")]
        if slot.slide:
            title_end = _grid(first + 12)
            video += [(_grid(first - 3), title_end, f"title-{slot.key}"),
                      (title_end, _grid(clap_end + 2), f"content-{slot.key}")]
        previous_end = clap_end
        if slot.key == "stimmen":  # the break
            music = clap_end + 8
            segments.append((music, music + BREAK_MUSIC, "music", "Pause"))
            previous_end = music + BREAK_MUSIC
    assert previous_end < BLOCK - 4, "the block is too short for its programme"
    gaps = []
    edges = [0.0] + [t for s in segments for t in s[:2]] + [BLOCK]
    for start, end in zip(edges[::2], edges[1::2], strict=True):
        if end - start > 0.005:
            gaps.append((start, end, "noise", ""))
    segments = [(round(a, 3), round(b, 3), k, lbl) for a, b, k, lbl in sorted(segments + gaps)]
    return _Block(placed, music, segments, video)


def _mix(block: _Block) -> np.ndarray:
    """The block's audio, 16 kHz mono float: room noise, talks, applause, music."""
    audio = _room_noise(np.random.default_rng([SEED, 2]), int(BLOCK * SR))
    claps = np.random.default_rng([SEED, 3])

    def add(at: float, x: np.ndarray) -> None:
        a = int(round(at * SR))
        audio[a: a + len(x)] += x

    for p in block.placed:
        add(p.first - p.speech.onset, p.speech.audio)
        add(p.applause[0], _applause(claps, p.applause[1] - p.applause[0]))
    add(block.music, _music(np.random.default_rng([SEED, 4]), BREAK_MUSIC))
    peak = np.abs(audio).max()
    return audio * (0.98 / peak) if peak > 0.98 else audio


# ---------------------------------------------------------------------------------------------
# Video


def _frame(work: Path, name: str, background: str, texts: list[tuple[str, int, str, str]],
           boxes: tuple[str, ...] = ()) -> None:
    """A still 640x360 PNG: ``texts`` are (text, size, colour, y); x centred unless y starts
    with 'L' (left-aligned at 48 px)."""
    font = _font()
    filters = list(boxes)
    for i, (text, size, colour, y) in enumerate(texts):
        (work / f"{name}-{i}.txt").write_text(text, "utf-8")
        x = "48" if y.startswith("L") else "(w-text_w)/2"
        filters.append(f"drawtext=fontfile={font}:textfile={name}-{i}.txt:expansion=none:"
                       f"fontsize={size}:fontcolor={colour}:x={x}:y={y.lstrip('L')}")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"color=c={background}:s={WIDTH}x{HEIGHT}", "-vf", ",".join(filters) or "null",
                    "-frames:v", "1", f"{name}.png"], cwd=work, check=True)


def _frames_for(work: Path) -> None:
    _frame(work, "plain", "0x2b2f3a", [], (
        "drawbox=x=150:y=40:w=340:h=190:color=0x4a5060:t=fill",
        "drawbox=x=470:y=250:w=90:h=110:color=0x6b4a2f:t=fill",
        "drawbox=x=0:y=330:w=640:h=30:color=0x1e2129:t=fill"))
    for slot in PROGRAMME:
        if not slot.slide:
            continue
        lines = textwrap.wrap(slot.title, 24)
        top = 150 - 26 * len(lines)
        texts = [(line, 40, "0x111111", str(top + 52 * i)) for i, line in enumerate(lines)]
        texts.append((", ".join(slot.persons), 22, "0x555555", str(top + 52 * len(lines) + 18)))
        texts.append((f"{EVENT_TITLE} · {ROOM}", 16, "0x777777", "320"))
        _frame(work, f"title-{slot.key}", "white", texts)
        heading, bullet = slot.slide
        _frame(work, f"content-{slot.key}", "white", [
            (heading, 30, "0x1a3a6b", "L50"), (bullet, 24, "0x222222", "L140")],
            ("drawbox=x=48:y=95:w=544:h=3:color=0x1a3a6b:t=fill",))


def _encode_video(work: Path, block: _Block, out: str) -> subprocess.Popen[bytes]:
    """Start encoding the block's video (the plain picture, slides where they are shown;
    keyframes every 2 s and at every change) into ``work/out``."""
    timeline: list[tuple[float, float, str]] = []
    t = 0.0
    for start, end, name in sorted(block.video):
        if start > t:
            timeline.append((t, start, "plain"))
        timeline.append((start, end, name))
        t = end
    timeline.append((t, BLOCK, "plain"))
    lines = ["ffconcat version 1.0"]
    for start, end, name in timeline:
        lines += [f"file {name}.png", f"duration {end - start:.3f}"]
    lines.append(f"file {timeline[-1][2]}.png")
    (work / "video.ffconcat").write_text("\n".join(lines) + "\n")
    changes = ",".join(f"{s:.1f}" for s, _, _ in timeline[1:])
    return subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", "video.ffconcat",
         "-vf", f"fps={FPS},format=yuv420p", "-t", f"{BLOCK}",
         "-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-g", str(GOP),
         "-force_key_frames", changes, "-an", out], cwd=work, stderr=subprocess.PIPE)


def _wait(proc: subprocess.Popen[bytes], what: str) -> None:
    _, err = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not {what}: {err.decode(errors='replace')[-2000:]}")


# ---------------------------------------------------------------------------------------------
# Schedule


def _slot_guid(block: int, key: str) -> str:
    return str(uuid.uuid5(GUIDS, f"{EVENT_SLUG}/{block}/{key}"))


def schedule_xml(hours: float | None = None) -> bytes:
    """The ``schedule.xml`` that :func:`build_day` writes for ``hours`` (needs no sources)."""
    return _schedule_xml(_blocks(hours))


def _schedule_xml(blocks: int) -> bytes:
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name="talkarchive tests/dayrecording.py",
                  version=str(BUILDER_VERSION))
    ET.SubElement(root, "version").text = f"dayrecording-{BUILDER_VERSION}"
    conference = ET.SubElement(root, "conference")
    for tag, value in (("acronym", EVENT_SLUG), ("title", EVENT_TITLE), ("start", DAY.isoformat()),
                       ("end", DAY.isoformat()), ("days", "1"), ("timeslot_duration", "00:01"),
                       ("time_zone_name", "Europe/Berlin")):
        ET.SubElement(conference, tag).text = value
    nxt = DAY + dt.timedelta(days=1)
    day = ET.SubElement(root, "day", index="1", date=DAY.isoformat(),
                        start=f"{DAY.isoformat()}T04:00:00+02:00", end=f"{nxt.isoformat()}T03:59:00+02:00")
    room = ET.SubElement(day, "room", name=ROOM)
    number = 0
    for block in range(blocks):
        for slot in PROGRAMME:
            number += 1
            start = PROGRAMME_START + dt.timedelta(minutes=10 * block + slot.minute)
            event = ET.SubElement(room, "event", guid=_slot_guid(block, slot.key), id=str(number))
            for tag, value in (("room", ROOM), ("title", slot.title), ("type", slot.kind),
                               ("date", start.isoformat()), ("start", start.strftime("%H:%M")),
                               ("duration", f"00:{slot.minutes:02d}"), ("abstract", slot.abstract),
                               ("track", slot.track)):
                ET.SubElement(event, tag).text = value
            people = ET.SubElement(event, "persons")
            for person in slot.persons:
                ET.SubElement(people, "person", id=str(100 + sum(map(ord, person)))).text = person
            ET.SubElement(event, "language").text = "de"
            recording = ET.SubElement(event, "recording")
            ET.SubElement(recording, "license").text = "CC BY 4.0"
            ET.SubElement(recording, "optout").text = "false"
    ET.indent(root)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8") + b"\n"


# ---------------------------------------------------------------------------------------------
# The whole day, cached


def _blocks(hours: float | None) -> int:
    if hours is None:
        return 1
    if not 0 < hours <= MAX_HOURS:
        raise ValueError(f"hours must be in (0, {MAX_HOURS}]")
    return max(1, int(hours * 3600 // BLOCK))


def _fingerprint() -> dict[str, int]:
    """Sizes of the source files: a changed source rebuilds."""
    paths = [TALKS_DE / f"{s.source.split('/', 1)[1]}.mp4" for s in PROGRAMME if s.source.startswith("talks_de")]
    paths += [SPEECH_DE / c for s in PROGRAMME for c in s.clips]
    return {str(p.relative_to(SHARED)): p.stat().st_size for p in paths}


def _to_json(day: DayRecording) -> dict[str, object]:
    data = asdict(day)
    data.update(video=day.video.name, schedule=day.schedule.name, starts_at=day.starts_at.isoformat())
    return data


def _from_json(dest: Path, data: dict[str, Any]) -> DayRecording:
    data = dict(data)
    data["talks"] = [TruthTalk(**t) for t in data["talks"]]
    data["breaks"] = [tuple(b) for b in data["breaks"]]
    data["segments"] = [tuple(s) for s in data["segments"]]
    return DayRecording(**{**data, "video": dest / data["video"], "schedule": dest / data["schedule"],
                           "starts_at": dt.datetime.fromisoformat(data["starts_at"]).astimezone(TZ)})


def _cached(dest: Path, key: dict[str, object]) -> DayRecording | None:
    try:
        manifest = json.loads((dest / "manifest.json").read_text("utf-8"))
        if manifest.get("key") != key:
            return None
        day = _from_json(dest, manifest["day"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if day.video.is_file() and day.video.stat().st_size == manifest["video_bytes"] and day.schedule.is_file():
        return day
    return None


@contextmanager
def _locked(dest: Path) -> Iterator[None]:
    with (dest / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_day(dest: Path, hours: float | None = None) -> DayRecording:
    """Build the day recording into ``dest`` (created if need be) and return its truth; return
    the build already there when it is complete and made by this builder version from the same
    sources. ``hours``: repeat the 10-minute programme block (new guids each time) to fill that
    many hours, for a benchmark; None is one block."""
    reason = material_missing()
    if reason:
        raise RuntimeError(f"cannot build the day recording: {reason}")
    blocks = _blocks(hours)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    key: dict[str, object] = {"builder": BUILDER_VERSION, "blocks": blocks, "sources": _fingerprint()}
    with _locked(dest):
        found = _cached(dest, key)
        if found is not None:
            return found
        (dest / "manifest.json").unlink(missing_ok=True)
        day = _build(dest, blocks)
        manifest = {"key": key, "video_bytes": day.video.stat().st_size, "day": _to_json(day)}
        tmp = dest / "manifest.json.tmp"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), "utf-8")
        os.replace(tmp, dest / "manifest.json")
        return day


def _build(dest: Path, blocks: int) -> DayRecording:
    block = _layout()
    duration = BLOCK * blocks
    video = dest / ("aula-day.mp4" if blocks == 1 else f"aula-day-{blocks}x.mp4")
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        work = Path(tmp)
        _frames_for(work)
        picture = _encode_video(work, block, "block.mp4")  # meanwhile, the audio
        pcm = (np.clip(_mix(block), -1, 1) * 32767).astype("<i2").tobytes()
        sound = subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "s16le", "-ar", str(SR), "-ac", "1",
             "-i", "pipe:0", "-c:a", "aac", "-aac_coder", "fast", "-aac_pns", "0", "-b:a", "64k",
             "audio.m4a"],  # the default coder took 4x longer and left a frame of zeros in applause
            cwd=work, stdin=subprocess.PIPE, stderr=subprocess.PIPE)
        assert sound.stdin is not None
        try:
            for _ in range(blocks):  # the same block again and again: one encode, sample-exact
                sound.stdin.write(pcm)
        except BrokenPipeError:
            pass
        sound.stdin.close()
        sound.stdin = None
        _wait(sound, "encode the audio")
        _wait(picture, "encode the video")
        if blocks > 1:
            (work / "day.ffconcat").write_text("ffconcat version 1.0\n" + "file block.mp4\n" * blocks)
            _wait(subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "concat", "-safe", "0",
                                    "-i", "day.ffconcat", "-c", "copy", "picture.mp4"],
                                   cwd=work, stderr=subprocess.PIPE), "join the blocks")
        created = STARTS_AT.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000000Z")
        _wait(subprocess.Popen(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", "picture.mp4" if blocks > 1 else "block.mp4",
             "-i", "audio.m4a", "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
             "-metadata", f"creation_time={created}", "-metadata", f"title={EVENT_TITLE}, {ROOM}",
             "-movflags", "+faststart", "day.mp4"], cwd=work, stderr=subprocess.PIPE), "mux the day")
        (dest / "schedule.xml").write_bytes(_schedule_xml(blocks))
        os.replace(work / "day.mp4", video)
    talks: list[TruthTalk] = []
    segments: list[tuple[float, float, str, str]] = []
    for b in range(blocks):
        offset = b * BLOCK
        segments += [(round(s + offset, 3), round(e + offset, 3), k, lbl) for s, e, k, lbl in block.segments]
        for p in block.placed:
            talks.append(TruthTalk(
                guid=_slot_guid(b, p.slot.key), title=p.slot.title, persons=list(p.slot.persons),
                first_word=p.speech.first_word, last_word=p.speech.last_word,
                first_word_start=round(p.first + offset, 3), last_word_end=round(p.last + offset, 3),
                planned_start=_planned(p.slot) + offset, title_slide=bool(p.slot.slide),
                source=p.slot.source))
    breaks: list[tuple[float, float]] = []
    t = 0.0
    for talk in talks:
        breaks.append((round(t, 3), talk.first_word_start))
        t = talk.last_word_end
    breaks.append((round(t, 3), duration))
    missing = [_slot_guid(b, s.key) for b in range(blocks) for s in PROGRAMME if not s.source]
    return DayRecording(video=video, schedule=dest / "schedule.xml", starts_at=STARTS_AT, room=ROOM,
                        event_slug=EVENT_SLUG, talks=talks, never_happened=missing[0], breaks=breaks,
                        duration=duration, never_happened_all=missing, segments=segments)


def layout(day: DayRecording) -> str:
    """The day as a table of segments (first block only when it repeats)."""
    rows = [f"{'start':>8} {'end':>8}  {'kind':8}  what"]
    for start, end, kind, label in day.segments:
        if start >= BLOCK:
            break
        rows.append(f"{start:8.2f} {end:8.2f}  {kind:8}  {label}")
    return "\n".join(rows)


if __name__ == "__main__":  # python -m tests.dayrecording [DEST] [HOURS]
    import sys
    import time

    began = time.monotonic()
    built = build_day(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DEST,
                      float(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(layout(built))
    print(f"{built.video} ({built.duration:.0f} s), {built.schedule}: {time.monotonic() - began:.1f} s")
