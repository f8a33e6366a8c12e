"""Web benchmark with Playwright and the Debian Chromium against a real `talkarchive serve`
with the shared talks: time from the last keystroke to results painted (debounce included),
time from clicking a hit to the video playing at the right second, and the bytes of
HTML+JS+CSS per page (video and poster excluded).

    .venv/bin/python bench/web.py [--rounds 40]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright

TALKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "talks_de"
CLI = Path(sys.executable).parent / "talkarchive"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--autoplay-policy=no-user-gesture-required"]
WORDS = ["Telefon", "Fahrt", "Bürgerbus", "Klassenzimmer", "Daten", "Arnsberg", "Herbst",
         "gemeinsam", "Projekt", "Sauerland"]


def pct(samples: list[float]) -> dict[str, float]:
    q = statistics.quantiles(samples, n=20, method="inclusive")
    return {"p50": round(statistics.median(samples), 1), "p95": round(q[18], 1),
            "max": round(max(samples), 1)}


def page_bytes(page, url: str) -> int:  # type: ignore[no-untyped-def]
    sizes: dict[str, int] = {}

    def on_response(response) -> None:  # type: ignore[no-untyped-def]
        kind = response.request.resource_type
        if kind in ("document", "script", "stylesheet"):
            try:
                sizes[response.url] = len(response.body())
            except Exception:  # noqa: BLE001 - a response without a body counts 0
                sizes[response.url] = 0

    page.on("response", on_response)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", on_response)
    return sum(sizes.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=40)
    args = parser.parse_args()
    if not TALKS.exists():
        sys.exit(f"{TALKS} is missing: the benchmark needs ../shared/data")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TALKARCHIVE_DATA_DIR": tmp,
               "TALKARCHIVE_MEILI_URL": "http://127.0.0.1:7941"}
        subprocess.run([str(CLI), "ingest", "-q", *map(str, sorted(TALKS.glob("*.mp4")))],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        proc = subprocess.Popen([str(CLI), "serve", "--port", "7943"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = "http://127.0.0.1:7943"
        try:
            for _ in range(100):
                try:
                    if httpx.get(base + "/api/health").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            report: dict[str, object] = {}
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
                page = browser.new_page()
                paint: list[float] = []
                play: list[float] = []
                for i in range(args.rounds):
                    word = WORDS[i % len(WORDS)]
                    page.goto(base + "/")
                    page.type("#q", word[:-1], delay=30)
                    page.wait_for_timeout(400)
                    t0 = time.perf_counter()
                    page.keyboard.type(word[-1])
                    page.wait_for_function(
                        "q => { const r = document.getElementById('results');"
                        " return r.dataset.query === q && r.getAttribute('aria-busy') === 'false'; }",
                        arg=word, polling="raf")
                    page.evaluate("new Promise(r => requestAnimationFrame(() => r()))")
                    paint.append((time.perf_counter() - t0) * 1000)
                    hit = page.locator("a.hit").first
                    if hit.count() == 0:
                        continue
                    at = float(hit.get_attribute("data-at"))
                    t0 = time.perf_counter()
                    hit.click()
                    page.wait_for_function(
                        "at => { const v = document.getElementById('player');"
                        " return v && !v.paused && v.readyState >= 3 && Math.abs(v.currentTime - at) < 1.5; }",
                        arg=at, polling="raf")
                    play.append((time.perf_counter() - t0) * 1000)
                report["keystroke_to_results_ms"] = pct(paint)
                report["click_to_playing_ms"] = pct(play)
                talk = httpx.get(base + "/api/talks").json()["talks"][0]["id"]
                report["page_bytes"] = {
                    "search": page_bytes(page, base + "/"),
                    "results": page_bytes(page, base + "/?q=Telefon"),
                    "talk": page_bytes(page, f"{base}/talks/{talk}"),
                }
                browser.close()
            print(json.dumps(report, indent=1))
        finally:
            proc.terminate()
            proc.wait(10)


if __name__ == "__main__":
    main()
