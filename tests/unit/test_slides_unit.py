"""Slide detection on keyframes made here (numpy), and slides in the transcript, the index
and the JSON export. The real ffmpeg and Tesseract run in tests/e2e/test_slides.py."""

from __future__ import annotations

import json

import numpy as np

from archive import catalog as cat
from archive import formats
from archive import transcript as tr
from archive.search.documents import segment_documents, talk_document
from ingest.slides import Frames, SlideOptions, changed, find_slides, flat

OPTIONS = SlideOptions()


def page(lines: int, shade: int = 255) -> np.ndarray:
    """A slide: a plain page with ``lines`` dark text lines."""
    frame = np.full((OPTIONS.height, OPTIONS.width), shade, dtype=np.uint8)
    for i in range(lines):
        frame[10 + 12 * i: 13 + 12 * i, 10:120] = 20
    return frame


def camera(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (OPTIONS.height, OPTIONS.width),
                                                dtype=np.uint8)


def frames(pictures: list[np.ndarray], times: list[float]) -> Frames:
    return Frames(np.stack(pictures), times, [int(t * 1000) for t in times])


def test_a_new_line_of_text_is_a_change_and_compression_noise_is_not() -> None:
    assert changed(page(2), page(3), OPTIONS)
    noisy = (page(2).astype(np.int16) + np.random.default_rng(1).integers(-10, 11, page(2).shape))
    assert not changed(page(2), noisy.clip(0, 255).astype(np.uint8), OPTIONS)


def test_slides_are_plain_pages_and_camera_pictures_are_not() -> None:
    assert flat(page(4), OPTIONS) and flat(page(4, shade=30), OPTIONS)
    assert not flat(camera(0), OPTIONS)


def test_scenes_become_slides_from_their_first_keyframe() -> None:
    found = find_slides(frames([page(1), page(1), page(2), page(2), page(3)],
                               [0.0, 10.0, 20.0, 30.0, 40.0]), 45.0, OPTIONS)
    assert [(f.start, f.end) for f in found] == [(0.0, 20.0), (20.0, 40.0), (40.0, 45.0)]
    assert [f.key_pts for f in found] == [10000, 30000, 40000]  # the settled picture is read


def test_a_video_without_slides_finds_none() -> None:
    times = [float(t) for t in range(0, 600, 10)]
    assert find_slides(frames([camera(i) for i in range(len(times))], times), 600.0, OPTIONS) == []


def test_a_slide_shown_too_briefly_is_left_out() -> None:
    found = find_slides(frames([page(1), page(2), page(3)], [0.0, 10.0, 11.0]), 30.0, OPTIONS)
    assert [f.start for f in found] == [0.0, 11.0]


def test_a_still_camera_picture_spanning_keyframes_is_a_candidate() -> None:
    """Still for two keyframes: read by OCR, which drops it when it finds no words."""
    still = camera(3)
    found = find_slides(frames([still, still], [0.0, 5.0]), 10.0, OPTIONS)
    assert [f.start for f in found] == [0.0]


def _talk(transcript: tr.Transcript) -> cat.Talk:
    return cat.Talk(id=transcript.talk_id, content_hash="0" * 64, title="Folien",
                    speakers=[], language="de", duration=transcript.duration,
                    status="ready", published=True, original_name="f.mp4", original_path="x",
                    media_path="x", has_video=True, segment_count=1, licence="CC-BY-4.0")


def sample() -> tr.Transcript:
    words = [tr.Word(0.5, 0.9, "Guten"), tr.Word(1.0, 1.4, "Tag.")]
    return tr.Transcript("t1", "de", 30.0, [tr.Segment(0.5, 1.4, "Guten Tag.", words)],
                         tr.Provenance("e", "m", None, "cpu", "int8", {}, slides={"ocr": "x"}),
                         slides=[tr.Slide(12.0, 30.0, "Lastenradverleih\nim Quartier", "000.jpg")])


def test_slides_survive_the_transcript_file_and_the_json_export(tmp_path) -> None:  # type: ignore[no-untyped-def]
    transcript = sample()
    tr.save(transcript, tmp_path / "t.json")
    again = tr.load(tmp_path / "t.json")
    assert again.slides == transcript.slides and again.provenance.slides == {"ocr": "x"}
    export = formats.to_json(transcript, {"id": "t1"})
    assert json.loads(export)["slides"] == [
        {"start": 12.0, "end": 30.0, "text": "Lastenradverleih\nim Quartier"}]
    assert formats.from_json_export(export).slides[0].text == "Lastenradverleih\nim Quartier"


def test_slide_text_is_indexed_after_the_sentences_from_its_second() -> None:
    transcript = sample()
    docs = list(segment_documents(transcript, _talk(transcript)))
    assert [d["id"] for d in docs] == ["t1-00000", "t1-00001"]
    slide = docs[1]
    assert slide["idx"] == 1 and slide["slide"] is True and slide["start"] == 12.0
    assert slide["text"] == "Lastenradverleih im Quartier" and slide["word_starts"] == []
    assert "slide" not in docs[0]
    assert "Lastenradverleih im Quartier" in talk_document(_talk(transcript), docs)["text"]["p0"]
