"""Slide text: slide changes found on a video's keyframes, each new slide read by Tesseract.

Stages, each a plain function: :func:`keyframes` (small gray keyframes and their times) ->
:func:`find_slides` (still scenes) -> :func:`refine_starts` (when a slide appeared, where
keyframes are far apart) -> :func:`grab_images` (each slide's keyframe for OCR, and a
thumbnail) -> :func:`read_text` (Tesseract, two runs side by side) -> :class:`SlideResult`.

Why keyframes: decoding every frame of a 10-minute 720p slide video cost 5.9 s here (36 s an
hour, a quarter of a talk's ingest); its keyframes alone, 0.2 s. Encoders put a keyframe where
the picture changes (x264's scenecut), and where one did not, only the keyframe interval around
a change is decoded again (:func:`refine_starts`). An audio-only recording never gets here; a
video without slides costs one keyframe pass and an OCR run for each still scene that looks
like a slide (a plain background), whose words are then dropped for want of confidence.
Tesseract is run as a program (TSV out) rather than through pytesseract, which would add
Pillow to write the PNGs ffmpeg already wrote, and parse the same TSV.
"""

from __future__ import annotations

import csv
import functools
import io
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from archive import transcript as tr
from archive.errors import MediaError

from .media import SAFE_ARGS, Probe

TESSERACT_LANGUAGES = {"de": "deu", "en": "eng", "fr": "fra", "nl": "nld"}
WORKERS = 2  # ffmpeg and tesseract runs side by side, one thread each
# Tesseract's OpenMP threads: 6 slides took 4.1 s with them on 2 cores, 0.5 s without
ONE_THREAD = {**os.environ, "OMP_THREAD_LIMIT": "1"}
_PTS = re.compile(r"\bpts:\s*(-?\d+)\s+pts_time:(-?[\d.]+)")


@dataclass(frozen=True)
class SlideOptions:
    """How slides are found and read; recorded with every result."""

    width: int = 160  # keyframes are compared at this size, in gray
    height: int = 90
    pixel_delta: int = 24  # a pixel changed when it differs by more than this (of 255)
    changed_fraction: float = 0.003  # a new scene when more than this part of the pixels changed
    still_seconds: float = 3.0  # a slide stays at least this long
    flat_fraction: float = 0.45  # a lone keyframe is a slide when this much is plain background
    min_keyframe_gap: float = 1.0  # keyframes closer than this are skipped (all-intra video)
    tolerance: float = 1.5  # keyframes further apart than this: the change is located between
    min_confidence: float = 55.0  # Tesseract's confidence a word needs
    min_words: int = 2  # a slide with fewer readable words is left out
    max_slides: int = 400
    language: str = "deu"


@dataclass
class Frames:
    """Small gray keyframes (n, height, width) and their times in seconds and stream ticks."""

    pixels: np.ndarray
    times: list[float]
    pts: list[int]


@dataclass
class Found:
    """A slide before it is read: where it starts, its first keyframe (an index into
    :class:`Frames`), the keyframe it is read from (its time stamp), and where it ends."""

    start: float
    first: int
    key_pts: int
    end: float


@dataclass
class SlideResult:
    slides: list[tr.Slide]
    thumbnails: dict[str, Path]  # a slide's image name -> its thumbnail in the work dir
    provenance: dict[str, object] = field(default_factory=dict)


Command = tuple[list[str], float, str]  # a program's arguments, its time limit, what it does


def _start(args: list[str], what: str) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=ONE_THREAD)
    except OSError as exc:
        raise MediaError(f"{what}: {exc.strerror}", code="slides_unavailable") from None


def _finish(proc: subprocess.Popen[bytes], seconds: float, what: str) -> subprocess.CompletedProcess[bytes]:
    try:
        out, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise MediaError(f"{what} took longer than {seconds:.0f} s", code="media_timeout") from None
    if proc.returncode != 0:
        tail = err.decode("utf-8", "replace").strip().splitlines()[-1:] or ["failed"]
        raise MediaError(f"{what}: {tail[0]}", code="slides_failed")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def _run(args: list[str], seconds: float, what: str) -> subprocess.CompletedProcess[bytes]:
    """One program run under a time limit."""
    return _finish(_start(args, what), seconds, what)


def _side_by_side(commands: list[Command]) -> list[subprocess.CompletedProcess[bytes]]:
    """The programs, :data:`WORKERS` at a time, their results in order. They are started from
    the calling thread and only waited for by threads: QEMU 7.2's user mode (Debian's
    ``qemu-user``, tests/e2e/test_other_cpus.py) hung a child forked from a worker thread in
    two of three runs."""
    results: list[subprocess.CompletedProcess[bytes]] = []
    with ThreadPoolExecutor(WORKERS) as pool:
        for k in range(0, len(commands), WORKERS):
            batch = commands[k:k + WORKERS]
            procs = [_start(args, what) for args, _, what in batch]
            results += pool.map(lambda pc: _finish(pc[0], pc[1][1], pc[1][2]), zip(procs, batch, strict=True))
    return results


