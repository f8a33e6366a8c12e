"""What each talk puts into a corpus: its files in the chosen formats and its lines of
``segments.jsonl``, rendered in worker processes.

Rendering is pure Python and holds the GIL, so threads would not help; a corpus of 1,000 talks
in JSON, TEI and VTT took 36 talks/s in one process (README, Corpus; ``bench/corpus.py``). The
workers are child processes (:class:`_Worker` says why not a process pool) that import only the
transcript model and the renderers (0.14 s), and run without the cyclic garbage collector: the transcript model
makes no cycles, and the collector's passes over a talk's thousands of words were a third of
the time. At most ``2 × workers`` talks are in flight, so memory stays flat; a small corpus is
rendered in the calling process, where starting workers would cost more than it saves.
"""

from __future__ import annotations

import contextlib
import gc
import os
import queue
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import orjson

from . import exports, formats
from . import transcript as tr

IN_PROCESS_BELOW = 40  # talks: two spawned workers cost about 0.4 s before their first talk


@dataclass(frozen=True)
class Job:
    """One talk to render: its transcript file and its public dict with absolute links."""

    path: str
    talk: dict[str, Any]
    formats: tuple[str, ...] | list[str]


@dataclass(frozen=True)
class Rendered:
    """One talk's share of the corpus; ``provenance`` is None where the transcript is missing."""

    talk_id: str
    provenance: tr.Provenance | None
    corrections: int
    files: tuple[tuple[str, bytes], ...]  # (extension, content) in the order asked
    segments: bytes  # its lines of segments.jsonl


def render(job: Job) -> Rendered:
    path = Path(job.path)
    talk_id = job.talk["id"]
    if not path.is_file():  # listed in talks.csv without files; the README says so
        return Rendered(talk_id, None, 0, (), b"")
    transcript = tr.load(path)
    files = tuple((exports.EXTENSIONS[fmt], exports.render(transcript, job.talk, fmt).encode())
                  for fmt in job.formats)
    corrections = sum(1 for h in transcript.history if h.get("who") != "rediarize")
    return Rendered(talk_id, transcript.provenance, corrections, files,
                    b"".join(_segments(transcript, job.talk)))


def _segments(transcript: tr.Transcript, talk: dict[str, Any]) -> Iterator[bytes]:
    for seg, who in zip(transcript.segments, formats.speakers(transcript, talk), strict=True):
        yield orjson.dumps({
            "talk_id": transcript.talk_id, "start": seg.start, "end": seg.end,
            "speaker": who, "speaker_label": seg.speaker, "text": seg.text,
            "words": [{"start": w.start, "end": w.end, "word": w.word.strip(),
                       "probability": w.probability} for w in seg.words],
        }, option=orjson.OPT_APPEND_NEWLINE, default=tr.plain)


def workers() -> int:
    return max(1, min(4, len(os.sched_getaffinity(0))))


class _Worker:
    """One ``python -m archive.corpus_files`` child: jobs go in as JSON lines, results come
    back as a JSON line and the bytes it announces. (Not ``ProcessPoolExecutor``: a spawned
    worker imports the parent's main module, and under the ``talkarchive`` script that is the
    whole CLI, 1.1 s and 1,300 modules a worker; the server has threads, so no fork.)"""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", __name__], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH":
                                                                  _import_root()})
        # a thread reads the results as they come, so a worker never waits with a full pipe
        # for the parent to get to it (94 against 103 talks/s with the parent reading in turn)
        self.results: queue.Queue[Rendered | Exception] = queue.Queue()
        threading.Thread(target=self._read, daemon=True, name="corpus-worker").start()

    def send(self, job: Job) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(orjson.dumps(asdict(job), option=orjson.OPT_APPEND_NEWLINE))
        self.proc.stdin.flush()

    def receive(self) -> Rendered:
        result = self.results.get()
        if isinstance(result, Exception):
            raise result
        return result

    def _read(self) -> None:
        assert self.proc.stdout is not None
        stdout = self.proc.stdout
        while head := stdout.readline():
            meta = orjson.loads(head)
            if "error" in meta:
                self.results.put(RuntimeError(f"corpus worker: {meta['error']}"))
                continue
            files = tuple((ext, stdout.read(size)) for ext, size in meta["files"])
            prov = tr.Provenance(**meta["provenance"]) if meta["provenance"] else None
            self.results.put(Rendered(meta["talk_id"], prov, meta["corrections"], files,
                                      stdout.read(meta["segments"])))
        self.results.put(RuntimeError(f"corpus worker ended (exit {self.proc.wait()})"))

    def close(self) -> None:
        with contextlib.suppress(OSError):
            if self.proc.stdin:
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()


def _import_root() -> str:
    """The folder ``archive`` is imported from, first on the child's path."""
    root = str(Path(__file__).resolve().parents[1])
    rest = os.environ.get("PYTHONPATH")
    return f"{root}{os.pathsep}{rest}" if rest else root


def render_all(jobs: Iterable[Job], count: int) -> Generator[Rendered, None, None]:
    """Every job's result, in order: job n goes to worker n mod N, two in flight each."""
    if count < IN_PROCESS_BELOW or workers() == 1:
        yield from map(render, jobs)
        return
    pool: list[_Worker] = []
    try:
        pool += [_Worker() for _ in range(workers())]
        order: deque[_Worker] = deque()
        for n, job in enumerate(jobs):
            worker = pool[n % len(pool)]
            worker.send(job)
            order.append(worker)
            if len(order) >= 2 * len(pool):
                yield order.popleft().receive()
        while order:
            yield order.popleft().receive()
    finally:  # also when the client went away: nothing more is rendered
        for worker in pool:
            worker.close()


def _serve() -> None:
    """The child's loop: one job a line on stdin, its result on stdout."""
    gc.disable()
    out = sys.stdout.buffer
    for line in sys.stdin.buffer:
        try:
            job = Job(**orjson.loads(line))
            done = render(job)
        except Exception as exc:  # reported to the parent, which raises it  # noqa: BLE001
            out.write(orjson.dumps({"error": f"{type(exc).__name__}: {exc}"}) + b"\n")
            out.flush()
            continue
        head = {"talk_id": done.talk_id, "corrections": done.corrections,
                "provenance": asdict(done.provenance) if done.provenance else None,
                "files": [[ext, len(data)] for ext, data in done.files],
                "segments": len(done.segments)}
        out.write(orjson.dumps(head, default=tr.plain) + b"\n")
        out.writelines(data for _, data in done.files)
        out.write(done.segments)
        out.flush()


if __name__ == "__main__":
    _serve()
