"""A day recording's wall-clock start, and a talk's own media cut out of it.

A cut is copied, not re-encoded, when the video has a keyframe in the pause just before the
talk's first word: the cut then starts on that keyframe, so second 0 of the talk is exactly its
start. Otherwise (or when the recording does not play in browsers) the stretch is encoded again,
H.264/AAC. Audio alone is always copied.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ffmpeg

from archive.errors import MediaError

from .media import SAFE_ARGS, Probe, _limit, _probe_json, _stderr_reason, _timed


def recorded_at(media: Probe) -> dt.datetime | None:
    """When the recording started, from the container's ``creation_time`` (cameras and
    recorders write it; ffmpeg keeps it); None when absent or not a time."""
    info: dict[str, Any] = _probe_json(media.path)
    tags = dict((info.get("format") or {}).get("tags") or {})
    raw = str(tags.get("creation_time") or "").strip()
    if not raw:
        return None
    try:
        found = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=dt.UTC)


def keyframes(media: Probe, start: float, end: float) -> list[float]:
    """Times of the video's keyframes between ``start`` and ``end`` (read from the packets'
    flags, without decoding)."""
    args = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals",
            f"{max(0.0, start)}%{end}", "-show_entries", "packet=pts_time,flags", "-of", "csv=p=0",
            *SAFE_ARGS, f"file:{media.path}"]
    try:
        out = _timed(args, _limit(0, 0), media.path.name).decode()
    except ffmpeg.Error:
        return []
    times = []
    for line in out.splitlines():
        parts = line.split(",")
        if len(parts) >= 2 and "K" in parts[1] and parts[0] not in ("", "N/A"):
            times.append(float(parts[0]))
    return sorted(t for t in times if start <= t <= end)


def copy_point(media: Probe, start: float, earliest: float) -> float | None:
    """Where a copied cut can start: the last keyframe between ``earliest`` (the end of the
    word before) and ``start``; None when there is none."""
    if not media.has_video:
        return start
    found = keyframes(media, earliest, start + 0.001)
    return found[-1] if found else None


def cut(media: Probe, start: float, end: float, out: Path, copy: bool) -> Path:
    """The stretch ``start``..``end`` of ``media`` as its own MP4 (M4A for audio), index in
    front; copied when ``copy``, else encoded again."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    codecs = ["-c", "copy"] if copy else (
        ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p",
         "-c:a", "aac", "-b:a", "128k"] if media.has_video else ["-c:a", "aac", "-b:a", "128k"])
    args = ["ffmpeg", "-nostdin", "-v", "error", "-y", "-ss", f"{start:.3f}", *SAFE_ARGS,
            "-i", f"file:{media.path}", "-t", f"{end - start:.3f}", "-map", "0:v:0?",
            "-map", "0:a:0", *codecs, "-avoid_negative_ts", "auto",
            "-movflags", "+faststart", "-f", "mp4", str(tmp)]
    try:
        _timed(args, _limit(end - start, 0.2 if copy else 5.0), media.path.name)
    except MediaError:
        tmp.unlink(missing_ok=True)
        raise
    except ffmpeg.Error as exc:
        tmp.unlink(missing_ok=True)
        raise MediaError(f"{media.path}: cannot cut {start:.1f}-{end:.1f} s "
                         f"({_stderr_reason(exc, media.path)})") from None
    tmp.replace(out)
    return out