def _input(path: Path, *before: str) -> list[str]:
    return ["ffmpeg", "-nostdin", "-hide_banner", *before, *SAFE_ARGS, "-i", f"file:{path}"]


def _gray(options: SlideOptions) -> str:
    return f"scale={options.width}:{options.height}:flags=area,format=gray"


def keyframes(media: Probe, work: Path, options: SlideOptions) -> Frames:
    """Every keyframe (at most one a ``min_keyframe_gap``), small and gray, with its time."""
    raw = work / "keyframes.gray"
    gap = options.min_keyframe_gap
    vf = (f"select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,{gap})',"
          f"{_gray(options)},showinfo")
    args = [*_input(media.path, "-skip_frame", "nokey"), "-an", "-sn", "-map", "0:v:0",
            "-vf", vf, "-fps_mode", "passthrough", "-f", "rawvideo", "-y", str(raw)]
    done = _run(args, 60 + media.duration * 0.05, "reading keyframes")
    stamps = _PTS.findall(done.stderr.decode("utf-8", "replace"))
    size = options.width * options.height
    pixels = np.fromfile(raw, dtype=np.uint8)
    raw.unlink(missing_ok=True)
    count = min(len(stamps), pixels.size // size)
    pixels = pixels[: count * size].reshape(count, options.height, options.width)
    return Frames(pixels, [float(t) for _, t in stamps[:count]], [int(p) for p, _ in stamps[:count]])


def changed(a: np.ndarray, b: np.ndarray, options: SlideOptions) -> bool:
    delta = np.abs(a.astype(np.int16) - b.astype(np.int16)) > options.pixel_delta
    return float(delta.mean()) > options.changed_fraction


def flat(frame: np.ndarray, options: SlideOptions) -> bool:
    """Mostly one plain background, as slides are and camera pictures are not."""
    counts = np.bincount((frame // 8).ravel(), minlength=32)
    return float(counts.max()) / frame.size >= options.flat_fraction


def find_slides(frames: Frames, duration: float, options: SlideOptions) -> list[Found]:
    """Scenes: runs of keyframes that stay like their first. A scene is a slide when it lasts
    ``still_seconds`` and either spans two keyframes or is mostly plain background."""
    n = len(frames.times)
    starts = [0] if n else []
    for i in range(1, n):
        if changed(frames.pixels[starts[-1]], frames.pixels[i], options):
            starts.append(i)
    found: list[Found] = []
    for k, first in enumerate(starts):
        last = (starts[k + 1] if k + 1 < len(starts) else n) - 1
        end = frames.times[starts[k + 1]] if k + 1 < len(starts) else duration
        still = frames.times[last] - frames.times[first] >= options.still_seconds
        if end - frames.times[first] < options.still_seconds:
            continue
        if still or flat(frames.pixels[first], options):
            key = last if still else first  # the settled picture of a slide that builds up
            found.append(Found(frames.times[first], first, frames.pts[key], end))
    return found[: options.max_slides]


def refine_starts(media: Probe, frames: Frames, found: list[Found], options: SlideOptions
                  ) -> None:
    """Where the keyframe before a slide is more than ``tolerance`` earlier, decode that
    interval at 4 frames a second and take the first frame that shows the slide. Reference
    frames only, without the loop filter: 0.14 s a 10-second interval of 720p against 0.20."""
    times = frames.times
    size = options.width * options.height

    late = [slide for slide in found
            if slide.first > 0 and slide.start - times[slide.first - 1] > options.tolerance]
    commands: list[Command] = [
        ([*_input(media.path, "-threads", "1", "-skip_frame", "noref", "-skip_loop_filter", "all",
                  "-ss", f"{times[slide.first - 1]:.3f}"), "-an", "-sn", "-map", "0:v:0",
          "-t", f"{slide.start - times[slide.first - 1]:.3f}", "-vf", f"fps=4,{_gray(options)}",
          "-f", "rawvideo", "pipe:"], 60, "locating a slide change") for slide in late]
    for slide, done in zip(late, _side_by_side(commands), strict=True):
        before, out = times[slide.first - 1], np.frombuffer(done.stdout, dtype=np.uint8)
        for j in range(out.size // size):
            frame = out[j * size:(j + 1) * size].reshape(options.height, options.width)
            if not changed(frames.pixels[slide.first], frame, options):
                slide.start = round(before + j / 4, 2)
                break


def grab_images(media: Probe, found: list[Found], work: Path) -> list[tuple[Path, Path | None]]:
    """One ffmpeg run: each slide's keyframe as a gray PNG for OCR (at least 720 lines
    high) and a 320-pixel JPEG thumbnail (None where ffmpeg wrote none), in slide order."""
    if not found:
        return []
    folder = work / "slides"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = "+".join(f"eq(pts\\,{s.key_pts})" for s in found)
    graph = (f"[0:v:0]select='{wanted}',split=2[o][t];"
             "[o]scale=-2:'max(720\\,ih)':flags=lanczos,format=gray[ocr];[t]scale=320:-2[th]")
    every = ["-fps_mode", "passthrough", "-start_number", "0"]
    args = [*_input(media.path, "-skip_frame", "nokey"), "-filter_complex", graph,
            "-map", "[ocr]", *every, str(folder / "ocr-%04d.png"),
            "-map", "[th]", *every, "-q:v", "5", str(folder / "thumb-%04d.jpg"), "-y"]
    _run(args, 60 + media.duration * 0.05, "grabbing slides")
    images = sorted(folder.glob("ocr-*.png"))
    if len(images) != len(found):
        raise MediaError(f"grabbing slides: {len(images)} pictures for {len(found)} slides",
                         code="slides_failed")
    thumbs = [folder / f"thumb-{i:04d}.jpg" for i in range(len(found))]
    return [(image, thumb if thumb.exists() else None) for image, thumb in zip(images, thumbs,
                                                                               strict=True)]


def read_text(images: list[Path], work: Path, options: SlideOptions) -> list[str]:
    """Tesseract on every image, in :data:`WORKERS` runs side by side; per image its
    confident words, line by line."""
    parts = [part for k in range(WORKERS) if (part := images[k::WORKERS])]
    read = [_tesseract_words(done.stdout, len(part), options)
            for part, done in zip(parts, _side_by_side([_tesseract(part, work, options) for part in parts]),
                                  strict=True)]
    texts = {p: text for part, got in zip(parts, read, strict=True)
             for p, text in zip(part, got, strict=True)}
    return [texts[p] for p in images]


def _tesseract(images: list[Path], work: Path, options: SlideOptions) -> Command:
    """One Tesseract run over a list of images (TSV out, one page each)."""
    listing = work / f"slides-{images[0].stem}.txt"
    listing.write_text("".join(f"{p}\n" for p in images))
    args = ["tesseract", str(listing), "stdout", "-l", options.language, "--psm", "3", "tsv"]
    return args, 60 + 20 * len(images), "reading slide text (tesseract)"


def _tesseract_words(tsv: bytes, pages: int, options: SlideOptions) -> list[str]:
    """Per page of Tesseract's TSV, its confident words, line by line."""
    lines: list[dict[tuple[str, str, str], list[str]]] = [{} for _ in range(pages)]
    rows = csv.DictReader(io.StringIO(tsv.decode("utf-8", "replace")), delimiter="\t",
                          quoting=csv.QUOTE_NONE)
    for row in rows:
        word = (row.get("text") or "").strip()
        page = int(row.get("page_num") or 0) - 1
        if not word or not 0 <= page < pages or not any(c.isalnum() for c in word):
            continue
        if float(row.get("conf") or -1) < options.min_confidence:
            continue
        key = (row["block_num"], row["par_num"], row["line_num"])
        lines[page].setdefault(key, []).append(word)
    return ["\n".join(" ".join(words) for words in page.values()) for page in lines]


def options_for(language: str) -> SlideOptions:
    """Options for a talk in ``language`` (ISO 639-1): Tesseract's model for it, German else."""
    return SlideOptions(language=TESSERACT_LANGUAGES.get(language, "deu"))


@functools.cache
def tesseract_version() -> str | None:
    if shutil.which("tesseract") is None:
        return None
    done = subprocess.run(["tesseract", "--version"], capture_output=True, timeout=30)
    first = (done.stdout or done.stderr).decode("utf-8", "replace").splitlines()
    return first[0].strip() if first else "tesseract"


def detect(media: Probe, work: Path, options: SlideOptions) -> SlideResult:
    """The slides of a video with their text; an audio-only recording has none."""
    started = time.perf_counter()
    provenance: dict[str, object] = {"options": asdict(options)}
    if not media.has_video:
        return SlideResult([], {}, provenance)
    frames = keyframes(media, work, options)
    found = find_slides(frames, media.duration, options)
    refine_starts(media, frames, found, options)
    for slide, after in zip(found, found[1:], strict=False):
        slide.end = min(slide.end, after.start)
    pictures = grab_images(media, found, work)
    texts = read_text([image for image, _ in pictures], work, options)
    slides: list[tr.Slide] = []
    thumbnails: dict[str, Path] = {}
    for slide, (_, thumb), text in zip(found, pictures, texts, strict=True):
        if len(text.split()) < options.min_words:
            continue
        name = f"{len(slides):03d}.jpg"
        slides.append(tr.Slide(start=round(slide.start, 2), end=round(slide.end, 2), text=text,
                               image=name if thumb else None))
        if thumb:
            thumbnails[name] = thumb
    provenance.update(ocr=tesseract_version(), keyframes=len(frames.times), scenes=len(found),
                      seconds=round(time.perf_counter() - started, 2))
    return SlideResult(slides, thumbnails, provenance)
