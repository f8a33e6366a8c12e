"""Staff routes: uploads, jobs, metadata and publishing, corrections, deletion."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ingest import auth as auth_mod
from ingest import index, jobs, media, pipeline, talks
from ingest.errors import InputError, SearchUnavailable

from . import schemas
from .auth import require_staff
from .routes import talk_json
from .uploads import receive

router = APIRouter()
Staff = Annotated[auth_mod.Staff, Depends(require_staff)]
STAFF_ERRORS: dict[int | str, dict[str, Any]] = {
    **schemas.ERRORS,
    401: {"model": schemas.ErrorResponse, "description": "No or wrong staff token"},
    403: {"model": schemas.ErrorResponse, "description": "Missing CSRF token (cookie sign-in)"},
}


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


class Accepted(BaseModel):
    talk_id: str | None
    job: Job


class TalkUpdate(BaseModel):
    model_config = {"extra": "forbid"}

    title: str | None = Field(None, max_length=2000)
    event: str | None = Field(None, max_length=2000)
    date: str | None = Field(None, max_length=10)
    speakers: list[str] | None = Field(None, max_length=50)
    town: str | None = Field(None, max_length=2000)
    language: str | None = Field(None, max_length=3)
    description: str | None = Field(None, max_length=2000)
    published: bool | None = None


class Correction(BaseModel):
    text: str = Field(max_length=5000)


def index_now(request: Request) -> bool:
    """Apply the outbox now; False when Meilisearch is down (the outbox keeps the change)."""
    state = request.app.state
    try:
        index.drain_outbox(state.settings, state.meili, state.catalog)
    except SearchUnavailable:
        return False
    return True


def _meta(fields: dict[str, list[str]]) -> pipeline.TalkMeta:
    def one(name: str) -> str | None:
        values = fields.get(name) or [""]
        return values[0].strip() or None

    speakers = [s.strip() for v in fields.get("speakers", []) + fields.get("speaker", [])
                for s in v.split(",") if s.strip()]
    glossary = [g.strip() for v in fields.get("glossary", []) for g in v.replace("\n", ",").split(",")
                if g.strip()]
    published = (one("published") or "true").lower() not in ("false", "0", "no", "off")
    meta = pipeline.TalkMeta(title=one("title"), event=one("event"), date=one("date"),
                             speakers=speakers, town=one("town"), language=one("language"),
                             description=one("description"), glossary=glossary,
                             published=published)
    meta.validate()
    return meta


@router.post("/api/talks", status_code=202, response_model=Accepted, responses={
    **STAFF_ERRORS, 413: {"model": schemas.ErrorResponse, "description": "Too large"},
    415: {"model": schemas.ErrorResponse, "description": "Not multipart/form-data"},
    422: {"model": schemas.ErrorResponse, "description": "Not usable media"}},
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"], "properties": {
            "file": {"type": "string", "format": "binary"},
            **{k: {"type": "string"} for k in ("title", "event", "date", "speakers", "town",
                                               "language", "description", "glossary",
                                               "published")}}}}}}})
async def upload(request: Request, who: Staff) -> dict[str, Any]:
    """Upload a recording (multipart: ``file`` plus metadata); it is queued for transcription."""
    state = request.app.state
    settings = state.settings
    up = await receive(request, settings.data_dir / "uploads", settings.max_upload_mb * 1_000_000)
    assert up.path is not None and up.file_name is not None
    try:
        meta = _meta(up.fields)
        probe = await run_in_threadpool(media.probe, up.path)
        await run_in_threadpool(media.check_decodable, probe)
    except InputError as exc:
        up.path.unlink(missing_ok=True)
        exc.message = exc.message.replace(str(up.path), up.file_name).replace(
            up.path.name, up.file_name)
        raise
    job = await run_in_threadpool(jobs.submit, state.catalog, state.queue, up.path, up.file_name,
                                  meta, pipeline.talk_id_for(up.sha256))
    return {"talk_id": job.talk_id, "job": job.public_dict()}


@router.get("/api/jobs", response_model=list[Job], responses=STAFF_ERRORS)
def list_jobs(request: Request, who: Staff) -> list[dict[str, Any]]:
    """The latest jobs, newest first."""
    return [j.public_dict() for j in jobs.recent(request.app.state.catalog)]


@router.get("/api/jobs/{job_id}", response_model=Job, responses=STAFF_ERRORS)
def get_job(request: Request, job_id: str, who: Staff) -> dict[str, Any]:
    """One job with its state, stage, progress (0..1) and error."""
    return jobs.get(request.app.state.catalog, job_id).public_dict()


@router.post("/api/jobs/{job_id}/retry", response_model=Job, responses=STAFF_ERRORS)
def retry_job(request: Request, job_id: str, who: Staff) -> dict[str, Any]:
    """Queue a failed job again."""
    state = request.app.state
    return jobs.retry(state.catalog, state.queue, job_id).public_dict()


@router.patch("/api/talks/{talk_id}", response_model=schemas.Talk, responses=STAFF_ERRORS)
def update_talk(request: Request, talk_id: str, body: TalkUpdate, who: Staff,
                background: BackgroundTasks) -> dict[str, Any]:
    """Change metadata or publish/unpublish; the index follows within seconds."""
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise InputError("nothing to change")
    talk = talks.update(request.app.state.catalog, talk_id, changes)
    index_now(request)
    return talk_json(talk)


@router.patch("/api/talks/{talk_id}/segments/{n}", responses=STAFF_ERRORS)
def correct(request: Request, talk_id: str, n: int, body: Correction, who: Staff) -> dict[str, Any]:
    """Correct a segment's text; word timings survive where the words still match, the change
    is kept in the transcript's history, and the index follows."""
    state = request.app.state
    seg = talks.correct_segment(state.settings, state.catalog, talk_id, n, body.text, who.name)
    indexed = index_now(request)
    return {"segment": n, "start": seg.start, "end": seg.end, "text": seg.text,
            "words": [{"start": w.start, "end": w.end, "word": w.word} for w in seg.words],
            "indexed": indexed}


@router.delete("/api/talks/{talk_id}", responses=STAFF_ERRORS)
def delete_talk(request: Request, talk_id: str, who: Staff) -> dict[str, Any]:
    """Delete a talk: media, transcript, catalog row and index documents (GDPR)."""
    state = request.app.state
    removed = talks.delete(state.settings, state.catalog, talk_id)
    indexed = index_now(request)
    return {"deleted": talk_id, "files_removed": len(removed), "indexed": indexed,
            "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
