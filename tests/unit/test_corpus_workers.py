"""The corpus renders its talks in worker processes: the same bytes as in one process, in the
same order, errors reported, and no worker left behind."""

from __future__ import annotations

from pathlib import Path

import psutil
import pytest

from archive import corpus_files
from archive import transcript as tr
from archive.exports import links
from archive.paths import transcript_path
from archive.settings import Settings

from .test_research_unit import TALK, save_transcript

COUNT = corpus_files.IN_PROCESS_BELOW + 5  # enough to start workers


def jobs(tmp_path: Path) -> list[corpus_files.Job]:
    settings = Settings(data_dir=tmp_path)
    out = []
    for n in range(COUNT):
        talk_id = f"talk{n:03d}"
        if n != 7:  # talk007's transcript is missing: listed, no files
            transcript = save_transcript(settings, talk_id, [f"Satz {n} über <Soest> & mehr.",
                                                             "Zweiter Satz hier."])
            if n == 3:  # a correction counts
                transcript.history.append({"who": "staff", "segment": 0})
                tr.save(transcript, transcript_path(settings, talk_id))
        talk = links({**TALK, "id": talk_id}, "https://archiv.example")
        out.append(corpus_files.Job(str(transcript_path(settings, talk_id)), talk,
                                    ("json", "tei", "vtt")))
    return out


def workers_of_this_process() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True)
            if "archive.corpus_files" in " ".join(p.cmdline())]


def test_workers_give_what_one_process_gives(tmp_path: Path) -> None:
    todo = jobs(tmp_path)
    alone = [corpus_files.render(job) for job in todo]
    assert corpus_files.workers() >= 2 or pytest.skip("one CPU: no workers are started")
    together = list(corpus_files.render_all(iter(todo), len(todo)))
    assert together == alone
    assert [r.talk_id for r in together] == [f"talk{n:03d}" for n in range(COUNT)]
    assert together[7].files == () and together[7].provenance is None
    assert together[3].corrections == 1 and together[4].corrections == 0
    assert b"<w>&lt;Soest&gt;</w>" in dict(together[0].files)["tei.xml"]
    assert workers_of_this_process() == []


def test_a_broken_transcript_is_an_error_and_stopping_early_ends_the_workers(
        tmp_path: Path) -> None:
    todo = jobs(tmp_path)
    Path(todo[5].path).write_text("{not json")
    assert corpus_files.workers() >= 2 or pytest.skip("one CPU: no workers are started")
    results = corpus_files.render_all(iter(todo), len(todo))
    assert [next(results).talk_id for _ in range(5)] == [f"talk{n:03d}" for n in range(5)]
    assert len(workers_of_this_process()) == corpus_files.workers()
    with pytest.raises(RuntimeError, match="corpus worker: JSONDecodeError"):
        next(results)
    results.close()
    assert workers_of_this_process() == []

    early = corpus_files.render_all(iter(todo), len(todo))
    next(early)
    early.close()  # a client that went away
    assert workers_of_this_process() == []
