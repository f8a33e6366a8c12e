"""The staff page: sign in with a token (HttpOnly, Secure, SameSite cookie), upload recordings,
watch their processing, publish, unpublish, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from archive import tokens
from archive.errors import Forbidden, TalkarchiveError
from archive.licences import LICENCES

from . import i18n, signin
from .admin_view import LANGUAGES, staff_lists
from .deps import COOKIE, staff
from .pages import render, templates

router = APIRouter(include_in_schema=False)


def signed_in(request: Request) -> bool:
    """For the shared layout: whether the asker is signed-in staff (who get a link back to the
    staff page). The public, without the session cookie, costs no catalog look-up."""
    if COOKIE not in request.cookies:
        return False
    try:
        return staff(request) is not None
    except TalkarchiveError:  # a wrong token on a page: no link, the page itself decides
        return False


templates.env.globals["signed_in"] = signed_in


def _login_page(request: Request, error: str | None = None, status: int = 200) -> Response:
    token = signin.new_form_token()
    response = render(request, "login.html", {"error": error, "login_csrf": token}, status=status)
    signin.set_form_cookie(response, token)
    return response


@router.api_route("/admin", methods=["GET", "HEAD"], response_class=HTMLResponse)
def admin_page(request: Request) -> Response:
    who = staff(request)
    if who is None:
        return _login_page(request)
    texts = i18n.TEXTS[i18n.language(request)]
    lists = staff_lists(request.app.state.catalog, texts)
    return render(request, "admin.html", {"who": who, **lists, "csrf": who.csrf,
                                          "licences": LICENCES, "languages": LANGUAGES})


@router.post("/admin/login")
async def login(request: Request) -> Response:
    limiter: signin.Limiter = request.app.state.signin_limiter
    address = signin.client_address(request)
    limiter.check(address)
    form = await signin.read_form(request)
    try:
        signin.check_form_token(request, form)
    except Forbidden:
        return _login_page(request, "expired", status=403)
    token = form.get("token", "").strip()
    catalog = request.app.state.catalog
    who = await run_in_threadpool(tokens.verify_token, catalog, token) if token else None
    if who is None:
        limiter.failed(address)
        return _login_page(request, "wrong", status=401)
    limiter.succeeded(address)
    settings = request.app.state.settings
    sid, _ = await run_in_threadpool(tokens.start_session, catalog, who, settings.session_idle())
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, sid, max_age=tokens.SESSION_DAYS * 86400, httponly=True,
                        secure=True, samesite="strict", path="/")
    return response


@router.post("/admin/logout")
async def logout(request: Request) -> Response:
    # the form carries its CSRF token in the body; deps.staff would want the header (a 403
    # that left the session valid for its whole life)
    sid = request.cookies.get(COOKIE, "")
    idle = request.app.state.settings.session_idle()
    who = tokens.verify_session(request.app.state.catalog, sid, idle) if sid else None
    form = await request.form()
    if who is not None:
        tokens.check_csrf(who, str(form.get("csrf", "")))
        tokens.end_session(request.app.state.catalog, sid)
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
