"""Staff sessions: signing in takes only a small form with its own token, failures are logged
and limited per address, idle sessions expire and are purged, and signing out ends the
session (the form's CSRF token is in its body)."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import signin
from archive import catalog as cat
from archive.clock import now

from .fakes import FakeSearch, app_with

# the catalog of each test: SQLite, then a fresh PostgreSQL database
pytestmark = pytest.mark.usefixtures("catalog_url")

SITE = "https://testserver"  # the session cookie is Secure


def form_token(client: TestClient) -> str:
    page = client.get(f"{SITE}/admin")
    found = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert found is not None and client.cookies.get(signin.LOGIN_COOKIE) == found.group(1)
    return found.group(1)


def sign_in(client: TestClient, token: str) -> None:
    r = client.post(f"{SITE}/admin/login", data={"token": token, "login_csrf": form_token(client)},
                    follow_redirects=False)
    assert r.status_code == 303 and client.cookies.get("ta_session")


def test_sign_out_ends_the_session(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        sign_in(client, token)
        cookie = client.cookies.get("ta_session")
        page = client.get(f"{SITE}/admin").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        wrong = client.post(f"{SITE}/admin/logout", data={"csrf": "nope"}, follow_redirects=False)
        assert wrong.status_code == 403  # a forged form does not sign anyone out
        out = client.post(f"{SITE}/admin/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
        assert out.status_code == 303
        client.cookies.set("ta_session", cookie, domain="testserver")  # the old cookie, kept by an attacker
        assert 'action="/admin/login"' in client.get(f"{SITE}/admin").text


def test_sign_in_takes_only_a_small_form_with_its_token(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        url = f"{SITE}/admin/login"
        no_token = client.post(url, data={"token": token}, follow_redirects=False)
        assert no_token.status_code == 403 and "abgelaufen" in no_token.text
        assert not client.cookies.get("ta_session")
        form_token(client)
        forged = client.post(url, data={"token": token, "login_csrf": "another-sites-token"},
                             follow_redirects=False)
        assert forged.status_code == 403 and not client.cookies.get("ta_session")
        files = client.post(url, files={"token": ("t.txt", b"x" * 100)})
        assert files.status_code == 415
        assert files.json()["error"]["code"] == "unsupported_media_type"
        big = client.post(url, content=b"token=" + b"x" * 5000,
                          headers={"content-type": "application/x-www-form-urlencoded"})
        assert big.status_code == 413 and big.json()["error"]["code"] == "too_large"
        many = client.post(url, content="&".join(f"f{i}=1" for i in range(20)).encode(),
                           headers={"content-type": "application/x-www-form-urlencoded"})
        assert many.status_code == 400 and many.json()["error"]["code"] == "bad_form"
        sign_in(client, token)


def test_failed_sign_ins_are_logged_and_limited(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="talkarchive.signin")
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        for _ in range(signin.MAX_FAILURES):
            r = client.post(f"{SITE}/admin/login",
                            data={"token": "ta_wrong", "login_csrf": form_token(client)})
            assert r.status_code == 401
        limited = client.post(f"{SITE}/admin/login",
                              data={"token": token, "login_csrf": form_token(client)})
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "too_many_sign_ins"
        assert 0 < int(limited.headers["retry-after"]) <= signin.WINDOW_SECONDS
    warnings = [r.getMessage() for r in caplog.records if r.name == "talkarchive.signin"]
    assert len(warnings) == signin.MAX_FAILURES and "failed sign-in from testclient" in warnings[0]


def test_the_limit_slides_and_forgets() -> None:
    clock = [1000.0]
    limiter = signin.Limiter(clock=lambda: clock[0])
    for _ in range(signin.MAX_FAILURES):
        limiter.failed("10.0.0.1")
    with pytest.raises(signin.TooManySignIns):
        limiter.check("10.0.0.1")
    limiter.check("10.0.0.2")  # another address is not limited
    clock[0] += signin.WINDOW_SECONDS + 1
    limiter.check("10.0.0.1")  # the window passed
    limiter.failed("10.0.0.3")
    limiter.succeeded("10.0.0.3")
    limiter.check("10.0.0.3")


def test_idle_sessions_expire_and_are_purged(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, catalog, token):
        sign_in(client, token)
        assert "/admin/logout" in client.get(f"{SITE}/admin").text
        idle = client.app.state.settings.session_idle()  # type: ignore[attr-defined]
        with catalog.session() as s:  # the browser left it alone for longer than allowed
            row = s.query(cat.StaffSession).one()
            row.last_seen_at = now() - idle - dt.timedelta(minutes=1)
            s.add(cat.StaffSession(id_hash="f" * 64, token_id=row.token_id, csrf="x",
                                   expires_at=now() - dt.timedelta(days=1),
                                   last_seen_at=now() - dt.timedelta(days=8)))
        assert 'action="/admin/login"' in client.get(f"{SITE}/admin").text
        with catalog.session() as s:
            assert [r.id_hash for r in s.query(cat.StaffSession)] == ["f" * 64]
        sign_in(client, token)  # a new session; the expired one is purged on the way
        with catalog.session() as s:
            rows = s.query(cat.StaffSession).all()
            assert len(rows) == 1 and rows[0].id_hash != "f" * 64
