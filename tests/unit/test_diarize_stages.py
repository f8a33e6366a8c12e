"""The diarizer's stages without a model: the window budget, units, clustering, turns."""

from __future__ import annotations

import numpy as np

from ingest import clustering, diarize
from ingest.diarize import Unit


def test_short_recordings_are_embedded_densely_and_long_ones_within_the_budget() -> None:
    short = [(float(i * 5), i * 5 + 4.0) for i in range(20)]  # 80 s of speech
    assert diarize.plan_units(short) == diarize.LADDER[0]
    hour = [(float(i * 4), i * 4 + 3.4) for i in range(900)]  # 60 min, 51 min of speech
    gap, spacing = diarize.plan_units(hour)
    count = diarize.window_count(diarize.joined(hour, gap), spacing)
    assert (gap, spacing) != diarize.LADDER[0]
    assert count <= max(diarize.WINDOW_BUDGET, 3060 / diarize.SECONDS_PER_WINDOW)
    day = [(float(i * 4), i * 4 + 3.4) for i in range(20_000)]  # far beyond the ladder
    gap, spacing = diarize.plan_units(day)
    assert diarize.window_count(diarize.joined(day, gap), spacing) <= clustering.MAX_DENSE


def test_units_cover_their_region_and_no_two_share_a_window() -> None:
    units = diarize.units_of([(0.0, 1.2), (2.0, 9.0)], 0.6)
    assert units[0] == Unit(0.0, 1.2, 0.0, 1.2)  # shorter than a window: one unit, all of it
    rest = units[1:]
    assert rest[0].start == 2.0 and abs(rest[-1].end - 9.0) < 1e-9
    windows = {(round(u.window_start, 3), round(u.window_end, 3)) for u in rest}
    assert len(windows) == len(rest)
    assert all(u.window_start >= 2.0 and u.window_end <= 9.0 + 1e-9 for u in rest)
    assert all(abs(u.window_end - u.window_start - diarize.WINDOW_SECONDS) < 1e-9 for u in rest)


def test_joined_regions_and_turns() -> None:
    assert diarize.joined([(0, 1), (1.2, 2), (3, 4)], 0.3) == [(0, 2), (3, 4)]
    units = [Unit(0, 2, 0, 1.5), Unit(2.5, 4, 2.5, 4), Unit(9, 10, 9, 10), Unit(10, 11, 10, 11)]
    turns = diarize.turns_of(units, ["A", "A", "A", "B"])
    assert [(t.start, t.end, t.speaker) for t in turns] == [(0, 4, "A"), (9, 10, "A"), (10, 11, "B")]


def _voices(count: int, per: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(count, 192))
    truth = np.repeat(np.arange(count), per)
    return centres[truth] + rng.normal(scale=0.35, size=(count * per, 192)), truth


def test_clustering_finds_the_voices_and_merges_alike_ones() -> None:
    x, truth = _voices(3, 40)
    labels = clustering.cluster(x, 0.82)
    assert len(set(labels)) == 3
    for voice in range(3):  # each true voice is one cluster
        assert len(set(labels[truth == voice])) == 1
    one, _ = _voices(1, 50)
    assert set(clustering.cluster(one, 0.82)) == {0}
    assert set(clustering.cluster(x[:5], 0.82)) == {0}  # too few windows: one speaker


def test_clusters_of_fewer_than_four_windows_join_their_nearest() -> None:
    x, truth = _voices(2, 30, seed=1)
    stray = x[:2] + 0.05
    labels = clustering.cluster(np.vstack([x, stray]), 0.82)
    assert len(set(labels)) == 2
    assert labels[-1] == labels[0] and labels[-2] == labels[0]


def test_turn_index_agrees_with_scanning_every_turn() -> None:
    rng = np.random.default_rng(3)
    edges = np.cumsum(rng.uniform(0.2, 6.0, size=400))
    turns = [diarize.Turn(float(a), float(a + (b - a) * rng.uniform(0.5, 1.0)), f"S{i % 3}")
             for i, (a, b) in enumerate(zip(edges[:-1], edges[1:], strict=True))]
    index = diarize._TurnIndex(turns)
    assert index.sorted
    for start in rng.uniform(-2, float(edges[-1]) + 2, size=2000):
        end = float(start) + float(rng.uniform(0.05, 1.0))
        assert index.speaker(float(start), end) == diarize.speaker_at(turns, float(start), end)
    overlapping = [diarize.Turn(0, 10, "A"), diarize.Turn(2, 3, "B")]
    assert not diarize._TurnIndex(overlapping).sorted
    assert diarize._TurnIndex(overlapping).speaker(2.1, 2.9) == "A"


def test_a_unit_without_a_finite_embedding_takes_its_neighbours_speaker() -> None:
    x, truth = _voices(2, 30, seed=2)
    x[0] = np.nan
    x[31] = np.inf
    labels = diarize.speakers_of(x)
    assert len(set(labels)) == 2
    assert labels[0] == labels[1] and labels[31] == labels[30]
    assert (diarize.speakers_of(np.full((3, 192), np.nan)) == -1).all()
