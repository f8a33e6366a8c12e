"""The Meilisearch client: the ``meilisearch`` package behind the calls the archive makes, with
its exceptions mapped into the one error tree. No other module builds Meilisearch REST paths.

- unreachable, timed out, or a 5xx from Meilisearch -> :class:`SearchUnavailable` (503);
- an index missing while it is being built -> :class:`IndexMissing` (503, a search meets it
  while ``serve`` or a worker rebuilds);
- anything else Meilisearch rejects -> :class:`SearchError` (502) carrying Meilisearch's code.

Messages name no URL and no errno text: they reach anonymous users through the API. The
package's own message is kept on the exception as ``detail`` for the CLI and logs.

Connections: the package sends every request with ``requests.<method>`` (a fresh loopback
connection each time, no keep-alive). That is what this archive wants: on a kept-alive
connection Meilisearch's chunked answers waited ~40 ms for the client's delayed ACK (README,
Performance). The package mutates one header dict per client, so each thread gets its own
client object (they are cheap: a config and a dict).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import meilisearch
from meilisearch.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchTimeoutError,
)

from ..errors import SearchError, SearchUnavailable, TalkarchiveError

UNREACHABLE = "the search engine cannot be reached; try again in a moment"


class IndexMissing(SearchUnavailable):
    """The index a request names does not exist (it is being built, or was lost)."""

    def __init__(self) -> None:
        super().__init__("the search index is being built; try again in a moment")


@contextlib.contextmanager
def mapped_errors() -> Iterator[None]:
    """Translate the package's exceptions into the archive's error tree."""
    try:
        yield
    except (MeilisearchCommunicationError, MeilisearchTimeoutError) as exc:
        down = SearchUnavailable(UNREACHABLE)
        down.detail = exc.message
        raise down from None
    except MeilisearchApiError as exc:
        if exc.code == "index_not_found":
            missing = IndexMissing()
            missing.detail = exc.message
            raise missing from None
        err: TalkarchiveError
        if exc.status_code >= 500:
            err = SearchUnavailable(f"the search engine failed ({exc.code or exc.status_code})")
        else:
            err = SearchError(f"the search engine rejected the request ({exc.code or 'error'})",
                              code=exc.code or "search_error")
        err.detail = exc.message
        raise err from None


class SearchClient:
    """The calls the archive makes to one Meilisearch, each mapped into the error tree."""

    def __init__(self, url: str, key: str | None, timeout: int = 10) -> None:
        self.url = url.rstrip("/")
        self.key = key
        self.timeout = timeout
        self._local = threading.local()

    @property
    def raw(self) -> meilisearch.Client:
        """This thread's package client."""
        client: meilisearch.Client | None = getattr(self._local, "client", None)
        if client is None:
            client = meilisearch.Client(self.url, self.key, timeout=self.timeout)
            self._local.client = client
        return client

    # --- health -----------------------------------------------------------------------

    def healthy(self, timeout: int = 2) -> bool:
        probe = meilisearch.Client(self.url, self.key, timeout=timeout)
        try:
            return probe.health().get("status") == "available"
        except (MeilisearchCommunicationError, MeilisearchTimeoutError, MeilisearchApiError):
            return False

    # --- indexes and settings ------------------------------------------------------------

    def index_exists(self, uid: str) -> bool:
        try:
            with mapped_errors():
                self.raw.get_raw_index(uid)
        except IndexMissing:
            return False
        return True

    def create_index(self, uid: str) -> int:
        with mapped_errors():
            return self.raw.create_index(uid, {"primaryKey": "id"}).task_uid

    def delete_index(self, uid: str) -> int:
        with mapped_errors():
            return self.raw.delete_index(uid).task_uid

    def update_settings(self, uid: str, settings: Mapping[str, Any]) -> int:
        with mapped_errors():
            return self.raw.index(uid).update_settings(dict(settings)).task_uid

    def swap(self, pairs: Sequence[tuple[str, str]]) -> int:
        with mapped_errors():
            return self.raw.swap_indexes([{"indexes": [a, b]} for a, b in pairs]).task_uid

    def document_count(self, uid: str) -> int:
        with mapped_errors():
            return int(self.raw.index(uid).get_stats().number_of_documents)

    # --- documents -----------------------------------------------------------------------

    def add_documents(self, uid: str, documents: Sequence[Mapping[str, Any]]) -> int:
        with mapped_errors():
            return self.raw.index(uid).add_documents(documents, primary_key="id").task_uid

    def delete_document(self, uid: str, document_id: str) -> int:
        with mapped_errors():
            return self.raw.index(uid).delete_document(document_id).task_uid

    def delete_where(self, uid: str, filter_expression: str) -> int:
        with mapped_errors():
            return self.raw.index(uid).delete_documents(filter=filter_expression).task_uid

    def document(self, uid: str, document_id: str) -> dict[str, Any] | None:
        """One document by id, or None when the index has none with that id."""
        try:
            with mapped_errors():
                return dict(self.raw.index(uid).get_document(document_id))
        except SearchError as exc:
            if exc.code == "document_not_found":
                return None
            raise

    def documents(self, uid: str, filter_expression: str, fields: list[str], limit: int = 1000
                  ) -> list[dict[str, Any]]:
        with mapped_errors():
            result = self.raw.index(uid).get_documents(
                {"filter": filter_expression, "fields": fields, "limit": limit})
        return [dict(doc) for doc in result.results]

    # --- search and tasks ----------------------------------------------------------------

    def multi_search(self, queries: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        with mapped_errors():
            return list(self.raw.multi_search(queries)["results"])

    def wait(self, task_uid: int, timeout: float = 300.0) -> None:
        """Follow a task until it succeeded; raise with Meilisearch's code when it failed."""
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            with mapped_errors():
                task = self.raw.get_task(task_uid)
            if task.status == "succeeded":
                return
            if task.status in ("failed", "canceled"):
                error = task.error or {}
                err = SearchError(f"the search engine could not finish a change "
                                  f"({error.get('code', task.status)})",
                                  code=error.get("code", "task_failed"))
                err.detail = str(error.get("message", ""))
                raise err
            if time.monotonic() > deadline:
                raise SearchUnavailable(f"a search engine task did not finish in {timeout:g} s")
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
