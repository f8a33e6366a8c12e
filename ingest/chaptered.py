"""A talk's video with its chapters: the web rendition's streams copied (not re-encoded) into
a fragmented MP4 on ffmpeg's stdout, with the talk's title, speakers and chapter atoms from an
FFMETADATA file (:func:`archive.chapters.formats.to_ffmetadata`) given on stdin. Nothing is
written to disk, so nothing stale is left when chapters change or the talk is deleted."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path


def command(path: Path) -> list[str]:
    return ["ffmpeg", "-nostdin", "-v", "error",
            "-format_whitelist", "mov", "-protocol_whitelist", "file", "-i", f"file:{path}",
            "-f", "ffmetadata", "-format_whitelist", "ffmetadata", "-protocol_whitelist", "pipe",
            "-i", "pipe:0",
            "-map", "0:v:0", "-map", "0:a:0?", "-map_metadata", "1", "-map_chapters", "1",
            "-c", "copy", "-f", "mp4", "-movflags", "frag_keyframe+empty_moov", "pipe:1"]


def with_chapters(path: Path, ffmetadata: str, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """The MP4 as it streams (about a second an hour of video). Stopping early (a client that
    goes away) ends ffmpeg."""
    proc = subprocess.Popen(command(path), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        try:  # ffmpeg reads all of it before it writes anything
            proc.stdin.write(ffmetadata.encode("utf-8"))
            proc.stdin.close()
        except BrokenPipeError:  # ffmpeg gave up on the file; the stream just ends
            pass
        while data := proc.stdout.read(chunk):
            yield data
    finally:
        proc.kill()
        proc.wait()
