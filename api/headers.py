"""Security headers on every answer: a Content-Security-Policy without inline script (the pages'
scripts are files; their data rides in ``application/json`` blocks, which never run), no MIME
sniffing, no framing by other sites, and a referrer that stays on this site. Every answer to a
request that carries staff credentials is ``Cache-Control: private, no-store``: only staff see
unpublished talks, voices and CSRF tokens, and no shared cache may keep them. The embedded
player (``/embed/…``) alone may be framed, by the sites of TALKARCHIVE_EMBED_ANCESTORS.

Swagger UI at ``/docs`` (fastapi-offline's page) starts itself with one inline script: that
page alone allows inline script. A pure ASGI middleware, so streamed answers (media, corpus)
pass through unbuffered.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .deps import COOKIE

_SESSION = f"{COOKIE}=".encode()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "strict-origin-when-cross-origin"}


def _source_list(raw: str) -> str:
    """TALKARCHIVE_EMBED_ANCESTORS as CSP sources: no quote or semicolon can end the directive."""
    sources = [s for s in raw.split() if not any(c in s for c in ";,'\"")]
    return " ".join(sources) or "'none'"


def _asked_by_staff(scope: Scope) -> bool:
    """A request with a staff token or session cookie (whether valid or not)."""
    return any(name == b"authorization" or (name == b"cookie" and _SESSION in value)
               for name, value in scope["headers"])


class SecurityHeaders:
    def __init__(self, app: ASGIApp, embed_ancestors: str = "*") -> None:
        self.app = app
        self.embed_policy = CSP.replace("frame-ancestors 'none'",
                                        f"frame-ancestors {_source_list(embed_ancestors)}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        embed = scope["path"].startswith("/embed/")
        policy = DOCS_CSP if scope["path"] == "/docs" else self.embed_policy if embed else CSP
        private = _asked_by_staff(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", policy)
                for name, value in HEADERS.items():
                    if not (embed and name == "X-Frame-Options"):  # framing is its purpose
                        headers.setdefault(name, value)
                if private:  # unpublished talks, voices, CSRF tokens: only this browser
                    headers["Cache-Control"] = "private, no-store"
                    headers.add_vary_header("Authorization")
                    headers.add_vary_header("Cookie")
            await send(message)

        await self.app(scope, receive, with_headers)
