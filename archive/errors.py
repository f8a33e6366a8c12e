"""One exception tree; every error the user can cause has a code, a message and an HTTP status."""

from __future__ import annotations


class TalkarchiveError(Exception):
    """Base of every error the archive reports to a user (CLI line or HTTP JSON)."""

    code = "internal_error"
    status = 500
    retry_after: str | None = None  # seconds, for a Retry-After header

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = {"Retry-After": self.retry_after} if self.retry_after else {}
        self.detail: str | None = None  # for the CLI and logs, never sent to anonymous users
        if code:
            self.code = code

    def to_dict(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}


class InputError(TalkarchiveError):
    code = "bad_input"
    status = 400


class MediaError(InputError):
    """The file is not usable media (not media, truncated, no audio, empty)."""

    code = "bad_media"
    status = 422


class NotFound(TalkarchiveError):
    code = "not_found"
    status = 404


class Unauthorized(TalkarchiveError):
    code = "unauthorized"
    status = 401

    def __init__(self, message: str = "a valid staff token is needed") -> None:
        super().__init__(message)
        self.headers["WWW-Authenticate"] = "Bearer"


class Forbidden(TalkarchiveError):
    code = "forbidden"
    status = 403


class Conflict(InputError):
    code = "conflict"
    status = 409


class PayloadTooLarge(InputError):
    code = "too_large"
    status = 413


class UnsupportedMediaType(InputError):
    code = "unsupported_media_type"
    status = 415


class SearchUnavailable(TalkarchiveError):
    """Meilisearch cannot be reached or answered with a server error."""

    code = "search_unavailable"
    status = 503
    retry_after = "5"


class QueueUnavailable(TalkarchiveError):
    """The job queue (Redis, or the SQLite queue file) cannot be reached."""

    code = "queue_unavailable"
    status = 503
    retry_after = "10"


class JobCancelled(TalkarchiveError):
    """The talk was deleted while its job ran; the job stores nothing."""

    code = "job_cancelled"
    status = 409


class Busy(TalkarchiveError):
    """Too many of a costly request run at once; try again shortly."""

    code = "busy"
    status = 503
    retry_after = "30"


class SearchError(TalkarchiveError):
    """Meilisearch rejected a request; ``code`` is Meilisearch's own error code."""

    status = 502


class ModelError(TalkarchiveError):
    code = "model_unavailable"
    status = 503
