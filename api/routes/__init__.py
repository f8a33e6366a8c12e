"""HTTP routes grouped by resource: health, search, talks (details, staff edits, uploads),
speakers (names for voices), exports (transcripts, media, posters) and jobs. Each module has one ``router``."""

from __future__ import annotations

from fastapi import APIRouter

from . import exports, health, jobs, search, speakers, talks

ROUTERS: list[APIRouter] = [health.router, search.router, talks.router, speakers.router,
                            exports.router, jobs.router]
