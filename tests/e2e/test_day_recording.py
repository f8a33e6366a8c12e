"""A conference day end to end: our own day recording (room noise, applause, a break, title
slides on some talks) and its programme, which runs late and lists a talk that never happened,
cut by the real `talkarchive ingest --room`; the cut talks are ordinary talks; staff move a cut
and the talk follows without being transcribed again."""

from __future__ import annotations

import httpx
import pytest

from ..dayrecording import score_cuts
from .conftest import Day, ffprobe_json


def test_cuts_keep_each_talk_whole_or_wait_for_review(conference_day: Day) -> None:
    day = conference_day
    placed = {g: (c["start"], c["end"]) for g, c in day.cuts.items()}
    score = score_cuts(day.day, placed)
    ok = {t.guid for t in score.talks if t.ok and day.status.get(t.guid) == "cut"}
    print(day.output)
    assert len(ok) >= 0.9 * len(day.day.talks), str(score)
    assert not score.wrongly_cut
    for talk in day.day.talks:  # a cut that does not keep its talk whole is never silent
        if talk.guid not in ok:
            assert day.status.get(talk.guid) == "needs_review", (talk, score)


def test_the_slot_that_never_happened_gets_no_talk(conference_day: Day) -> None:
    assert conference_day.status[conference_day.day.never_happened] == "missing"
    assert conference_day.day.never_happened not in conference_day.talks


def test_breaks_are_not_published(conference_day: Day) -> None:
    for start, end in conference_day.day.breaks:
        if end - start < 20:
            continue  # applause between talks: a cut may take a little of it
        middle = (start + end) / 2
        assert not any(c["start"] < middle < c["end"] for c in conference_day.cuts.values())


def test_a_cut_talk_is_an_ordinary_talk(conference_day: Day) -> None:
    day = conference_day
    truth = {t.guid: t for t in day.day.talks}
    guid = next(g for g in day.talks if g in truth and day.status[g] == "cut")
    talk_id, cut = day.talks[guid], day.cuts[guid]
    talk = httpx.get(f"{day.url}/api/talks/{talk_id}").json()
    assert talk["title"] == truth[guid].title and talk["speakers"] == truth[guid].persons
    assert talk["cut"]["recording"] == cut["recording"] and talk["cut"]["source"] == "detected"
    media = day.archive.data_dir / "media"
    own = ffprobe_json(media / "cuts" / f"{talk_id}.mp4", "-show_streams")["streams"]
    sound = next(s for s in own if s["codec_type"] == "audio")  # to an AAC frame
    assert float(sound["duration"]) == pytest.approx(cut["end"] - cut["start"], abs=0.2)
    assert all(float(s["start_time"]) == 0 for s in own)  # picture and sound in step
    originals = list((media / "originals").iterdir())
    assert [p.name for p in originals] == [f"{cut['recording']}.mp4"]  # the day, kept once
    vtt = httpx.get(f"{day.url}/api/talks/{talk_id}/transcript.vtt").text
    first = truth[guid].first_word.strip(".,!?").lower()
    assert first in vtt.lower()
    event = httpx.get(f"{day.url}/api/events/{day.day.event_slug}").json()
    slots = {s["guid"]: s for s in event["slots"]}
    assert slots[guid]["talk_id"] == talk_id and slots[guid]["status"] == "cut"


def test_staff_move_a_cut_and_the_talk_follows(conference_day: Day) -> None:
    day = conference_day
    token = day.archive.run("token", "create", "--name", "Anna (Soest)").stdout.split()[-1]
    auth = {"Authorization": f"Bearer {token}"}
    guid = next(g for g in reversed(list(day.talks)) if day.status[g] in ("cut", "needs_review"))
    talk_id, cut = day.talks[guid], day.cuts[guid]
    before = httpx.get(f"{day.url}/api/talks/{talk_id}/transcript.json").json()["segments"]
    later = cut["start"] + before[0]["end"] + 0.3  # the first sentence leaves the talk
    r = httpx.patch(f"{day.url}/api/talks/{talk_id}/cut", headers=auth, timeout=120,
                    json={"start": later, "end": cut["end"]})
    assert r.status_code == 200, r.text
    moved = r.json()["cut"]
    assert moved["source"] == "staff" and moved["reviewed"] is True
    after = httpx.get(f"{day.url}/api/talks/{talk_id}/transcript.json").json()["segments"]
    assert after[0]["text"] == before[1]["text"] and after[0]["start"] < before[1]["start"]
    assert moved["start"] <= later + 0.001  # a keyframe before it, or exactly there
    bad = httpx.patch(f"{day.url}/api/talks/{talk_id}/cut", headers=auth,
                      json={"start": 50.0, "end": 10.0})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_cut"
