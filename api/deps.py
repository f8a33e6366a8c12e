"""Dependencies of the routes, as ``Annotated`` types: who is asking (a staff member by Bearer
token or signed-in session cookie, or the public) and the archive's parts (settings, catalog,
search client, queue). Tests replace any of them with ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from archive import catalog as cat
from archive import tokens
from archive.errors import Unauthorized
from archive.queue import Queue
from archive.search.client import SearchClient
from archive.settings import Settings

COOKIE = "ta_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_catalog(request: Request) -> cat.Catalog:
    catalog: cat.Catalog = request.app.state.catalog
    return catalog


async def get_search(request: Request) -> SearchClient:
    client: SearchClient = request.app.state.search
    return client


async def get_queue(request: Request) -> Queue:
    queue: Queue = request.app.state.queue
    return queue


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[cat.Catalog, Depends(get_catalog)]
SearchDep = Annotated[SearchClient, Depends(get_search)]
QueueDep = Annotated[Queue, Depends(get_queue)]


def staff(request: Request) -> tokens.Staff | None:
    """The staff member behind this request, or None for the public. A wrong token is a 401."""
    catalog: cat.Catalog = request.app.state.catalog
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        who = tokens.verify_token(catalog, token.strip()) if scheme.lower() == "bearer" else None
        if who is None:
            raise Unauthorized("the staff token is wrong or revoked")
        return who
    sid = request.cookies.get(COOKIE)
    if sid:
        who = tokens.verify_session(catalog, sid, request.app.state.settings.session_idle())
        if who is not None and request.method in UNSAFE:
            tokens.check_csrf(who, request.headers.get("x-csrf-token"))
        return who
    return None


# Declares the Bearer scheme in the OpenAPI schema (Swagger UI's "Authorize"); `staff` checks it.
BEARER = HTTPBearer(auto_error=False, description="A staff token from `talkarchive token create`.")


async def current_staff(request: Request) -> tokens.Staff | None:
    """:func:`staff` as a dependency. The public (no header, no cookie) costs no catalog look-up
    and no thread hop: FastAPI runs a sync dependency in the thread pool, which measured
    ~0.7 ms of the search API's added latency at a million segments (README, Performance)."""
    if not request.headers.get("authorization") and not request.cookies.get(COOKIE):
        return None
    return await run_in_threadpool(staff, request)


async def require_staff(request: Request,
                        _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None
                        ) -> tokens.Staff:
    who = await current_staff(request)
    if who is None:
        raise Unauthorized()
    return who


Staff = Annotated[tokens.Staff, Depends(require_staff)]
MaybeStaff = Annotated[tokens.Staff | None, Depends(current_staff)]
