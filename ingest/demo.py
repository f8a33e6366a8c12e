"""Demo and test talks made here: German texts of our own rendered with espeak-ng.

Sentences are rendered one by one and joined with a pause, so the exact time of every sentence
is known. ``make run`` ingests these into an empty archive; the test suite uses the same
renderer for clips whose timing it knows.

The demo talks are a visitor's first impression, so their texts, voices and glossaries were
chosen for the base model (bench/demo_quality.py): the variant ``de+m6`` had a WER of 0.17 where
espeak-ng's plain ``de`` had 0.27 on the same texts (about 50 variants tried, the rest 0.25 to
1.2), and sentences it kept mishearing were put in other words ("Generationen", "Roboter" and
"reparieren" are gone; "Feuerwehr" is still heard as "vorher"). The podium's second voice
``de+f2`` is told apart by the diarizer, which ``de`` is not. With all that and each talk's
glossary: WER 0.028, from 0.303 before.
"""

from __future__ import annotations

import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import ffmpeg
import numpy as np

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
    voices: tuple[str, ...] = ("de",)  # espeak-ng voices, taking turns sentence by sentence
    # slides: (the sentence it appears with, its title, its lines); words that are not spoken
    slides: tuple[tuple[int, str, tuple[str, ...]], ...] = ()
    glossary: tuple[str, ...] = ()  # names and terms that help the engine (TalkDetails.glossary)


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
            "Man muss dafür nicht mehr in die Stadt fahren.",
            "Ältere Menschen bekommen Hilfe in der Bibliothek am Markt.",
            "Im nächsten Jahr folgt die digitale Akte.",
        ),
        voices=("de+m6",),
        glossary=("Soest", "Rathaus", "Anträge"),
        slides=((0, "Das digitale Rathaus", ("Smart Cities Konferenz 2025",)),
                (1, "Anträge online", ("Wohnsitz ummelden", "Hundesteuer", "Bauantrag")),
                (3, "Hilfe vor Ort", ("Digitallotsen in der Bibliothek",))),
    ),
    DemoTalk(
        "wasser_sensoren",
        "Sensoren für Wasser und Wald in Olpe",
        "Smart Cities Konferenz 2025",
        "2025-09-18",
        "Olpe",
        ("Jonas Weber",),
        (
            "In Olpe zeigen kleine Sensoren den Wasserstand am Biggesee.",
            "Bei Starkregen warnt das System die Feuerwehr rechtzeitig.",
            "Im Wald melden Sensoren, wenn der Boden zu trocken wird.",
            "Alle Daten stehen offen im Internet für jeden bereit.",
        ),
        voices=("de+m6",),
        glossary=("Olpe", "Biggesee", "Starkregen"),
        slides=((0, "Pegelmessung am Biggesee", ("Messwerte alle zehn Minuten",)),
                (2, "Bodenfeuchte im Wald", ("Frühwarnung vor Waldbränden", "Offene Daten"))),
    ),
    DemoTalk(
        "dorf_werkstatt",
        "Die Dorfwerkstatt in Bad Berleburg",
        "Smart Cities Konferenz 2024",
        "2024-10-02",
        "Bad Berleburg",
        ("Miriam Schulte", "Paul Hoffmann"),
        (
            "Die Dorfwerkstatt ist ein offener Ort für alle.",
            "Hier werden alte Computer wieder heil gemacht.",
            "Kinder und Jugendliche lernen hier programmieren.",
            "Am Freitag essen alle Nachbarn zusammen.",
            "Woher kommt eigentlich das Geld?",
            "Der Kreis zahlt die Miete, und das Werkzeug kommt aus Spenden.",
            "Und wer kümmert sich um die Schlüssel am Wochenende?",
            "Das machen drei Rentner aus dem Dorf.",
            "Vielen Dank für das Gespräch und viel Erfolg.",
        ),
        voices=("de+m6", "de+f2"),  # a podium: two voices take turns
        glossary=("Dorfwerkstatt", "Bad Berleburg"),
        slides=((0, "Die Dorfwerkstatt", ("Bad Berleburg",)),
                (4, "Finanzierung", ("Miete: Kreis", "Werkzeug: Spenden"))),
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
                  voice: str | tuple[str, ...] = "de", lead: float = 0.0) -> list[TimedSentence]:
    """Render sentences one by one with ``PAUSE`` seconds between them into one WAV; with
    several voices, they take turns sentence by sentence."""
    voices = (voice,) if isinstance(voice, str) else voice
    timed: list[TimedSentence] = []
    frames = bytearray()
    params = None
    with tempfile.TemporaryDirectory() as tmp:
        clock = lead
        for i, text in enumerate(sentences):
            part = Path(tmp) / f"{i}.wav"
            _espeak(text, part, voices[i % len(voices)])
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


FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")  # Debian's fonts-dejavu-core


@dataclass(frozen=True)
class DemoSlide:
    start: float
    end: float
    title: str
    lines: tuple[str, ...] = ()


