"""HTTP routes grouped by resource: health, search, talks (details, staff edits, uploads),
speakers (names for voices), exports (transcripts, citations, media, posters), chapters, corpus, jobs,
events (conference programmes), oai (OAI-PMH) and discovery (sitemap, Atom feed, robots.txt).
Each module has one ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    chapters,
    corpus,
    cuts,
    discovery,
    events,
    exports,
    health,
    jobs,
    oai,
    search,
    speakers,
    talks,
)

ROUTERS: list[APIRouter] = [health.router, search.router, talks.router, speakers.router,
                            exports.router, chapters.router, cuts.router, corpus.router, jobs.router,
                            events.router, oai.router, discovery.router]
