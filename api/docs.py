"""``/docs``: Swagger UI from files on this machine (``talkarchive swagger-ui fetch``), never a CDN."""

from __future__ import annotations

import mimetypes

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response

from ingest import docs_ui
from ingest.errors import NotFound

from .files import file_response

router = APIRouter(include_in_schema=False)


@router.get("/docs")
def docs(request: Request) -> Response:
    settings = request.app.state.settings
    if not docs_ui.installed(settings):
        return HTMLResponse(
            "<!doctype html><html lang=en><meta charset=utf-8><title>talkarchive API</title>"
            "<p>The API docs need Swagger UI on this machine: run <code>talkarchive swagger-ui fetch</code> "
            "(or <code>make run</code>). The schema itself is at <a href=/openapi.json>/openapi.json</a>.",
            status_code=503,
        )
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url or "/openapi.json",
        title=f"{request.app.title} API",
        swagger_js_url=f"/docs/assets/{docs_ui.SWAGGER_VERSION}/swagger-ui-bundle.js",
        swagger_css_url=f"/docs/assets/{docs_ui.SWAGGER_VERSION}/swagger-ui.css",
        swagger_favicon_url=f"/docs/assets/{docs_ui.SWAGGER_VERSION}/favicon-32x32.png",
    )


@router.get("/docs/assets/{version}/{name}")
def asset(request: Request, version: str, name: str) -> Response:
    if version != docs_ui.SWAGGER_VERSION or name not in docs_ui.FILES:
        raise NotFound(f"no docs asset {name!r}")
    path = docs_ui.folder(request.app.state.settings) / name
    if not path.is_file():
        raise NotFound(f"no docs asset {name!r}: run `talkarchive swagger-ui fetch`")
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return file_response(request, path, kind, cache="public, max-age=31536000, immutable")
