"""Queue messages are JSON: a job id goes through, a pickle never runs."""

from __future__ import annotations

import datetime as dt
import json
import os
import pickle
from pathlib import Path

import pytest

from archive.queue import Queue
from archive.queue_messages import JsonSerializer
from archive.settings import Settings


class Exploit:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.mkdir, (str(self.marker),))


def test_a_job_id_goes_through_as_json(tmp_path: Path) -> None:
    queue = Queue(Settings(data_dir=tmp_path), handler=lambda job_id: seen.append(job_id))
    seen: list[str] = []
    queue.enqueue("0123abcd")
    data = queue.huey.storage.dequeue()
    message = json.loads(data)  # plain JSON on the wire
    assert message["$message"]["name"] == "archive.queue.talkarchive.ingest"
    assert message["$message"]["args"] == {"$tuple": ["0123abcd"]}
    task = queue.huey.deserialize_task(data)
    queue.huey.execute(task)
    assert seen == ["0123abcd"]


def test_datetimes_tuples_and_nested_values_round_trip() -> None:
    s = JsonSerializer()
    value = (dt.datetime(2026, 11, 26, 12, 30, tzinfo=dt.UTC), False, [1, "a", None], {"k": 2.5})
    assert s.deserialize(s.serialize(value)) == value


def test_a_pickle_is_refused_and_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    with pytest.raises(ValueError, match="not JSON"):
        JsonSerializer().deserialize(pickle.dumps(Exploit(marker)))
    assert not marker.exists()
    with pytest.raises(ValueError, match="unknown tag"):
        JsonSerializer().deserialize(b'{"$pickle": "gASV"}')
    with pytest.raises(TypeError):
        JsonSerializer().serialize(Exploit(marker))
