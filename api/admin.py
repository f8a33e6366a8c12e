"""The staff page: sign in with a token (HttpOnly, Secure, SameSite cookie), upload recordings,
watch their processing, publish, unpublish, delete."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from archive import jobs, tokens
from archive.licences import LICENCES

from .deps import COOKIE, staff
from .pages import render
from .presenters import talk_json

router = APIRouter(include_in_schema=False)


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request) -> Response:
    who = staff(request)
    if who is None:
        return render(request, "login.html", {"error": None})
    catalog = request.app.state.catalog
    talks = [talk_json(t) for t in catalog.talks()]
    recent = [j.public_dict() for j in jobs.recent(catalog, 30)]
    return render(request, "admin.html", {"who": who, "talks": talks, "jobs": recent,
                                          "csrf": who.csrf, "licences": LICENCES})


@router.post("/admin/login")
async def login(request: Request) -> Response:
    form = await request.form()
    token = str(form.get("token", "")).strip()
    who = tokens.verify_token(request.app.state.catalog, token) if token else None
    if who is None:
        return render(request, "login.html", {"error": True}, status=401)
    sid, _ = tokens.start_session(request.app.state.catalog, who)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(COOKIE, sid, max_age=tokens.SESSION_DAYS * 86400, httponly=True,
                        secure=True, samesite="strict", path="/")
    return response


@router.post("/admin/logout")
async def logout(request: Request) -> Response:
    # the form carries its CSRF token in the body; deps.staff would want the header (a 403
    # that left the session valid for its whole life)
    sid = request.cookies.get(COOKIE, "")
    who = tokens.verify_session(request.app.state.catalog, sid) if sid else None
    form = await request.form()
    if who is not None:
        tokens.check_csrf(who, str(form.get("csrf", "")))
        tokens.end_session(request.app.state.catalog, sid)
    response = RedirectResponse("/admin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
