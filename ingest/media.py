"""Media handling with ffmpeg: probe, 16 kHz mono audio, poster frame, web rendition.

Every ffmpeg and ffprobe run reads its input only through the demuxers of
:data:`DEMUXERS` and only from local files (``-format_whitelist``, ``-protocol_whitelist``):
an upload that is an HLS playlist or a concat list naming other files on this machine (which
would copy them into a talk) is not readable media. Each run has a time limit
(:func:`_limit`), so a file built to make ffmpeg spin fails instead of holding a worker.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ffmpeg

from archive.errors import InputError, MediaError

SAMPLE_RATE = 16000
# audio and video containers people record talks in; no playlists (hls), lists (concat),
# images, or network formats (rtsp, sdp)
DEMUXERS = ",".join(("mov", "matroska", "webm", "avi", "mpegts", "mpeg", "flv", "asf", "ogg",
                     "wav", "w64", "mp3", "aac", "flac", "aiff", "caf", "amr", "ac3", "eac3",
                     "dts", "truehd", "wv", "ape", "tta", "au", "dv"))
SAFE_INPUT = {"format_whitelist": DEMUXERS, "protocol_whitelist": "file"}
SAFE_ARGS = [arg for name, value in SAFE_INPUT.items() for arg in (f"-{name}", value)]
PROBE_SECONDS = 60
WEB_VIDEO_CODECS = {"h264"}
WEB_AUDIO_CODECS = {"aac", "mp3"}


@dataclass(frozen=True)
class Probe:
    path: Path
    duration: float
    format_name: str
    video_codec: str | None
    audio_codec: str | None
    width: int | None
    height: int | None
    audio_duration: float | None = None

    @property
    def has_video(self) -> bool:
        return self.video_codec is not None

    @property
    def web_playable(self) -> bool:
        """An MP4 with H.264/AAC (or an MP4/M4A audio file) plays in every browser as it is."""
        if "mp4" not in self.format_name:
            return False
        if self.audio_codec not in WEB_AUDIO_CODECS:
            return False
        return self.video_codec is None or self.video_codec in WEB_VIDEO_CODECS


def _limit(duration: float, per_second: float) -> float:
    """Seconds an ffmpeg run may take for a recording of ``duration`` s: a fixed minute plus
    ``per_second`` for each second (decoding runs at ~300× real time on 2 cores, x264
    veryfast at ~2×; the limits leave ten times that)."""
    return 60.0 + duration * per_second


def _timed(args: list[str], seconds: float, name: str) -> bytes:
    """Run ffmpeg or ffprobe under a time limit; its stdout, or :class:`ffmpeg.Error`."""
    try:
        done = subprocess.run(args, capture_output=True, timeout=seconds,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise MediaError(f"{name}: {args[0]} took longer than {seconds:.0f} s",
                         code="media_timeout") from None
    if done.returncode != 0:
        raise ffmpeg.Error(args[0], done.stdout, done.stderr)
    return done.stdout


def _run(stream: ffmpeg.nodes.OutputStream, seconds: float, path: Path) -> bytes:
    return _timed(stream.compile(), seconds, path.name)


def _probe_json(path: Path) -> dict[str, object]:
    args = ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json",
            *SAFE_ARGS, f"file:{path}"]
    info: dict[str, object] = json.loads(
        _timed(args, PROBE_SECONDS, str(path)).decode("utf-8", "replace"))
    return info


def _stderr_reason(exc: ffmpeg.Error, path: Path) -> str:
    text = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
    lines = [ln.strip() for ln in text if ln.strip()]
    reason = lines[-1] if lines else "ffmpeg failed"
    return reason.removeprefix(f"file:{path}: ").removeprefix(f"{path}: ")


def check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(f"{path}: no such file", code="not_found")
    if not path.is_file():
        raise InputError(f"{path}: not a regular file")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: empty file (0 bytes)", code="empty_file")


def probe(path: Path) -> Probe:
    """Read duration and streams; raise :class:`MediaError` when the file is not usable media."""
    check_file(path)
    try:
        info: dict[str, Any] = _probe_json(path)
    except ffmpeg.Error as exc:
        raise MediaError(f"{path}: not a readable media file ({_stderr_reason(exc, path)})") from None
    streams = info.get("streams", [])
    video = next(
        (
            s
            for s in streams
            if s.get("codec_type") == "video"
            and not s.get("disposition", {}).get("attached_pic")
        ),
        None,
    )
    audio = next((s for s in streams if s.get("codec_type") == "audio"), None)
    if audio is None:
        raise MediaError(f"{path}: no audio stream", code="no_audio")
    try:
        duration = float(info.get("format", {}).get("duration") or audio.get("duration") or 0)
    except ValueError:
        duration = 0.0
    if duration <= 0:
        raise MediaError(f"{path}: media has no duration", code="bad_media")
    return Probe(
        path=path,
        duration=duration,
        format_name=info.get("format", {}).get("format_name", ""),
        video_codec=video.get("codec_name") if video else None,
        audio_codec=audio.get("codec_name"),
        width=int(video["width"]) if video and video.get("width") else None,
        height=int(video["height"]) if video and video.get("height") else None,
        audio_duration=_float(audio.get("duration")),
    )


def _float(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def extract_audio(media: Probe, out: Path) -> float:
    """Write 16 kHz mono 16-bit WAV to ``out`` (streamed by ffmpeg, never held in memory).

    Returns the decoded duration. A file that decodes to much less than its probed duration
    (a truncated upload) is rejected.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        _run(
            ffmpeg.input(f"file:{media.path}", **SAFE_INPUT)
            # aresample async: gaps in the audio's timestamps become silence, so a second in
            # the WAV is a second of the recording and word times match the video
            .output(str(out), ac=1, ar=SAMPLE_RATE, acodec="pcm_s16le", format="wav", vn=None,
                    af="aresample=async=1:first_pts=0")
            .global_args("-nostdin", "-v", "error", "-y"), _limit(media.duration, 0.05), media.path)
    except ffmpeg.Error as exc:
        out.unlink(missing_ok=True)
        raise MediaError(f"{media.path}: audio cannot be decoded ({_stderr_reason(exc, media.path)})") from None
    with wave.open(str(out), "rb") as wav:
        decoded = wav.getnframes() / wav.getframerate()
    expected = media.audio_duration or media.duration
    if decoded < expected - max(1.0, 0.02 * expected):
        out.unlink(missing_ok=True)
        raise MediaError(
            f"{media.path}: truncated file (audio ends at {decoded:.1f} s of "
            f"{expected:.1f} s)",
            code="truncated",
        )
    return decoded


