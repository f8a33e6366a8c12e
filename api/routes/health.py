"""``GET /api/health``: whether the API, the catalog and Meilisearch answer."""

from __future__ import annotations

from fastapi import APIRouter

from archive.errors import SearchUnavailable

from .. import schemas
from ..deps import CatalogDep, SearchDep

router = APIRouter()


@router.get("/api/health", response_model=schemas.Health, responses=schemas.ERRORS)
def health(catalog: CatalogDep, search: SearchDep) -> dict[str, str]:
    """200 when the API, the catalog and Meilisearch answer."""
    catalog.talks([])
    if not search.healthy():
        raise SearchUnavailable("the search engine does not answer")
    return {"status": "ok"}
