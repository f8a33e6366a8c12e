"""A corpus in one download: every published talk that matches a search, as a ZIP streamed
while it is written.

Layout: one folder per talk (``{id}/{id}.{ext}`` in each chosen format), and beside them
``talks.csv`` and ``talks.json`` (details, licence, duration, speakers, provenance),
``segments.jsonl`` (one line per sentence with talk id, times, speaker, text and words),
``citations.json`` (CSL-JSON) and ``citations.bib``, and a ``README.md`` saying what the corpus
holds, each talk's licence, how the transcripts were made and corrected, and how to cite.

Memory stays flat: the standard library's ``zipfile`` writes to an unseekable sink (data
descriptors instead of seeking back), each member is handed on as soon as it is written, one
transcript is loaded at a time, and the sentences wait in a temporary file until the talks are
written. ``bench/corpus.py`` measures talks/s and peak memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from typing import Any

from . import catalog as cat
from . import citations, corpus_files, exports, formats
from .corpus_readme import readme
from .paths import transcript_path
from .search import query as search_query
from .search.client import SearchClient
from .settings import Settings

DEFAULT_FORMATS = ("json", "tei", "vtt")
COMPRESSION = 1  # zlib level: 37.7 talks/s and 35 MB for 300 talks at 1, 29.6 and 28.5 MB at 6
Progress = Callable[[str, float, float], None]
PAGE = 1000
FIELDS = ("id", "title", "event", "date", "year", "town", "speakers", "language", "duration",
          "segment_count", "licence", "licence_url", "url", "engine", "model", "diarizer",
          "corrections")


@dataclass
class Selection:
    """What a corpus holds: the search that chose it and the talks, in date order."""

    query: str
    filters: search_query.Filters
    formats: list[str]
    talks: list[cat.Talk]


def select(settings: Settings, catalog: cat.Catalog, client: SearchClient, query: str,
           filters: search_query.Filters, fmts: list[str]) -> Selection:
    """Every published, ready talk the search matches: all of them, not one page. The ids
    from the index are checked against the catalog, so a talk unpublished since it was
    indexed stays out."""
    ids: list[str] = []
    page = 1
    while True:
        body = search_query.build_talk_query(settings, query, filters, page, per_page=PAGE)
        body.update(attributesToRetrieve=["talk_id"], facets=[])
        body.pop("attributesToHighlight", None)
        hits = client.multi_search([body])[0]
        ids += [h["talk_id"] for h in hits["hits"]]
        if page * PAGE >= int(hits.get("totalHits", 0)) or not hits["hits"]:
            break
        page += 1
    with catalog.session() as s:
        rows = s.query(cat.Talk).filter(cat.Talk.id.in_(ids)).all() if ids else []
        s.expunge_all()
    talks = [t for t in rows if t.published and t.status == cat.TalkStatus.READY]
    talks.sort(key=lambda t: (t.date or "", t.title, t.id))
    return Selection(query.strip(), filters, fmts, talks)


class _Sink(io.RawIOBase):
    """Where zipfile writes: bytes are kept until the stream takes them."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def _row(talk: cat.Talk, done: corpus_files.Rendered, base_url: str) -> dict[str, Any]:
    lic = talk.public_dict()["licence"]
    prov = done.provenance
    return {
        "id": talk.id, "title": talk.title, "event": talk.event, "date": talk.date,
        "year": talk.year, "town": talk.town, "speakers": talk.all_speakers(),
        "language": talk.language, "duration": round(talk.duration, 3),
        "segment_count": talk.segment_count, "licence": lic["id"], "licence_url": lic["url"],
        "url": f"{base_url}/talks/{talk.id}",
        "engine": prov.engine if prov else None, "model": prov.model if prov else None,
        "diarizer": (prov.diarization or {}).get("diarizer") if prov else None,
        "corrections": done.corrections,
        "provenance": {k: v for k, v in vars(prov).items() if k != "options"} if prov else None,
    }


def _talks_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: formats.csv_cell("; ".join(v) if isinstance(v, list) else v)
                         for k, v in row.items() if k in FIELDS})
    return buf.getvalue()


def _no_progress(stage: str, done: float, total: float) -> None:
    pass


def stream(settings: Settings, selection: Selection, base_url: str,
           today: dt.date | None = None, progress: Progress = _no_progress) -> Iterator[bytes]:
    """The ZIP, chunk by chunk; ``progress("talks", done, total)`` after each talk. The
    sentences go to a temporary file while the talks are written, and into the ZIP after
    them (one member is written at a time; reading every transcript twice cost a third)."""
    today = today or dt.date.today()
    base_url = base_url.rstrip("/")
    sink = _Sink()
    rows: list[dict[str, Any]] = []
    jobs = (corpus_files.Job(str(transcript_path(settings, talk.id)),
                             exports.links(talk.public_dict(), base_url), tuple(selection.formats))
            for talk in selection.talks)
    with (tempfile.TemporaryFile() as sentences, ExitStack() as stack,
          zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED,
                          compresslevel=COMPRESSION) as zf):
        done = stack.enter_context(closing(corpus_files.render_all(jobs, len(selection.talks))))
        for n, (talk, rendered) in enumerate(zip(selection.talks, done, strict=True), 1):
            rows.append(_row(talk, rendered, base_url))
            progress("talks", n, len(selection.talks))
            sentences.write(rendered.segments)
            for ext, content in rendered.files:
                zf.writestr(f"{talk.id}/{talk.id}.{ext}", content)
                yield sink.take()
        sentences.seek(0)
        with zf.open("segments.jsonl", "w", force_zip64=True) as out:
            while block := sentences.read(1 << 20):
                out.write(block)
                yield sink.take()
        yield from _beside(zf, sink, settings, selection, rows, base_url, today)
    yield sink.take()


def _beside(zf: zipfile.ZipFile, sink: _Sink, settings: Settings, selection: Selection,
            rows: list[dict[str, Any]], base_url: str, today: dt.date) -> Iterator[bytes]:
    talks = {t.id: exports.links(t.public_dict(), base_url) for t in selection.talks}
    zf.writestr("talks.csv", _talks_csv(rows))
    zf.writestr("talks.json", json.dumps(rows, ensure_ascii=False, indent=1) + "\n")
    cites = [citations.csl_json(t, t["url"], None, today) for t in talks.values()]
    zf.writestr("citations.json", json.dumps(cites, ensure_ascii=False, indent=1) + "\n")
    zf.writestr("citations.bib", "\n".join(citations.bibtex(t, t["url"], None, today)
                                           for t in talks.values()))
    yield sink.take()
    zf.writestr("README.md", readme(settings, selection, rows, talks, base_url, today))
    yield sink.take()
