"""Staff tokens and signed-in browser sessions. Tokens are shown once and stored as sha256."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from . import catalog as cat
from .clock import now as _now
from .errors import Forbidden, InputError, NotFound

SESSION_DAYS = 7  # the longest a session lives; one idle for SESSION_IDLE_MINUTES ends sooner
SESSION_TOUCH = dt.timedelta(seconds=60)  # last_seen_at is written at most once a minute
TOKEN_PREFIX = "ta_"


@dataclass(frozen=True)
class Staff:
    token_id: int
    name: str
    csrf: str | None = None  # set when signed in by session cookie


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(catalog: cat.Catalog, name: str) -> str:
    name = name.strip()
    if not name or len(name) > 200:
        raise InputError("a token needs a name of 1 to 200 characters")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with catalog.session() as s:
        s.add(cat.Token(name=name, token_hash=_hash(token)))
    return token


def list_tokens(catalog: cat.Catalog) -> list[cat.Token]:
    with catalog.session() as s:
        return list(s.query(cat.Token).order_by(cat.Token.id).all())


def revoke_token(catalog: cat.Catalog, name_or_id: str) -> int:
    with catalog.session() as s:
        query = s.query(cat.Token).filter(cat.Token.revoked_at.is_(None))
        rows = [t for t in query.all() if t.name == name_or_id or str(t.id) == name_or_id]
        if not rows:
            raise NotFound(f"no active token {name_or_id!r}")
        for row in rows:
            row.revoked_at = _now()
            s.query(cat.StaffSession).filter_by(token_id=row.id).delete()
        return len(rows)


def verify_token(catalog: cat.Catalog, token: str) -> Staff | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    with catalog.session() as s:
        row = s.query(cat.Token).filter_by(token_hash=_hash(token)).one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        row.last_used_at = _now()
        return Staff(row.id, row.name)


def _stale(now: dt.datetime, idle: dt.timedelta) -> Any:
    return sa.or_(cat.StaffSession.expires_at < now, cat.StaffSession.last_seen_at < now - idle)


def purge_sessions(catalog: cat.Catalog, idle: dt.timedelta) -> int:
    """Delete every session past its life or idle longer than ``idle``; how many."""
    with catalog.session() as s:
        return int(s.query(cat.StaffSession).filter(_stale(_now(), idle)).delete())


def start_session(catalog: cat.Catalog, staff: Staff, idle: dt.timedelta) -> tuple[str, str]:
    """A new session for a verified token: (cookie value, CSRF secret). Expired sessions are
    purged on the way."""
    purge_sessions(catalog, idle)
    sid = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    with catalog.session() as s:
        s.add(cat.StaffSession(id_hash=_hash(sid), token_id=staff.token_id, csrf=csrf,
                               expires_at=_now() + dt.timedelta(days=SESSION_DAYS)))
    return sid, csrf


def verify_session(catalog: cat.Catalog, sid: str, idle: dt.timedelta) -> Staff | None:
    """The staff member of a live session; one past its life or idle too long is deleted."""
    if not sid or len(sid) > 200:
        return None
    with catalog.session() as s:
        row = s.get(cat.StaffSession, _hash(sid))
        now = _now()
        if row is None:
            return None
        if row.expires_at < now or row.last_seen_at < now - idle:
            s.delete(row)
            return None
        if now - row.last_seen_at > SESSION_TOUCH:
            row.last_seen_at = now
        token = s.get(cat.Token, row.token_id)
        if token is None or token.revoked_at is not None:
            return None
        return Staff(token.id, token.name, row.csrf)


def end_session(catalog: cat.Catalog, sid: str) -> None:
    with catalog.session() as s:
        s.query(cat.StaffSession).filter_by(id_hash=_hash(sid)).delete()


def check_csrf(staff: Staff, presented: str | None) -> None:
    if staff.csrf is not None and not (
            presented and hmac.compare_digest(staff.csrf.encode(), presented.encode("utf-8", "replace"))):
        raise Forbidden("missing or wrong CSRF token")
