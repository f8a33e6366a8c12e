"""Who is asking: a staff member (Bearer token or signed-in session cookie) or the public."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ingest import auth
from ingest.errors import Unauthorized

COOKIE = "ta_session"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def staff(request: Request) -> auth.Staff | None:
    """The staff member behind this request, or None for the public. A wrong token is a 401."""
    catalog = request.app.state.catalog
    header = request.headers.get("authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        who = auth.verify_token(catalog, token.strip()) if scheme.lower() == "bearer" else None
        if who is None:
            raise Unauthorized("the staff token is wrong or revoked")
        return who
    sid = request.cookies.get(COOKIE)
    if sid:
        who = auth.verify_session(catalog, sid)
        if who is not None and request.method in UNSAFE:
            auth.check_csrf(who, request.headers.get("x-csrf-token"))
        return who
    return None


# Declares the Bearer scheme in the OpenAPI schema (Swagger UI's "Authorize"); `staff` checks it.
BEARER = HTTPBearer(auto_error=False, description="A staff token from `talkarchive token create`.")


def require_staff(request: Request,
                  _: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)] = None) -> auth.Staff:
    who = staff(request)
    if who is None:
        raise Unauthorized()
    return who