def _slide_picture(slide: DemoSlide, out: Path, size: str, folder: Path) -> None:
    """One slide as a PNG: its title and lines on a white page (texts go through files, so
    nothing a slide says needs escaping)."""
    filters = []
    for j, (text, points, y) in enumerate(((slide.title, 48, 70), ("\n".join(slide.lines), 34, 200))):
        if text:
            path = folder / f"{out.stem}-{j}.txt"
            path.write_text(text)
            filters.append(f"drawtext=fontfile={FONT}:textfile={path}:fontsize={points}:"
                           f"line_spacing=18:fontcolor=0x1d2b3a:x=80:y={y}")
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    f"color=c=white:s={size}", "-frames:v", "1", "-vf", ",".join(filters) or "null",
                    "-y", str(out)], check=True, capture_output=True)


def _picture_list(slides: tuple[DemoSlide, ...] | list[DemoSlide], seconds: float, colour: str,
                  size: str, folder: Path) -> Path:
    """A concat list: the plain frame where no slide is shown, each slide for its time."""
    plain = folder / "plain.png"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i",
                    f"color=c={colour}:s={size}", "-frames:v", "1", "-y", str(plain)],
                   check=True, capture_output=True)
    entries, clock = [], 0.0
    for i, slide in enumerate(sorted(slides, key=lambda s: s.start)):
        if slide.start > clock:
            entries.append((plain, slide.start - clock))
        picture = folder / f"slide-{i}.png"
        _slide_picture(slide, picture, size, folder)
        entries.append((picture, min(slide.end, seconds + 1) - max(slide.start, clock)))
        clock = slide.end
    if clock < seconds + 1:
        entries.append((plain, seconds + 1 - clock))
    listing = folder / "pictures.txt"
    listing.write_text("".join(f"file '{p}'\nduration {d:.3f}\n" for p, d in entries)
                       + f"file '{entries[-1][0]}'\n")
    return listing


def render_video(wav: Path, out_mp4: Path, colour: str = "0x1d4e89",
                 slides: tuple[DemoSlide, ...] | list[DemoSlide] = (), size: str = "640x360",
                 rate: int = 10) -> None:
    """H.264/AAC MP4 of a plain frame over the speech; with ``slides``, each shown on a white
    page from its start to its end (1280x720 suits them)."""
    with wave.open(str(wav), "rb") as w:
        seconds = w.getnframes() / w.getframerate()
    with tempfile.TemporaryDirectory() as tmp:
        if slides:
            listing = _picture_list(slides, seconds, colour, size, Path(tmp))
            video = ffmpeg.input(str(listing), f="concat", safe=0).filter("fps", rate)
        else:
            video = ffmpeg.input(f"color=c={colour}:s={size}:r={rate}", f="lavfi")
        audio = ffmpeg.input(str(wav))
        (
            ffmpeg.output(video, audio, str(out_mp4), vcodec="libx264", pix_fmt="yuv420p",
                          tune="stillimage", preset="veryfast", acodec="aac",
                          t=f"{seconds:.3f}", movflags="+faststart")
            .global_args("-nostdin", "-v", "error")
            .run(capture_stdout=True, capture_stderr=True, overwrite_output=True)
        )


def render_demo(talk: DemoTalk, folder: Path) -> tuple[Path, list[TimedSentence]]:
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{talk.slug}.wav"
    timed = render_speech(talk.sentences, wav, talk.voices)
    mp4 = folder / f"{talk.slug}.mp4"
    starts = [timed[i].start if i else 0.0 for i, _, _ in talk.slides]
    ends = [*starts[1:], timed[-1].end + 60]
    slides = [DemoSlide(start, end, title, lines)
              for (_, title, lines), start, end in zip(talk.slides, starts, ends, strict=True)]
    render_video(wav, mp4, slides=slides, size="1280x720" if slides else "640x360")
    wav.unlink()
    return mp4, timed


@dataclass(frozen=True)
class Turn:
    start: float
    end: float
    speaker: str


def _trim_silence(pcm: bytes, floor_db: float = -40.0, window: int = 160) -> bytes:
    """Cut leading and trailing silence (10 ms windows below ``floor_db`` of full scale), so a
    clip's turn is the speech in it."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.float64)
    usable = len(samples) // window * window
    if not usable:
        return pcm
    rms = np.sqrt(np.mean(samples[:usable].reshape(-1, window) ** 2, axis=1)) / 32768.0
    loud = np.flatnonzero(rms > 10 ** (floor_db / 20))
    if not len(loud):
        return pcm
    return pcm[int(loud[0]) * window * 2 : (int(loud[-1]) + 1) * window * 2]


def make_panel(clips: list[tuple[str, Path]], out_wav: Path, gap: float = 0.8) -> list[Turn]:
    """Real voices in turns: each (speaker, clip) in order, ``gap`` seconds of silence between,
    as one 16 kHz mono WAV. Returns the exact turns."""
    rate, width = 16_000, 2
    frames = bytearray()
    turns: list[Turn] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (speaker, clip) in enumerate(clips):
            part = Path(tmp) / f"{i}.wav"
            (ffmpeg.input(str(clip))
             .output(str(part), ac=1, ar=rate, acodec="pcm_s16le", format="wav")
             .global_args("-nostdin", "-v", "error")
             .run(capture_stdout=True, capture_stderr=True, overwrite_output=True))
            with wave.open(str(part), "rb") as w:
                data = _trim_silence(w.readframes(w.getnframes()))
            if frames:
                frames += b"\0" * int(gap * rate) * width
            start = len(frames) / width / rate
            frames += data
            turns.append(Turn(round(start, 3), round(len(frames) / width / rate, 3), speaker))
    with wave.open(str(out_wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return turns
