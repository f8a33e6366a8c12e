"""Dependencies of the routes, as ``Annotated`` types: who is asking (a staff member by Bearer
token or signed-in session cookie, or the public) and the archive's parts (settings, catalog,
search client, queue). Tests replace any of them with ``app.dependency_overrides``."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from archive import catalog as cat
from archive import tokens
from archive.errors import Unauthorized
from archive.queue import Queue
from archive.search.client import SearchClient
from archive.settings import Settings

COOKIE = "ta_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_catalog(request: Request) -> cat.Catalog:
    catalog: cat.Catalog = request.app.state.catalog
    return catalog


def get_search(request: Request) -> SearchClient:
    client: SearchClient = request.app.state.search
    return client


def get_queue(request: Request) -> Queue:
    queue: Queue = request.app.state.queue
    return queue


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[cat.Catalog, Depends(get_catalog)]
SearchDep = Annotated[SearchClient, Depends(get_search)]
QueueDep = Annotated[Queue, Depends(get_queue)]


def staff(request: Request) -> tokens.Staff | None:
    """The staff member behind this request, or None for the public. A wrong token is a 401."""
    catalog = get_catalog(request)
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        who = tokens.verify_token(catalog, token.strip()) if scheme.lower() == "bearer" else None
        if who is None:
            raise Unauthorized("the staff token is wrong or revoked")
        return who
    sid = request.cookies.get(COOKIE)
    if sid:
        who = tokens.verify_session(catalog, sid)
        if who is not None and request.method in UNSAFE:
            tokens.check_csrf(who, request.headers.get("x-csrf-token"))
        return who
    return None


# Declares the Bearer scheme in the OpenAPI schema (Swagger UI's "Authorize"); `staff` checks it.
BEARER = HTTPBearer(auto_error=False, description="A staff token from `talkarchive token create`.")


def require_staff(request: Request,
                  _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None
                  ) -> tokens.Staff:
    who = staff(request)
    if who is None:
        raise Unauthorized()
    return who


Staff = Annotated[tokens.Staff, Depends(require_staff)]
MaybeStaff = Annotated[tokens.Staff | None, Depends(staff)]
