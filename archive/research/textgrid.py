"""The Praat export: a transcript as a TextGrid in Praat's long text format
(https://www.fon.hum.uva.nl/praat/manual/TextGrid_file_formats.html).

Per speaker two interval tiers: the sentences (named after the speaker) and the words (the name
and " - Wörter"). As Praat requires, each tier's intervals run without gaps or overlaps from 0
to the end of the recording (silence is an interval with empty text) and every interval is
longer than zero: an overlapping item starts where the one before it ended, an item of no length
gets one millisecond (the last one, at the very end), and one left with no time at all joins its
text to the item before it. A TextGrid has no place for licence or provenance.
"""

from __future__ import annotations

from typing import Any

from ..transcript import Transcript
from .common import WORDS_SUFFIX, Layout, Speaker, layout, secs

Interval = tuple[int, int, str]  # start ms, end ms, text


def _quoted(text: str) -> str:
    """A Praat string: in double quotes, a double quote doubled, on one line."""
    return '"' + " ".join(text.split()).replace('"', '""') + '"'


def intervals(items: list[Interval], total: int) -> list[Interval]:
    """Items in time order as a Praat tier from 0 to ``total`` (as the module says)."""
    out: list[Interval] = []
    cursor = 0
    for start, end, text in items:
        start = max(start, cursor)  # an overlap: start where the item before ended
        end = max(end, start + 1)  # an item of no length gets a millisecond
        if end > total:  # ... and at the very end, the last millisecond
            start, end = min(start, total - 1), total
        if start < cursor:  # no time left at all: join the item before (cursor > 0: there is one)
            if out:
                out[-1] = (out[-1][0], out[-1][1], f"{out[-1][2]} {text}".strip())
            continue
        if start > cursor:
            out.append((cursor, start, ""))
        out.append((start, end, text))
        cursor = end
    if cursor < total:
        out.append((cursor, total, ""))
    return out


def _tier(name: str, items: list[Interval], total: int) -> list[str]:
    entries = intervals(items, total)
    lines = [
        '        class = "IntervalTier" ',
        f"        name = {_quoted(name)} ",
        "        xmin = 0 ",
        f"        xmax = {secs(total)} ",
        f"        intervals: size = {len(entries)} ",
    ]
    for n, (start, end, text) in enumerate(entries, 1):
        lines += [
            f"        intervals [{n}]:",
            f"            xmin = {secs(start)} ",
            f"            xmax = {secs(end)} ",
            f"            text = {_quoted(text)} ",
        ]
    return lines


def _speaker_tiers(lay: Layout, speaker: Speaker, total: int) -> list[tuple[str, list[Interval]]]:
    mine = [s for s in lay.sentences if s.speaker.ident == speaker.ident]
    sentences = sorted(((s.start, s.end, s.text) for s in mine), key=lambda i: (i[0], i[1]))
    words = sorted(((w.start, w.end, w.text) for s in mine for w in s.words),
                   key=lambda i: (i[0], i[1]))
    return [(speaker.name, sentences), (speaker.name + WORDS_SUFFIX, words)]


def to_textgrid(transcript: Transcript, talk: dict[str, Any]) -> str:
    """The transcript as a long-format Praat TextGrid (text; save it as UTF-8)."""
    lay = layout(transcript, talk)
    total = max(lay.duration, 1)  # Praat wants xmax > xmin, even for a recording of no length
    tiers = [tier for speaker in lay.speakers for tier in _speaker_tiers(lay, speaker, total)]
    lines = [
        'File type = "ooTextFile"',
        'Object class = "TextGrid"',
        "",
        "xmin = 0 ",
        f"xmax = {secs(total)} ",
        "tiers? <exists> ",
        f"size = {len(tiers)} ",
        "item []: ",
    ]
    for n, (name, items) in enumerate(tiers, 1):
        lines.append(f"    item [{n}]:")
        lines += _tier(name, items, total)
    return "\n".join(lines) + "\n"
