"""Signing in, guarded: the form is read only as a small urlencoded body (Starlette's
``request.form()`` read any body first: 1,000 fields of 1 MiB, or multipart files spooled to the
temp dir); it carries a CSRF-style token bound to a cookie, so another site cannot sign a
browser in with its own token; failed attempts are logged and, past :data:`MAX_FAILURES` in
:data:`WINDOW_SECONDS` from one client address, answered 429 until the oldest ages out.

The failures are counted in the serving process (with ``serve --workers N`` each process counts
its own, so an address gets at most N × 5 tries in 15 minutes); staff tokens carry 256 bits, so
the limit is against noise and log flooding more than against guessing.
"""

from __future__ import annotations

import hmac
import logging
import math
import secrets
import time
import urllib.parse
from collections import OrderedDict, deque
from collections.abc import Callable

from fastapi import Request
from fastapi.responses import Response

from archive.errors import Forbidden, InputError, PayloadTooLarge, TalkarchiveError, UnsupportedMediaType

log = logging.getLogger("talkarchive.signin")

LOGIN_COOKIE = "ta_login"
MAX_BODY = 2048  # bytes: a token (~50) and the form's own token (~32), with room to spare
MAX_FIELDS = 4
MAX_FAILURES = 5
WINDOW_SECONDS = 900.0
MAX_ADDRESSES = 10_000  # the oldest address is forgotten past this many


class TooManySignIns(TalkarchiveError):
    code = "too_many_sign_ins"
    status = 429


async def read_form(request: Request) -> dict[str, str]:
    """The sign-in form's fields; anything but a small urlencoded body is refused unread."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType("sign in with the form (application/x-www-form-urlencoded)")
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise PayloadTooLarge(f"the sign-in form takes at most {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise PayloadTooLarge(f"the sign-in form takes at most {MAX_BODY} bytes")
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                       max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        raise InputError("the sign-in form is malformed", code="bad_form") from None
    return dict(pairs)


def new_form_token() -> str:
    """A fresh token for the sign-in form's hidden field; :func:`set_form_cookie` sets its
    twin, which the form must match."""
    return secrets.token_urlsafe(24)


def set_form_cookie(response: Response, token: str) -> None:
    response.set_cookie(LOGIN_COOKIE, token, max_age=3600, httponly=True, secure=True,
                        samesite="strict", path="/admin")


def check_form_token(request: Request, form: dict[str, str]) -> None:
    cookie = request.cookies.get(LOGIN_COOKIE, "")
    sent = form.get("login_csrf", "")
    if not cookie or not sent or not hmac.compare_digest(cookie.encode(), sent.encode()):
        raise Forbidden("the sign-in form has expired or came from another site; reload it",
                        code="login_csrf")


class Limiter:
    """Failed sign-ins per client address in a sliding window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()

    def _recent(self, address: str) -> deque[float]:
        times = self._failures.get(address, deque())
        while times and times[0] <= self._clock() - WINDOW_SECONDS:
            times.popleft()
        return times

    def check(self, address: str) -> None:
        times = self._recent(address)
        if len(times) >= MAX_FAILURES:
            wait = max(1, math.ceil(times[0] + WINDOW_SECONDS - self._clock()))
            exc = TooManySignIns(f"too many failed sign-ins; try again in {wait} s")
            exc.headers["Retry-After"] = str(wait)
            raise exc

    def failed(self, address: str) -> None:
        times = self._recent(address)
        times.append(self._clock())
        self._failures[address] = times
        self._failures.move_to_end(address)
        while len(self._failures) > MAX_ADDRESSES:
            self._failures.popitem(last=False)
        log.warning("failed sign-in from %s (%d in the last %d min)", address, len(times),
                    WINDOW_SECONDS // 60)

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