def make_poster(media: Probe, out: Path) -> bool:
    """A JPEG frame from the video; False for audio-only media."""
    if not media.has_video:
        return False
    out.parent.mkdir(parents=True, exist_ok=True)
    at = min(5.0, media.duration / 3)
    try:
        _run(
            ffmpeg.input(f"file:{media.path}", ss=at, **SAFE_INPUT)
            .output(str(out), vframes=1, vf="scale=640:-2", **{"q:v": 4})
            .global_args("-nostdin", "-v", "error", "-y"), _limit(0, 0), media.path)
    except (ffmpeg.Error, MediaError):
        return False
    return out.exists() and out.stat().st_size > 0


def make_web_rendition(media: Probe, out: Path) -> Path:
    """The file the browser plays: the original when it already plays everywhere, else
    H.264/AAC MP4 (AAC M4A for audio) with the index at the front (faststart)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if media.web_playable:
        shutil.copyfile(media.path, out)
        return out
    args: dict[str, object] = {"acodec": "aac", "audio_bitrate": "128k", "movflags": "+faststart"}
    if media.has_video:
        args.update(vcodec="libx264", preset="veryfast", crf=23, pix_fmt="yuv420p",
                    vf="scale=trunc(iw/2)*2:trunc(ih/2)*2", format="mp4")
    else:
        args.update(vn=None, format="mp4")
    tmp = out.with_suffix(".part")
    try:
        _run(
            ffmpeg.input(f"file:{media.path}", **SAFE_INPUT)
            .output(str(tmp), **args)
            .global_args("-nostdin", "-v", "error", "-y"), _limit(media.duration, 5.0), media.path)
    except MediaError:
        tmp.unlink(missing_ok=True)
        raise
    except ffmpeg.Error as exc:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"{media.path}: cannot make a web rendition ({_stderr_reason(exc, media.path)})") from None
    tmp.replace(out)
    return out


def check_decodable(media: Probe) -> None:
    """A quick check for uploads: the last seconds of audio must decode in full (a truncated
    file fails here without decoding the whole recording); it reads at most 6 s."""
    end = media.audio_duration or media.duration
    start = max(0.0, end - 5.0)
    try:
        out = _run(  # at most 6 s of audio (192 kB), whatever the file says
            ffmpeg.input(f"file:{media.path}", ss=start, **SAFE_INPUT)
            .output("pipe:", format="s16le", ac=1, ar=SAMPLE_RATE, vn=None, t=6)
            .global_args("-nostdin", "-v", "error"), _limit(0, 0), media.path)
    except ffmpeg.Error as exc:
        raise MediaError(f"{media.path.name}: audio cannot be decoded "
                         f"({_stderr_reason(exc, media.path)})") from None
    decoded = len(out) / 2 / SAMPLE_RATE
    expected = end - start
    if decoded < expected - max(0.5, 0.1 * expected):
        raise MediaError(f"{media.path.name}: truncated file (audio ends {expected - decoded:.1f} s "
                         "before its stated end)", code="truncated")


def audio_track(path: Path, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """The audio of a web rendition as an M4A stream: the AAC track copied, not re-encoded, into
    fragmented MP4 on ffmpeg's stdout (about 1 s an hour of audio). Nothing is written to disk,
    so deleting a talk leaves no derived copy behind. Stopping early (a client that goes away)
    ends ffmpeg."""
    proc = subprocess.Popen(
        ["ffmpeg", "-nostdin", "-v", "error", "-format_whitelist", "mov", "-protocol_whitelist",
         "file", "-i", f"file:{path}", "-map", "0:a:0", "-vn", "-c:a", "copy", "-f", "mp4",
         "-movflags", "frag_keyframe+empty_moov", "pipe:1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert proc.stdout is not None
    try:
        while data := proc.stdout.read(chunk):
            yield data
    finally:
        proc.kill()
        proc.wait()
