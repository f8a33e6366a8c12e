"""Where a room's day recording is cut into the talks of its programme.

The programme says when each slot should start and how long it takes; the recording says where
speech pauses, who speaks, which slide shows and what is said (:mod:`ingest.cut_evidence`). The
slots are laid over the stretches of speech in programme order by dynamic programming: each slot
either takes a run of consecutive stretches or is missing, and speech between talks (a host's
words) may be left out. A placement costs

- the drift of the programme's delay from the slot before (programmes run late, steadily);
- a talk much shorter or longer than its slot;
- a break (a pause of a minute or more) inside a talk;
- speech left outside every talk, and a slot left missing;

and gains from clear pauses at its ends, a speaker or slide change at its start, a title slide
matching the slot, and words resembling the slot's title and abstract. A slot whose ends are not
clear is ``needs_review``: it is proposed, never published silently. Cut points fall into the
pause around the first and last word, never inside a word.

Why our own: no library cuts a recording along a programme (the CCC's tracker and SReview have
people set in and out points). The dynamic programme visits slots × stretches × a talk's
stretches: a 6-hour day (~2,500 stretches, 40 slots) takes seconds (bench/cutting.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from archive.transcript import Segment, Slide

from . import cut_evidence as ev

# Weights of the placement's cost, in units of "a clear pause at one end".
DRIFT_PER_MINUTE = 0.6  # the delay changing by a minute from one slot to the next
EARLY_PER_MINUTE = 0.5  # starting more than EARLY_GRACE before the programme says
EARLY_GRACE = 120.0
# A talk moved up into a dropped slot's time changes the delay once: that costs no more than this.
TIME_CAP = 300.0
LENGTH_WEIGHT = 2.0  # per unit of log(actual / planned) outside the expected range
BREAK_INSIDE = 4.0  # a pause of BREAK_GAP or more inside one talk
BREAK_GAP = 60.0
SKIP_PER_MINUTE = 1.5  # a minute of speech left outside every talk
MISSING = 3.0  # a slot left without a talk
TITLE_SLIDE = 2.0
CONTENT = 6.0  # per unit of the affinity of a talk's words to its slot over the others
# How far a talk's start may lie from its planned start (the search's window).
WINDOW_EARLY, WINDOW_LATE = 1800.0, 5400.0
REVIEW_BELOW = 0.5  # confidence under which a cut waits for staff
CLEAR_MARGIN = 1.0  # a start the next best placement is this much worse than: unambiguous
PAD = 3.0  # at most this much of the pause before the first and after the last word


class Placed(StrEnum):
    CUT = "cut"
    NEEDS_REVIEW = "needs_review"
    MISSING = "missing"


@dataclass(frozen=True)
class PlannedSlot:
    guid: str
    title: str
    offset: float  # planned start, seconds into the recording
    duration: float  # planned seconds
    text: str = ""  # title, abstract and persons: what the talk is likely to say


@dataclass
class Placement:
    guid: str
    status: Placed
    start: float | None = None  # the cut, seconds of the day recording
    end: float | None = None
    confidence: float = 0.0
    reasons: list[str] = field(default_factory=list)


@dataclass
class _Evidence:
    units: list[ev.Stretch]
    before: list[float]
    after: list[float]
    speaker: list[bool]
    slide: list[bool]
    titles: list[list[float]]
    ends: np.ndarray  # each stretch's end
    after_score: np.ndarray  # pause_score of the pause after each stretch
    long_gaps: np.ndarray  # prefix count of pauses >= BREAK_GAP before stretch k
    speech: np.ndarray  # prefix seconds of speech
    affinity_sums: np.ndarray  # per slot, prefix of affinity × seconds of speech


def _prefix(values: list[float]) -> np.ndarray:
    return np.concatenate([[0.0], np.cumsum(np.asarray(values, dtype=float))])


def gather(segments: list[Segment], slides: list[Slide], slots: list[PlannedSlot],
           duration: float) -> _Evidence:
    units = ev.stretches(segments)
    before, after = ev.gaps(units, duration)
    affinity = ev.content_affinity(units, [s.text or s.title for s in slots])
    speech = [u.speech for u in units]
    return _Evidence(
        units, before, after, ev.speaker_changes(units), ev.slide_changes(units, slides),
        ev.title_slides(units, slides, [s.title for s in slots]),
        np.asarray([u.end for u in units], dtype=float),
        np.asarray([ev.pause_score(g) for g in after], dtype=float),
        _prefix([float(i > 0 and g >= BREAK_GAP) for i, g in enumerate(before)]),
        _prefix(speech),
        np.asarray([_prefix([a * t for a, t in zip(row, speech, strict=True)])
                    for row in affinity]).reshape(len(slots), len(units) + 1))


def start_strength(e: _Evidence, j: int, a: int) -> float:
    return (ev.pause_score(e.before[a]) + 0.5 * e.speaker[a] + 0.3 * e.slide[a]
            + TITLE_SLIDE * e.titles[j][a])


def _length_cost(actual: np.ndarray, planned: float) -> np.ndarray:
    """Talks often end early (the slot holds questions and the changeover); few overrun."""
    ratio = np.maximum(actual, 1.0) / max(planned, 1.0)
    short = np.log(0.4 / np.minimum(ratio, 0.4))
    long = np.log(np.maximum(ratio, 1.2) / 1.2)
    return LENGTH_WEIGHT * (short + long)


def run_costs(e: _Evidence, slot: PlannedSlot, j: int, a: int, last: int,
              delay_before: float | None) -> tuple[np.ndarray, float]:
    """The cost of slot ``j`` taking stretches a..b for every b in a..last, and its delay
    (start - planned start)."""
    start, ends = e.units[a].start, e.ends[a:last + 1]
    delay = start - slot.offset
    drift = abs(delay - delay_before) if delay_before is not None else abs(delay) / 5
    fixed = DRIFT_PER_MINUTE * min(drift, TIME_CAP) / 60
    fixed += EARLY_PER_MINUTE * min(max(0.0, -delay - EARLY_GRACE), TIME_CAP) / 60
    fixed -= min(2.5, start_strength(e, j, a))
    cost = fixed + _length_cost(ends - start, slot.duration)
    cost += BREAK_INSIDE * (e.long_gaps[a + 1:last + 2] - e.long_gaps[a + 1])
    cost -= e.after_score[a:last + 1]
    speech = e.speech[a + 1:last + 2] - e.speech[a]
    said = e.affinity_sums[j, a + 1:last + 2] - e.affinity_sums[j, a]
    cost -= CONTENT * np.divide(said, speech, out=np.zeros_like(said), where=speech > 0)
    return cost, delay


def _skip_cost(e: _Evidence, k: int) -> float:
    return SKIP_PER_MINUTE * e.units[k].speech / 60


def _last_end(e: _Evidence, slot: PlannedSlot, c: int) -> int:
    """The last stretch a talk starting at stretch ``c`` may end with (it may not outgrow its
    slot threefold, nor by more than half an hour)."""
    limit = e.units[c].start + max(3 * slot.duration, slot.duration + 1800)
    return max(c, int(np.searchsorted(e.ends, limit, side="right")) - 1)


_SKIP, _MISSING, _PLACE = 1, 2, 3


@dataclass
class _Table:
    """The dynamic programme's states (slots decided, stretches decided): the best cost, the
    delay of the last talk placed, and how the state was reached."""

    cost: np.ndarray
    delay: np.ndarray
    kind: np.ndarray
    start: np.ndarray  # for _PLACE: the talk's first stretch

    @classmethod
    def empty(cls, slots: int, units: int) -> _Table:
        shape = (slots + 1, units + 1)
        table = cls(np.full(shape, np.inf), np.full(shape, np.nan),
                    np.zeros(shape, dtype=np.int8), np.zeros(shape, dtype=np.int64))
        table.cost[0, 0] = 0.0
        return table

    def relax(self, j: int, c: int, cost: float, delay: float, kind: int, start: int) -> None:
        if cost < self.cost[j, c]:
            self.cost[j, c], self.delay[j, c] = cost, delay
            self.kind[j, c], self.start[j, c] = kind, start

    def relax_runs(self, j: int, a: int, costs: np.ndarray, delay: float) -> None:
        row = slice(a + 1, a + 1 + len(costs))
        better = costs < self.cost[j, row]
        self.cost[j, row] = np.where(better, costs, self.cost[j, row])
        self.delay[j, row] = np.where(better, delay, self.delay[j, row])
        self.kind[j, row] = np.where(better, _PLACE, self.kind[j, row])
        self.start[j, row] = np.where(better, a, self.start[j, row])

    def trace(self) -> list[tuple[int, int] | None]:
        j, c = self.cost.shape[0] - 1, self.cost.shape[1] - 1
        placed: list[tuple[int, int] | None] = [None] * j
        while j > 0 or c > 0:
            kind = self.kind[j, c]
            if kind == _SKIP:
                c -= 1
            elif kind == _MISSING:
                j -= 1
            else:
                placed[j - 1] = (int(self.start[j, c]), c - 1)
                j, c = j - 1, int(self.start[j, c])
        return placed


def solve(e: _Evidence, slots: list[PlannedSlot], ban: tuple[int, int] | None = None
          ) -> tuple[list[tuple[int, int] | None], float]:
    """The cheapest way to lay the slots over the stretches: per slot, its first and last
    stretch or None when it is missing, and the cost. ``ban`` (slot, stretch) forbids that slot
    to start there: the next best way tells how sure the best one is."""
    n_slots, n_units = len(slots), len(e.units)
    t = _Table.empty(n_slots, n_units)
    for j in range(n_slots + 1):
        for c in range(n_units + 1):
            cost = float(t.cost[j, c])
            if cost == np.inf:
                continue
            delay = float(t.delay[j, c])
            before = None if math.isnan(delay) else delay
            if c < n_units:
                t.relax(j, c + 1, cost + _skip_cost(e, c), delay, _SKIP, c)
            if j == n_slots:
                continue
            t.relax(j + 1, c, cost + MISSING, delay, _MISSING, c)
            slot = slots[j]
            if c == n_units or (j, c) == ban \
                    or not -WINDOW_EARLY <= e.units[c].start - slot.offset <= WINDOW_LATE:
                continue
            costs, placed_delay = run_costs(e, slot, j, c, _last_end(e, slot, c), before)
            t.relax_runs(j + 1, c, cost + costs, placed_delay)
    return t.trace(), float(t.cost[n_slots, n_units])


def confidence(e: _Evidence, slots: list[PlannedSlot], j: int, run: tuple[int, int],
               delay_before: float | None, margin: float) -> tuple[float, list[str]]:
    """How sure the cut is (0..1), and the evidence for it in words staff can check.
    ``margin``: how much worse the best way is that starts this slot elsewhere."""
    a, b = run
    reasons = [f"Pause davor {e.before[a]:.1f} s", f"Pause danach {e.after[b]:.1f} s"]
    if e.speaker[a]:
        reasons.append("Sprecherwechsel")
    if e.titles[j][a]:
        reasons.append("Titelfolie")
    start = min(1.0, start_strength(e, j, a))
    after_change = b + 1 < len(e.units) and e.speaker[b + 1]
    end = min(1.0, ev.pause_score(e.after[b]) + 0.5 * after_change)
    score = min(start, end)
    delay = e.units[a].start - slots[j].offset
    if delay_before is not None and abs(delay - delay_before) > 600:
        score *= 0.5
        reasons.append(f"Verzug springt um {abs(delay - delay_before) / 60:.0f} min")
    ratio = (e.units[b].end - e.units[a].start) / max(slots[j].duration, 1.0)
    if not 0.25 <= ratio <= 1.5:
        score *= 0.4
        reasons.append(f"{ratio:.0%} der geplanten Dauer")
    if margin < CLEAR_MARGIN:
        score *= 0.4
        reasons.append("ein anderer Beginn passt fast so gut")
    return round(score, 3), reasons


def cut_points(e: _Evidence, run: tuple[int, int], slides: list[Slide], title: str,
               duration: float) -> tuple[float, float]:
    """In and out points in the pauses around the talk's first and last word: up to PAD seconds
    and at most half of each pause; a title slide shown just before the first word is kept."""
    a, b = run
    first, last = e.units[a].start, e.units[b].end
    start = max(0.0, first - min(PAD, e.before[a] / 2))
    end = min(duration, last + min(PAD, e.after[b] / 2))
    earliest = e.units[a - 1].end + 0.2 if a else 0.0
    for slide in slides:
        if earliest <= slide.start < start and first - slide.start <= 10.0 \
                and ev.title_match(title, slide.text) >= 0.5:
            start = slide.start
    return round(start, 3), round(end, 3)


MARGIN_SLOTS = 2  # slots on either side that the next best placement may rearrange


def margin(segments: list[Segment], slides: list[Slide], slots: list[PlannedSlot],
           duration: float, e: _Evidence, runs: list[tuple[int, int] | None], j: int) -> float:
    """How much worse the best way is that starts slot ``j`` elsewhere: solved again with that
    start forbidden, over slot ``j``'s neighbourhood only (the talks placed around it stay), so a
    long day costs time in proportion to its slots (6 h: 911 s over the whole day before)."""
    lo, hi = max(0, j - MARGIN_SLOTS), min(len(slots), j + MARGIN_SLOTS + 1)
    left = [r for r in runs[:lo] if r is not None]
    right = [r for r in runs[hi:] if r is not None]
    t0 = e.units[left[-1][1]].end if left else -1.0
    t1 = e.units[right[0][0]].start if right else duration + 1.0
    inside = [s for s in segments if s.start > t0 and s.end < t1]
    sub = gather(inside, slides, slots[lo:hi], duration)
    run = runs[j]
    assert run is not None
    first = e.units[run[0]].start
    at = next((k for k, u in enumerate(sub.units) if abs(u.start - first) < 1e-6), None)
    if at is None:
        return 0.0
    best = solve(sub, slots[lo:hi])[1]
    return solve(sub, slots[lo:hi], ban=(j - lo, at))[1] - best


def place(segments: list[Segment], slides: list[Slide], slots: list[PlannedSlot],
          duration: float) -> list[Placement]:
    """Each slot's cut (or that it is missing), in programme order."""
    slots = sorted(slots, key=lambda s: s.offset)
    e = gather(segments, slides, slots, duration)
    runs: list[tuple[int, int] | None] = solve(e, slots)[0] if e.units else [None] * len(slots)
    out: list[Placement] = []
    delay_before: float | None = None
    for j, run in enumerate(runs):
        if run is None:
            out.append(Placement(slots[j].guid, Placed.MISSING))
            continue
        clear = margin(segments, slides, slots, duration, e, runs, j)
        score, reasons = confidence(e, slots, j, run, delay_before, clear)
        delay_before = e.units[run[0]].start - slots[j].offset
        start, end = cut_points(e, run, slides, slots[j].title, duration)
        status = Placed.CUT if score >= REVIEW_BELOW else Placed.NEEDS_REVIEW
        out.append(Placement(slots[j].guid, status, start, end, score, reasons))
    return out
