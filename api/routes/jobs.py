"""Staff: ingest jobs with their state, stage and progress; retrying or deleting a failed one."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from archive import jobs

from .. import schemas
from ..deps import CatalogDep, QueueDep, SettingsDep, Staff

router = APIRouter()


class Job(BaseModel):
    id: str
    talk_id: str | None
    state: str = Field(description="queued | running | ready | failed")
    stage: str
    progress: float
    error: str | None
    file_name: str
    attempts: int
    created_at: str


@router.get("/api/jobs", response_model=list[Job], responses=schemas.STAFF_ERRORS)
def list_jobs(catalog: CatalogDep, who: Staff) -> list[dict[str, Any]]:
    """The latest jobs, newest first."""
    return [j.public_dict() for j in jobs.recent(catalog)]


@router.get("/api/jobs/{job_id}", response_model=Job, responses=schemas.STAFF_ERRORS)
def get_job(catalog: CatalogDep, job_id: str, who: Staff) -> dict[str, Any]:
    """One job with its state, stage, progress (0..1) and error."""
    return jobs.get(catalog, job_id).public_dict()


@router.delete("/api/jobs/{job_id}", response_model=Job, responses=schemas.STAFF_ERRORS)
def delete_job(settings: SettingsDep, catalog: CatalogDep, job_id: str,
               who: Staff) -> dict[str, Any]:
    """Delete a failed job whose talk was never made: its row (with the details it carried),
    its upload and its work files. 409 for a queued or running job, or one of a stored talk."""
    return jobs.delete_failed(settings, catalog, job_id).public_dict()


@router.post("/api/jobs/{job_id}/retry", response_model=Job, responses=schemas.STAFF_ERRORS)
def retry_job(catalog: CatalogDep, queue: QueueDep, job_id: str, who: Staff) -> dict[str, Any]:
    """Queue a failed job again."""
    return jobs.retry(catalog, queue, job_id).public_dict()
