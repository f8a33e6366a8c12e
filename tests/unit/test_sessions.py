"""Staff sessions: signing out ends the session (the form's CSRF token is in its body)."""

from __future__ import annotations

import re
from pathlib import Path

from .fakes import FakeSearch, app_with

SITE = "https://testserver"  # the session cookie is Secure


def test_sign_out_ends_the_session(tmp_path: Path) -> None:
    with app_with(tmp_path, FakeSearch()) as (client, _catalog, token):
        signed_in = client.post(f"{SITE}/admin/login", data={"token": token}, follow_redirects=False)
        assert signed_in.status_code == 303
        cookie = client.cookies.get("ta_session")
        assert cookie
        page = client.get(f"{SITE}/admin").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf is not None
        wrong = client.post(f"{SITE}/admin/logout", data={"csrf": "nope"}, follow_redirects=False)
        assert wrong.status_code == 403  # a forged form does not sign anyone out
        out = client.post(f"{SITE}/admin/logout", data={"csrf": csrf.group(1)}, follow_redirects=False)
        assert out.status_code == 303
        client.cookies.set("ta_session", cookie, domain="testserver")  # the old cookie, kept by an attacker
        assert 'action="/admin/login"' in client.get(f"{SITE}/admin").text
