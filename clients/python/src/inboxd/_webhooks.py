"""``client.webhooks``: the API key owner's outbound webhooks (create, list, get, update,
delete, attempts, test, replay), blocking and async. What each call asks is written once here;
the two classes differ only in how they send. Internal.
"""

from __future__ import annotations

import builtins
from typing import TYPE_CHECKING, Any, Mapping

from ._calls import Call
from ._http import NULL, seg
from .models import Webhook, WebhookAttempt

if TYPE_CHECKING:
    from ._async import AsyncInboxd
    from ._sync import Inboxd

#: the default of update()'s arguments: leave the field as it is (None clears it).
_KEEP: Any = object()
_BASE = "/api/v1/webhooks"


def _create(url: str, events: builtins.list[str] | None, mailbox: str | None, group: str | None, include_message: bool | None) -> Call:
    return Call("POST", _BASE, body={"url": url, "events": events, "mailbox": mailbox, "group": group, "include_message": include_message})


def _update(id: str, fields: Mapping[str, Any]) -> Call:
    # given fields only; None means "clear" on the wire (null), which the request builder keeps as NULL
    body = {k: (NULL if v is None else v) for k, v in fields.items() if v is not _KEEP}
    return Call("PATCH", f"{_BASE}/{seg(id)}", body=body)


def _attempts(id: str, limit: int | None, offset: int | None) -> Call:
    return Call("GET", f"{_BASE}/{seg(id)}/attempts", {"limit": limit, "offset": offset})


def _replay(id: str, mailbox: str, since_seq: int | None) -> Call:
    return Call("POST", f"{_BASE}/{seg(id)}/replay", body={"mailbox": mailbox, "since_seq": since_seq})


class Webhooks:
    """``Inboxd.webhooks``: needs an API key; an owner manages only its own endpoints."""

    def __init__(self, client: Inboxd) -> None:
        self._c = client

    def create(
        self,
        url: str,
        *,
        events: builtins.list[str] | None = None,
        mailbox: str | None = None,
        group: str | None = None,
        include_message: bool | None = None,
    ) -> Webhook:
        """registers an endpoint; the answer's ``secret`` (``whsec_…``) is shown this once:
        keep it to check requests with ``inboxd.verify_webhook``. ``events`` default
        ``["new_message"]``; ``mailbox`` / ``group`` narrow which mailboxes' events it gets.

        Raises:
            InboxdError: unauthorized | forbidden | invalid_input (url, a non-public target, events) | quota_exceeded
        """
        return Webhook(self._c._json(_create(url, events, mailbox, group, include_message)))

    def list(self) -> builtins.list[Webhook]:
        """the owner's endpoints, oldest first (never a secret)."""
        return [Webhook(w) for w in self._c._json(Call("GET", _BASE))]

    def get(self, id: str) -> Webhook:
        """Raises: InboxdError not_found (also another owner's)."""
        return Webhook(self._c._json(Call("GET", f"{_BASE}/{seg(id)}")))

    def update(
        self,
        id: str,
        *,
        url: str = _KEEP,
        events: builtins.list[str] = _KEEP,
        mailbox: str | None = _KEEP,
        group: str | None = _KEEP,
        include_message: bool = _KEEP,
        enabled: bool = _KEEP,
    ) -> Webhook:
        """changes the fields given; ``mailbox=None`` / ``group=None`` clear them, and
        ``enabled=True`` re-enables a disabled endpoint (its queued events are sent then)."""
        fields = {"url": url, "events": events, "mailbox": mailbox, "group": group, "include_message": include_message, "enabled": enabled}
        return Webhook(self._c._json(_update(id, fields)))

    def delete(self, id: str) -> Webhook:
        """deletes it with its queued events and attempts; returns what it was."""
        return Webhook(self._c._json(Call("DELETE", f"{_BASE}/{seg(id)}")))

    def attempts(self, id: str, *, limit: int | None = None, offset: int | None = None) -> builtins.list[WebhookAttempt]:
        """its delivery attempts, newest first: ``event_id``, ``status_code`` or ``error``,
        ``latency_ms``, ``next_retry_at``."""
        return [WebhookAttempt(a) for a in self._c._json(_attempts(id, limit, offset))]

    def test(self, id: str) -> str:
        """queues a ``webhook_test`` event; returns its ``event_id`` (the ``webhook-id`` header)."""
        return str(self._c._json(Call("POST", f"{_BASE}/{seg(id)}/test"))["event_id"])

    def replay(self, id: str, mailbox: str, since_seq: int | None = None) -> int:
        """sends ``mailbox``'s stored new_message events after ``since_seq`` (default all) again,
        in seq order, each with its first ``webhook-id``; returns how many were queued.

        Raises:
            InboxdError: not_found | mailbox_not_found | mailbox_expired
        """
        return int(self._c._json(_replay(id, mailbox, since_seq))["queued"])


class AsyncWebhooks:
    """``AsyncInboxd.webhooks``: ``Webhooks``, awaited."""

    def __init__(self, client: AsyncInboxd) -> None:
        self._c = client

    async def create(
        self,
        url: str,
        *,
        events: builtins.list[str] | None = None,
        mailbox: str | None = None,
        group: str | None = None,
        include_message: bool | None = None,
    ) -> Webhook:
        return Webhook(await self._c._json(_create(url, events, mailbox, group, include_message)))

    async def list(self) -> builtins.list[Webhook]:
        return [Webhook(w) for w in await self._c._json(Call("GET", _BASE))]

    async def get(self, id: str) -> Webhook:
        return Webhook(await self._c._json(Call("GET", f"{_BASE}/{seg(id)}")))

    async def update(
        self,
        id: str,
        *,
        url: str = _KEEP,
        events: builtins.list[str] = _KEEP,
        mailbox: str | None = _KEEP,
        group: str | None = _KEEP,
        include_message: bool = _KEEP,
        enabled: bool = _KEEP,
    ) -> Webhook:
        fields = {"url": url, "events": events, "mailbox": mailbox, "group": group, "include_message": include_message, "enabled": enabled}
        return Webhook(await self._c._json(_update(id, fields)))

    async def delete(self, id: str) -> Webhook:
        return Webhook(await self._c._json(Call("DELETE", f"{_BASE}/{seg(id)}")))

    async def attempts(self, id: str, *, limit: int | None = None, offset: int | None = None) -> builtins.list[WebhookAttempt]:
        return [WebhookAttempt(a) for a in await self._c._json(_attempts(id, limit, offset))]

    async def test(self, id: str) -> str:
        return str((await self._c._json(Call("POST", f"{_BASE}/{seg(id)}/test")))["event_id"])

    async def replay(self, id: str, mailbox: str, since_seq: int | None = None) -> int:
        return int((await self._c._json(_replay(id, mailbox, since_seq)))["queued"])
