"""``/oai``: the OAI-PMH 2.0 endpoint for research libraries (GET, or POST with a form body).

Only reads the arguments and where the endpoint is; the protocol lives in :mod:`archive.oai`.
Every answer, an error too, is OAI-PMH XML with HTTP 200, as the protocol says (not the JSON
error shape of the rest of the API); the route is left out of the OpenAPI schema for that.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from archive import oai

from ..deps import CatalogDep

router = APIRouter()

MEDIA_TYPE = "text/xml; charset=utf-8"
MAX_BODY = 64 * 1024  # a form of OAI-PMH arguments is a few hundred bytes
MAX_FIELDS = 20
FORM = "application/x-www-form-urlencoded"


def where(request: Request) -> oai.Where:
    site = request.app.state.settings.base_url(str(request.base_url))
    try:
        host = urlsplit(site).hostname or "localhost"
    except ValueError:  # a Host header that is no host
        host = "localhost"
    return oai.Where(base_url=f"{site}/oai", site_url=site, host=host)


async def form_arguments(request: Request) -> list[tuple[str, str]] | str:
    """The arguments of a POST, or why they cannot be read."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != FORM:
        return f"a POST must be {FORM}"
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            return f"the request body is longer than {MAX_BODY} bytes"
    try:
        return parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True,
                         max_num_fields=MAX_FIELDS)
    except ValueError:
        return f"more than {MAX_FIELDS} arguments"


@router.api_route("/oai", methods=["GET", "POST"], include_in_schema=False)
async def oai_pmh(request: Request, catalog: CatalogDep) -> Response:
    """OAI-PMH 2.0: Identify, ListMetadataFormats, ListSets, ListIdentifiers, ListRecords,
    GetRecord (metadata format oai_dc)."""
    place = where(request)
    if request.method == "POST":
        args = await form_arguments(request)
        if isinstance(args, str):
            return Response(oai.refuse(place, args), media_type=MEDIA_TYPE)
    else:
        args = request.query_params.multi_items()
        if len(args) > MAX_FIELDS:
            return Response(oai.refuse(place, f"more than {MAX_FIELDS} arguments"),
                            media_type=MEDIA_TYPE)
    body = await run_in_threadpool(oai.respond, catalog, args, place)
    return Response(body, media_type=MEDIA_TYPE)
