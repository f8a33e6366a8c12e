"""Load: 50 concurrent searchers for 60 s against a served archive while one upload is
transcribed, for ``serve`` (one API process) and ``serve --workers N`` (N API processes sharing
the port and one job worker).

A synthetic archive of 300 talks (60,000 sentences) is indexed once in a managed Meilisearch;
each run starts ``talkarchive serve`` on it, uploads one recording through the API (a shared
talk, or a rendered demo talk without ../shared) and runs the searchers (httpx, asyncio; each
one searches a word of the talks, waits for the answer, and searches again). Reported per run:
requests, errors (must be 0: any status but 200, or a transport error after one retry of a
GET that met a kept-alive connection just closed by the server, counted as ``retried_once``), p50 and p95 of the
search answers, and whether the upload became a ready talk. The runs are in the same process,
one after the other; the last line gives the ratio of N processes to one.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 50] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import WORDS, synthetic  # noqa: E402

from archive import catalog as cat  # noqa: E402
from archive.settings import Settings  # noqa: E402

CLI = Path(sys.executable).parent / "talkarchive"
SHARED = ROOT.parent / "shared" / "data" / "talks_de"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def recording(tmp: Path, n: int) -> Path:
    """The n-th shared talk (or demo talk): each run transcribes a recording of its own (the
    same file twice would be found in the archive and not transcribed again)."""
    found = sorted(SHARED.glob("*.mp4")) if SHARED.is_dir() else []
    if len(found) > n:
        return found[n]
    from ingest import demo

    return demo.render_demo(demo.DEMO_TALKS[n], tmp / "demo")[0]


async def search(client: httpx.AsyncClient, url: str, word: str,
                 retried: list[str]) -> httpx.Response:
    """One search; a GET that met a kept-alive connection the server had just closed is sent
    again once, as browsers do (RFC 9110, 9.2.2: idempotent requests may be retried)."""
    try:
        return await client.get(url, params={"q": word})
    except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
        retried.append(type(exc).__name__)
        return await client.get(url, params={"q": word})


async def searcher(client: httpx.AsyncClient, url: str, until: float,
                   times: list[float], errors: list[str], retried: list[str]) -> None:
    words = [w for w in WORDS if len(w) > 3]
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            r = await search(client, url, random.choice(words), retried)
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text[:80]}")
        except httpx.HTTPError as exc:
            errors.append(f"{type(exc).__name__} {exc!r}"[:120])
        times.append(time.perf_counter() - started)


async def load(base: str, clients: int, seconds: float
               ) -> tuple[list[float], list[str], list[str]]:
    times: list[float] = []
    errors: list[str] = []
    retried: list[str] = []
    until = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(searcher(client, f"{base}/api/search", until, times, errors,
                                        retried) for _ in range(clients)))
    return times, errors, retried


def run(env: dict[str, str], workers: int, upload: Path, args: argparse.Namespace,
        token: str) -> dict[str, object]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    serve = subprocess.Popen([str(CLI), "serve", "--port", str(port), "--workers", str(workers)],
                             env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if serve.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("serve did not start")
            time.sleep(0.2)
        with upload.open("rb") as f:
            job = httpx.post(f"{base}/api/talks", files={"file": (upload.name, f)},
                             headers={"Authorization": f"Bearer {token}"}, timeout=120).json()
        times, errors, retried = asyncio.run(load(base, args.clients, args.seconds))
        print(f"{workers} API process(es): {len(times)} searches, {len(errors)} errors",
              file=sys.stderr)
        state = httpx.get(f"{base}/api/jobs/{job['job']['id']}", timeout=10,
                          headers={"Authorization": f"Bearer {token}"}).json()
    finally:
        serve.terminate()
        serve.wait(60)
    ms = sorted(t * 1000 for t in times)
    return {"api_processes": workers, "upload": upload.name, "requests": len(ms),
            "errors": len(errors), "retried_once": len(retried),
            "error_kinds": sorted(set(errors))[:5],
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
            "requests_per_s": round(len(ms) / args.seconds, 1),
            "upload_job": f"{state['state']} ({state['stage']}, {state['progress']:.0%})"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--talks", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("TALKARCHIVE_")},
               "TALKARCHIVE_DATA_DIR": str(data),
               "TALKARCHIVE_MEILI_URL": f"http://127.0.0.1:{free_port()}"}
        if "TALKARCHIVE_CACHE_DIR" in os.environ:
            env["TALKARCHIVE_CACHE_DIR"] = os.environ["TALKARCHIVE_CACHE_DIR"]
        settings = Settings(data_dir=data)
        catalog = cat.Catalog(settings)
        synthetic(settings, catalog, args.talks)
        catalog.dispose()
        token = subprocess.run([str(CLI), "token", "create", "--name", "load"], env=env,
                               capture_output=True, text=True, check=True).stdout.split()[-1]
        runs = [run(env, 1, recording(Path(tmp), 0), args, token),
                run(env, args.workers, recording(Path(tmp), 1), args, token)]
    one, many = runs
    print(json.dumps({"clients": args.clients, "seconds": args.seconds, "talks": args.talks,
                      "runs": runs,
                      f"p95_{args.workers}_over_1": round(float(many["p95_ms"])  # type: ignore[arg-type]
                                                         / float(one["p95_ms"]), 2),  # type: ignore[arg-type]
                      "targets": {"errors": 0}}, indent=1))


if __name__ == "__main__":
    main()
