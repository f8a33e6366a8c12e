"""Media handling with the real ffmpeg."""

from __future__ import annotations

import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from archive.errors import InputError, MediaError
from ingest import demo, media
from ingest.engines import read_chunks


def ff(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True)


def test_probe_extract_poster_rendition(tmp_path: Path) -> None:
    wav = tmp_path / "s.wav"
    timed = demo.render_speech(["Guten Tag in Menden.", "Wir sprechen über Daten."], wav)
    assert timed[1].start == pytest.approx(timed[0].end + demo.PAUSE, abs=0.01)
    webm = tmp_path / "talk.webm"
    ff("-f", "lavfi", "-i", "color=c=green:s=320x240:r=10", "-i", str(wav), "-t", f"{timed[-1].end:.3f}",
       "-c:v", "libvpx-vp9", "-b:v", "200k", "-c:a", "libopus", str(webm))
    probe = media.probe(webm)
    assert probe.has_video and not probe.web_playable
    assert probe.duration == pytest.approx(timed[-1].end, abs=0.3)
    out = media.make_web_rendition(probe, tmp_path / "web.mp4")
    web = media.probe(out)
    assert web.video_codec == "h264" and web.audio_codec == "aac" and web.web_playable
    assert media.make_poster(probe, tmp_path / "p.jpg") and (tmp_path / "p.jpg").stat().st_size > 0
    audio = tmp_path / "a.wav"
    decoded = media.extract_audio(probe, audio)
    with wave.open(str(audio)) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
    assert decoded == pytest.approx(probe.duration, abs=0.3)


def test_audio_only_is_fine(tmp_path: Path) -> None:
    wav = tmp_path / "s.wav"
    demo.render_speech(["Nur Ton."], wav)
    probe = media.probe(wav)
    assert not probe.has_video and not media.make_poster(probe, tmp_path / "p.jpg")
    out = media.make_web_rendition(probe, tmp_path / "web.mp4")
    assert media.probe(out).audio_codec == "aac"


def test_bad_media(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        media.probe(tmp_path / "nope.mp4")
    (tmp_path / "zero.mp4").write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        media.probe(tmp_path / "zero.mp4")
    (tmp_path / "t.mp4").write_text("hello")
    with pytest.raises(MediaError, match="not a readable media file"):
        media.probe(tmp_path / "t.mp4")


def test_read_chunks_covers_every_sample_and_cuts_in_quiet(tmp_path: Path) -> None:
    rate = 16000
    rng = np.random.default_rng(1)
    loud = (rng.standard_normal(rate * 200) * 8000).astype(np.int16)
    loud[rate * 65 : rate * 66] = 0  # a quiet second near the first chunk boundary
    path = tmp_path / "x.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(loud.tobytes())
    chunks = list(read_chunks(path, 70))
    offsets = [o for o, _ in chunks]
    total = sum(len(a) for _, a in chunks)
    assert total == len(loud)
    assert 65 <= offsets[1] <= 66
    for (o1, a1), (o2, _) in zip(chunks, chunks[1:], strict=False):
        assert o1 + len(a1) / rate == pytest.approx(o2)
    assert max(len(a) for _, a in chunks) <= 70 * rate
