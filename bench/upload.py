"""Upload benchmark: throughput of POST /api/talks over loopback for a large file and the
server's peak memory while it streams (target: within 100 MB of idle), and the queue overhead
per job (enqueue to start) with SQLite and with Redis.

    .venv/bin/python bench/upload.py [--mb 2048]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive import catalog as cat  # noqa: E402
from archive import jobs  # noqa: E402
from archive.details import TalkDetails  # noqa: E402
from archive.queue import Queue  # noqa: E402
from archive.settings import Settings  # noqa: E402

CLI = Path(sys.executable).parent / "talkarchive"


def make_big(path: Path, mb: int) -> None:
    """An MP4 that probes as media, padded to ``mb`` MB (the server streams it before probing)."""
    block = os.urandom(1 << 20)
    with path.open("wb") as f:
        for _ in range(mb):
            f.write(block)


def stream(path: Path, boundary: str):  # type: ignore[no-untyped-def]
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"big.mp4\"\r\nContent-Type: video/mp4\r\n\r\n").encode()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            yield chunk
    yield f"\r\n--{boundary}--\r\n".encode()


def upload_throughput(mb: int, tmp: Path) -> dict[str, float]:
    env = {**os.environ, "TALKARCHIVE_DATA_DIR": str(tmp / "a"),
           "TALKARCHIVE_MEILI_URL": "http://127.0.0.1:7961", "TALKARCHIVE_MAX_UPLOAD_MB": "100000"}
    token = subprocess.run([str(CLI), "token", "create", "--name", "bench"], env=env,
                           capture_output=True, text=True, check=True).stdout.split()[-1]
    server = subprocess.Popen([str(CLI), "serve", "--no-worker", "--port", "7963"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(150):
            try:
                if httpx.get("http://127.0.0.1:7963/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        proc = psutil.Process(server.pid)
        idle = proc.memory_info().rss
        peak = [idle]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.05):
                peak[0] = max(peak[0], proc.memory_info().rss)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        big = tmp / "big.mp4"
        make_big(big, mb)
        boundary = "talkarchivebench"
        t = time.perf_counter()
        r = httpx.post("http://127.0.0.1:7963/api/talks", content=stream(big, boundary),
                       headers={"Authorization": f"Bearer {token}",
                                "Content-Type": f"multipart/form-data; boundary={boundary}"},
                       timeout=600)
        elapsed = time.perf_counter() - t
        done.set()
        sampler.join()
        big.unlink()
        return {"mb": mb, "seconds": round(elapsed, 2), "mb_per_s": round(mb / elapsed, 1),
                "status": r.status_code, "idle_rss_mb": round(idle / 1e6),
                "peak_rss_mb": round(peak[0] / 1e6),
                "growth_mb": round((peak[0] - idle) / 1e6)}
    finally:
        server.terminate()
        server.wait(30)


def queue_overhead(settings: Settings, n: int = 20) -> dict[str, float]:
    """Enqueue to start: a worker thread runs jobs whose handler only records when it started."""
    catalog = cat.Catalog(settings)
    started: dict[str, float] = {}
    queue = Queue(settings, handler=lambda job_id: started.setdefault(job_id, time.perf_counter()))
    consumer = queue.huey.create_consumer(workers=1, periodic=False, max_delay=0.1,
                                          initial_delay=0.01, backoff=1.05)
    thread = threading.Thread(target=consumer.run, daemon=True)
    consumer._set_signal_handlers = lambda: None  # type: ignore[method-assign]
    thread.start()
    sent: dict[str, float] = {}
    for _ in range(n):
        job = jobs.submit(catalog, queue, Path("/nonexistent"), "x.mp4", TalkDetails())
        sent[job.id] = time.perf_counter()
        time.sleep(0.05)
    deadline = time.monotonic() + 30
    while len(started) < n and time.monotonic() < deadline:
        time.sleep(0.05)
    consumer.stop(graceful=False)
    waits = sorted((started[j] - sent[j]) * 1000 for j in sent if j in started)
    return {"jobs": len(waits), "p50_ms": round(waits[len(waits) // 2], 1),
            "max_ms": round(waits[-1], 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=int, default=2048)
    args = parser.parse_args()
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        report["upload"] = upload_throughput(args.mb, Path(tmp))
        report["queue_sqlite"] = queue_overhead(Settings(data_dir=Path(tmp) / "q"))
        redis = shutil.which("redis-server")
        if redis:
            proc = subprocess.Popen([redis, "--port", "7965", "--save", "", "--appendonly", "no"],
                                    stdout=subprocess.DEVNULL)
            time.sleep(0.3)
            try:
                report["queue_redis"] = queue_overhead(Settings(
                    data_dir=Path(tmp) / "r", queue_url="redis://127.0.0.1:7965/0"))
            finally:
                proc.terminate()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
