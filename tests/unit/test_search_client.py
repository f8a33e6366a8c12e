"""The Meilisearch client's errors, mapped into the one error tree (no Meilisearch needed)."""

from __future__ import annotations

import json

import pytest
import requests
from meilisearch.errors import MeilisearchApiError

from archive.errors import SearchError, SearchUnavailable
from archive.search.client import IndexMissing, SearchClient, mapped_errors


def api_error(status: int, code: str, message: str) -> MeilisearchApiError:
    response = requests.Response()
    response.status_code = status
    response._content = json.dumps({"message": message, "code": code}).encode()
    return MeilisearchApiError("error", response)


def test_unreachable_is_503_without_url_or_errno() -> None:
    client = SearchClient("http://127.0.0.1:9", "key", timeout=2)
    assert not client.healthy()
    with pytest.raises(SearchUnavailable) as caught:
        client.multi_search([{"indexUid": "segments", "q": "Bus"}])
    err = caught.value
    assert err.status == 503 and err.code == "search_unavailable" and err.headers["Retry-After"]
    assert "127.0.0.1" not in err.message and "Errno" not in err.message
    assert err.detail  # the package's own words stay for logs and the CLI


@pytest.mark.parametrize(("status", "code", "expected", "http"), [
    (404, "index_not_found", IndexMissing, 503),
    (400, "invalid_search_filter", SearchError, 502),
    (500, "internal", SearchUnavailable, 503),
])
def test_api_errors(status: int, code: str, expected: type[Exception], http: int) -> None:
    with pytest.raises(expected) as caught, mapped_errors():
        raise api_error(status, code, "Index `segments_talks` not found at http://10.0.0.5:7700.")
    err = caught.value
    assert err.status == http  # type: ignore[attr-defined]
    assert "http://" not in err.message  # type: ignore[attr-defined]
    if expected is SearchError:
        assert err.code == code  # type: ignore[attr-defined]
