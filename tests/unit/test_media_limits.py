"""ffmpeg reads only recordings: a playlist or concat list that names other files on this
machine is not media, every run has a time limit, and the decodability check reads a bounded
amount. Real ffmpeg and ffprobe."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from archive.errors import MediaError
from ingest import media


def tone(path: Path, seconds: int = 3) -> Path:
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", str(path)], check=True)
    return path


def test_playlists_and_lists_naming_local_files_are_not_media(tmp_path: Path) -> None:
    secret = tmp_path / "secret-meeting.ts"  # another recording on this machine
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=3", "-c:a", "aac",
                    "-f", "mpegts", str(secret)], check=True)
    assert media.probe(secret).duration == pytest.approx(3, abs=0.1)  # a recording is fine
    playlist = tmp_path / "talk.m3u8"
    playlist.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:3\n#EXTINF:3,\n{secret}\n"
                        "#EXT-X-ENDLIST\n")
    concat = tmp_path / "talk.ffconcat"
    concat.write_text(f"ffconcat version 1.0\nfile '{secret.name}'\n")
    disguised = tmp_path / "talk.mp4"  # a playlist under a harmless name
    disguised.write_bytes(playlist.read_bytes())
    for upload in (playlist, concat, disguised):
        # without the whitelists ffprobe reads the other recording through the list
        opened = subprocess.run(["ffprobe", "-v", "error", "-show_format", str(upload)],
                                capture_output=True)
        assert opened.returncode == 0 and b"nb_streams=1" in opened.stdout, upload
        with pytest.raises(MediaError, match="not a readable media file"):
            media.probe(upload)


def test_a_run_past_its_time_limit_is_a_media_error(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    probe = media.probe(tone(tmp_path / "talk.wav", 30))
    monkeypatch.setattr(media, "_limit", lambda duration, per_second: 0.001)
    with pytest.raises(MediaError, match="took longer than") as caught:
        media.extract_audio(probe, tmp_path / "audio.wav")
    assert caught.value.code == "media_timeout"
    assert not (tmp_path / "audio.wav").exists()


def test_the_decodability_check_reads_six_seconds_at_most(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    probe = media.probe(tone(tmp_path / "talk.wav", 20))
    read: list[int] = []
    real = media._run

    def counting(*args: object) -> bytes:
        out = real(*args)  # type: ignore[arg-type]
        read.append(len(out))
        return out

    monkeypatch.setattr(media, "_run", counting)
    fake = media.Probe(probe.path, 20.0, probe.format_name, None, "pcm_s16le", None, None, 14.0)
    media.check_decodable(fake)  # says 14 s: from 9 s it would read 11 s without the bound
    assert read and read[0] <= 6 * media.SAMPLE_RATE * 2
