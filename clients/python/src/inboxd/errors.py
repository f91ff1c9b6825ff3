"""Typed errors. Every failure the client reports is an ``InboxdError`` whose ``code`` is the
server's stable JSON ``error`` value (docs/errors.md in the Inboxd repository), or one of a few
codes the client gives itself when there was no usable answer. Match on ``code``, never on the
message text.
"""

from __future__ import annotations

from typing import Any, Mapping

#: every error code the server answers with, in the order of the server's registry
#: (``src/core/errors.ts``). Kept equal to the server's list by a test (tests/test_error_codes.py).
ERROR_CODES: tuple[str, ...] = (
    "invalid_input",
    "unauthorized",
    "forbidden",
    "not_found",
    "method_not_allowed",
    "mailbox_not_found",
    "message_not_found",
    "mailbox_expired",
    "address_taken",
    "already_exists",
    "address_unavailable",
    "message_too_large",
    "message_rejected",
    "too_many_recipients",
    "quota_exceeded",
    "rate_limited",
    "wait_timeout",
    "unexpected_message",
    "invalid_signature",
    "storage_unavailable",
    "auth_required",
    "auth_failed",
    "auth_throttled",
    "encryption_required",
    "address_reserved",
    "too_many_unknown_recipients",
    "server_busy",
    "shutting_down",
    "invalid_query",
)

#: codes the client gives when the server gave no coded answer: ``internal_error`` (a 500),
#: ``network_error`` (no answer at all), ``unexpected_response`` (not Inboxd's JSON, e.g. a proxy's page).
CLIENT_ERROR_CODES: tuple[str, ...] = ("internal_error", "network_error", "unexpected_response")


class InboxdError(Exception):
    """The one error type the client raises.

    Attributes:
        code: the stable error code (the server's JSON ``error``, or a client code).
        status: the HTTP status, or 0 when there was no HTTP answer.
        message: the human-readable text.
        details: the other fields of the server's error body (e.g. ``message_id`` for
            ``unexpected_message``).
        retry_after: seconds to wait before retrying, from ``Retry-After``, when sent.

    Example::

        try:
            mailbox.wait(subject="Verify", timeout=5)
        except InboxdError as err:
            if err.code != "wait_timeout":
                raise
    """

    def __init__(
        self,
        code: str,
        status: int,
        message: str,
        details: Mapping[str, Any] | None = None,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.message = message
        self.details: dict[str, Any] = dict(details or {})
        self.retry_after = retry_after

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"

    def __repr__(self) -> str:
        return f"InboxdError(code={self.code!r}, status={self.status}, message={self.message!r})"


class WaitTimeout(InboxdError, TimeoutError):
    """``wait_timeout``: nothing matching arrived in time. Its message lists what did arrive
    meanwhile (``arrived``, message summaries, newest first, each with the filters it ``failed``)
    and what was refused or faulted (``refused``, delivery attempts), as the server explained them,
    so a failing test says why."""

    def __init__(
        self,
        status: int,
        message: str,
        details: Mapping[str, Any] | None = None,
        arrived: list[Any] | None = None,
        refused: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__("wait_timeout", status, message, details)
        self.arrived = arrived or []
        self.refused = refused or []


class UnexpectedMessage(InboxdError, AssertionError):
    """``unexpected_message``: ``expect_none`` saw a matching message (``details`` name it:
    ``message_id``, ``seq``, ``subject``; ``unexpected`` is its summary)."""

    def __init__(self, status: int, message: str, details: Mapping[str, Any] | None = None) -> None:
        super().__init__("unexpected_message", status, message, details)
        #: the summary of the message that arrived (a dict in the wire shape), when the server sent it
        self.unexpected: dict[str, Any] | None = dict(self.details["unexpected"]) if isinstance(self.details.get("unexpected"), dict) else None
