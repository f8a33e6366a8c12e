"""Demo and test talks made here: German texts of our own rendered with espeak-ng.

Sentences are rendered one by one and joined with a pause, so the exact time of every sentence
is known. ``make run`` ingests these into an empty archive; the test suite uses the same
renderer for clips whose timing it knows.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import ffmpeg

from archive.errors import TalkarchiveError

PAUSE = 0.6
RATE = 22050


@dataclass(frozen=True)
class DemoTalk:
    slug: str
    title: str
    event: str
    date: str
    town: str
    speakers: tuple[str, ...]
    sentences: tuple[str, ...]


DEMO_TALKS = (
    DemoTalk(
        "digitales_rathaus",
        "Das digitale Rathaus in Soest",
        "Smart Cities Konferenz 2025",
        "2025-09-18",
        "Soest",
        ("Anna Becker",),
        (
            "Guten Morgen und herzlich willkommen in Soest.",
            "Unser Rathaus bietet jetzt fast alle Anträge online an.",
            "Die Bürger können ihren Wohnsitz bequem von zu Hause ummelden.",
            "Ältere Menschen bekommen Hilfe in der Bibliothek am Markt.",
            "Im nächsten Jahr folgt die digitale Akte für die Verwaltung.",
        ),
    ),
    DemoTalk(
        "wasser_sensoren",
        "Sensoren für Wasser und Wald in Olpe",
        "Smart Cities Konferenz 2025",
        "2025-09-18",
        "Olpe",
        ("Jonas Weber",),
        (
            "In Olpe messen kleine Sensoren den Wasserstand am Biggesee.",
            "Bei Starkregen warnt das System die Feuerwehr rechtzeitig.",
            "Im Wald melden Sensoren, wenn der Boden zu trocken wird.",
            "Alle Daten stehen offen im Internet für jeden bereit.",
        ),
    ),
    DemoTalk(
        "dorf_werkstatt",
        "Die Dorfwerkstatt in Bad Berleburg",
        "Smart Cities Konferenz 2024",
        "2024-10-02",
        "Bad Berleburg",
        ("Miriam Schulte", "Paul Hoffmann"),
        (
            "Die Dorfwerkstatt ist ein offener Raum für alle Generationen.",
            "Hier reparieren wir Fahrräder und bauen kleine Roboter.",
            "Schülerinnen lernen das Programmieren mit echten Projekten.",
            "Am Freitag kommen die Nachbarn zum gemeinsamen Kochen.",
        ),
    ),
)


@dataclass(frozen=True)
class TimedSentence:
    start: float
    end: float
    text: str


def _espeak(text: str, out: Path, voice: str = "de") -> None:
    try:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "120", "-g", "3", "-w", str(out), text],
            check=True, capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        raise TalkarchiveError(f"espeak-ng failed: {exc}") from None


def render_speech(sentences: list[str] | tuple[str, ...], out_wav: Path,
                  voice: str = "de", lead: float = 0.0) -> list[TimedSentence]:
    """Render sentences one by one with ``PAUSE`` seconds between them into one WAV."""
    timed: list[TimedSentence] = []
    frames = bytearray()
    params = None
    with tempfile.TemporaryDirectory() as tmp:
        clock = lead
        for i, text in enumerate(sentences):
            part = Path(tmp) / f"{i}.wav"
            _espeak(text, part, voice)
            with wave.open(str(part), "rb") as w:
                params = w.getparams()
                data = w.readframes(w.getnframes())
                rate, width = w.getframerate(), w.getsampwidth()
            if not frames and lead:
                frames += b"\0" * int(lead * rate) * width
            elif frames:
                frames += b"\0" * int(PAUSE * rate) * width
                clock += PAUSE
            seconds = len(data) / width / rate
            timed.append(TimedSentence(round(clock, 3), round(clock + seconds, 3), text))
            frames += data
            clock = len(frames) / width / rate
    assert params is not None
    with wave.open(str(out_wav), "wb") as w:
        w.setparams(params)
        w.writeframes(bytes(frames))
    return timed


def render_video(wav: Path, out_mp4: Path, colour: str = "0x1d4e89") -> None:
    """H.264/AAC MP4 of a plain frame over the speech."""
    with wave.open(str(wav), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
    video = ffmpeg.input(f"color=c={colour}:s=640x360:r=10", f="lavfi", t=f"{seconds:.3f}")
    audio = ffmpeg.input(str(wav))
    (
        ffmpeg.output(video, audio, str(out_mp4), vcodec="libx264", pix_fmt="yuv420p",
                      tune="stillimage", acodec="aac", movflags="+faststart")
        .global_args("-nostdin", "-v", "error")
        .run(capture_stdout=True, capture_stderr=True, overwrite_output=True)
    )


def render_demo(talk: DemoTalk, folder: Path) -> tuple[Path, list[TimedSentence]]:
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{talk.slug}.wav"
    timed = render_speech(talk.sentences, wav)
    mp4 = folder / f"{talk.slug}.mp4"
    render_video(wav, mp4)
    wav.unlink()
    return mp4, timed
