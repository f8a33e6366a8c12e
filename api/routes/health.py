"""``GET /api/health``: each part (catalog, search engine, job queue) and the whole.

200 with ``{"status": "ok", "catalog": "ok", "search": "ok", "queue": "ok"}`` when all answer.
Otherwise 503 in the error shape (the first part that is down names the code, with its
Retry-After), with the same per-part fields beside ``error``, ``status`` ``degraded``: a load
balancer sees the status code, a person the parts."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from archive.errors import QueueUnavailable, SearchUnavailable, TalkarchiveError

from .. import schemas
from ..deps import CatalogDep, QueueDep, SearchDep

router = APIRouter()


def _catalog_ok(catalog: Any) -> bool:
    try:
        catalog.talks([])
    except Exception:  # noqa: BLE001 - any failure means it does not answer
        return False
    return True


@router.get("/api/health", response_model=schemas.Health, responses=schemas.ERRORS)
async def health(catalog: CatalogDep, search: SearchDep, queue: QueueDep) -> JSONResponse:
    """Whether the catalog, Meilisearch and the job queue answer."""
    parts = {"catalog": await run_in_threadpool(_catalog_ok, catalog),
             "search": await run_in_threadpool(search.healthy),
             "queue": await run_in_threadpool(queue.healthy)}
    body: dict[str, Any] = {"status": "ok" if all(parts.values()) else "degraded",
                            **{k: "ok" if up else "down" for k, up in parts.items()}}
    if body["status"] == "ok":
        return JSONResponse(body)
    errors: dict[str, TalkarchiveError] = {
        "catalog": TalkarchiveError("the catalog does not answer", code="catalog_unavailable"),
        "search": SearchUnavailable("the search engine does not answer"),
        "queue": QueueUnavailable("the job queue does not answer"),
    }
    first = next(errors[k] for k, up in parts.items() if not up)
    return JSONResponse({**first.to_dict(), **body}, status_code=503, headers=first.headers)
