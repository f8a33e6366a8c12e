"""How a talk is shown over HTTP: its JSON with links, the visibility rule (unpublished talks
exist only for staff), and file names for downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Request

from archive import catalog as cat
from archive.errors import NotFound

from .deps import staff


def talk_json(talk: cat.Talk) -> dict[str, Any]:
    data = talk.public_dict()
    base = f"/api/talks/{talk.id}"
    data.update(
        media_url=f"{base}/media",
        poster_url=f"{base}/poster.jpg" if talk.poster_path else None,
        captions_url=f"{base}/transcript.vtt",
        url=f"/talks/{talk.id}",
    )
    return data


def content_disposition(title: str, ext: str, kind: str = "attachment") -> str:
    """RFC 6266 with an ASCII fallback and the UTF-8 name (RFC 5987)."""
    name = f"{title}.{ext}".replace("/", "_").replace("\\", "_")
    fallback = (name.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("Ä", "Ae")
                .replace("Ö", "Oe").replace("Ü", "Ue").replace("ß", "ss"))
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                       for c in fallback)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def visible_talk(request: Request, talk_id: str) -> cat.Talk:
    """A ready talk that the asker may see, or 404 (unpublished talks exist only for staff)."""
    catalog: cat.Catalog = request.app.state.catalog
    talk = catalog.get(talk_id) if len(talk_id) <= 64 else None
    if (talk is None or talk.status != cat.TalkStatus.READY
            or (not talk.published and staff(request) is None)):
        raise NotFound(f"no talk {talk_id!r}")
    return talk
