"""Who is asking: a staff member (Bearer token or signed-in session cookie) or the public."""

from __future__ import annotations

from fastapi import Request

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


def require_staff(request: Request) -> auth.Staff:
    who = staff(request)
    if who is None:
        raise Unauthorized()
    return who
