"""The JSON Inboxd answers with, as Python objects. Field names stay the wire's snake_case (as in
the TypeScript SDK), except ``from`` which is ``from_`` (a keyword). Every object keeps the JSON
it came from in ``.data``, and ``obj["field"]`` reads it, so a field added by a newer server is
never out of reach.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

if TYPE_CHECKING:
    from ._async import AsyncMailbox
    from ._sync import Mailbox


class Code(str):
    """a verification code found in a message: the code itself as a string (``"482913"``), with
    where it was found (``source``: subject, text or html) and the text around it (``context``)."""

    source: str
    context: str

    def __new__(cls, data: Mapping[str, Any]) -> Code:
        code = super().__new__(cls, data["value"])
        code.source = data.get("source", "")
        code.context = data.get("context", "")
        return code

    @property
    def value(self) -> str:
        return str(self)


class Link(str):
    """a link found in a message: the URL as a string, with its ``text`` (HTML links) and
    ``source`` (text or html). Inboxd never requests it (magic links can be single-use)."""

    text: str | None
    source: str

    def __new__(cls, data: Mapping[str, Any]) -> Link:
        link = super().__new__(cls, data["url"])
        link.text = data.get("text")
        link.source = data.get("source", "")
        return link

    @property
    def url(self) -> str:
        return str(self)


@dataclass(frozen=True)
class Attachment:
    """one attachment's bytes, from ``message.attachment(n)``."""

    filename: str | None
    content_type: str
    content: bytes


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class _Json:
    """attribute access to a JSON object; ``obj["name"]`` for the raw value."""

    data: dict[str, Any]
    #: the wire fields of this object (names as in the JSON), pinned to the server's OpenAPI
    #: component by tests/test_wire_shapes.py, so a field the server adds is noticed here.
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.FIELDS) - {"from"})

    def __getitem__(self, name: str) -> Any:
        return self.data[name]

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("data", {})
        if name in data:
            return data[name]
        raise AttributeError(f"{type(self).__name__} has no field {name!r}")


class MailboxInfo(_Json):
    """a mailbox as the server describes it: ``address``, ``domain``, ``created_at``,
    ``expires_at``, ``expires_in``, ``owner_type``, ``group``, ``last_seq``, ``message_count``."""

    FIELDS = (
        "address", "domain", "created_at", "expires_at", "expires_in", "owner_type", "group",
        "last_seq", "message_count", "session_token",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    @property
    def expires_at(self) -> datetime | None:
        return _time(self.data.get("expires_at"))

    @property
    def last_seq(self) -> int:
        return int(self.data.get("last_seq") or 0)

    def __repr__(self) -> str:
        return f"MailboxInfo({self.data.get('address')!r}, last_seq={self.last_seq})"


#: a message summary's fields (lists, events, search).
SUMMARY_FIELDS: tuple[str, ...] = (
    "id", "message_id", "seq", "from", "from_name", "from_address", "to", "to_address", "cc",
    "subject", "received_at", "size", "is_read", "tag", "source", "has_attachments", "codes",
    "parse_error",
)
#: a whole message's fields (a wait, ``mailbox.message(id)``).
MESSAGE_FIELDS: tuple[str, ...] = (
    "id", "message_id", "seq", "from", "from_name", "from_address", "to", "to_address", "cc",
    "subject", "received_at", "size", "is_read", "tag", "source", "has_attachments", "codes",
    "parse_error", "header_message_id", "date", "envelope_from", "body_text", "body_html",
    "headers", "attachments", "links", "verdicts",
)
#: fields only a whole message has (lists and events give summaries).
_WHOLE_ONLY = frozenset(MESSAGE_FIELDS) - frozenset(SUMMARY_FIELDS)


class Message(_Json):
    """a message. From a wait or ``mailbox.message(id)`` it is whole; from ``mailbox.messages()``
    it is a summary (no bodies, headers, attachments or links: ``fetch()`` reads the whole one).

    The usual fields: ``id``, ``seq``, ``from_`` (the sender's address), ``from_name``, ``to``,
    ``subject``, ``received_at`` (a datetime), ``codes`` (``codes[0] == "482913"``), ``links``,
    ``body_text``, ``body_html``, ``attachments`` (metadata), ``headers``; any other JSON field by
    attribute or ``message["field"]``.
    """

    FIELDS = MESSAGE_FIELDS

    def __init__(self, data: Mapping[str, Any], mailbox: Mailbox | AsyncMailbox | None = None) -> None:
        self.data = dict(data)
        self._mailbox = mailbox

    @property
    def whole(self) -> bool:
        """true when this is the whole message rather than a list's summary."""
        return "body_text" in self.data

    def __getattr__(self, name: str) -> Any:
        data = self.__dict__.get("data", {})
        if name in data:
            return data[name]
        if name in _WHOLE_ONLY:
            raise AttributeError(f"{name!r} is not in a message summary (lists give summaries): use message.fetch() or mailbox.message(id)")
        raise AttributeError(f"Message has no field {name!r}")

    @property
    def from_(self) -> str | None:
        """the From address."""
        return self.data.get("from")

    @property
    def received_at(self) -> datetime | None:
        return _time(self.data.get("received_at"))

    @property
    def codes(self) -> list[Code]:
        """verification codes, most likely first: ``message.codes[0]`` is a string."""
        return [Code(c) for c in self.data.get("codes") or []]

    @property
    def code(self) -> Code | None:
        """the most likely verification code, or None."""
        codes = self.codes
        return codes[0] if codes else None

    @property
    def links(self) -> list[Link]:
        """links found in the bodies, in order: ``message.links[0]`` is a URL string."""
        if "links" not in self.data:
            raise AttributeError("'links' is not in a message summary (lists give summaries): use message.fetch() or mailbox.message(id)")
        return [Link(link) for link in self.data["links"] or []]

    def _box(self) -> Any:
        if self._mailbox is None:
            raise RuntimeError("this message has no mailbox handle; read it through a Mailbox")
        return self._mailbox

    def raw(self) -> Any:
        """the source exactly as received (the ``.eml`` bytes); awaitable with ``AsyncInboxd``."""
        return self._box().raw(self.data["id"])

    def attachment(self, n: int) -> Any:
        """attachment ``n`` (its ``index``) as an ``Attachment``; awaitable with ``AsyncInboxd``."""
        return self._box().attachment(self.data["id"], n)

    def fetch(self) -> Any:
        """the whole message (marks it read); awaitable with ``AsyncInboxd``."""
        return self._box().message(self.data["id"])

    def delete(self) -> Any:
        """deletes this message; awaitable with ``AsyncInboxd``."""
        return self._box().delete_message(self.data["id"])

    def __repr__(self) -> str:
        return f"Message(seq={self.data.get('seq')}, from_={self.from_!r}, subject={self.data.get('subject')!r})"


class SearchResult(Message):
    """one hit of ``Inboxd.search()``: a message summary plus the ``address`` of the mailbox it is
    in; ``fetch()``, ``raw()``, ``attachment(n)`` and ``delete()`` go to that mailbox."""

    FIELDS = SUMMARY_FIELDS + ("address",)

    @property
    def address(self) -> str:
        return str(self.data["address"])

    def __repr__(self) -> str:
        return f"SearchResult({self.data.get('address')!r}, seq={self.data.get('seq')}, subject={self.data.get('subject')!r})"


class Webhook(_Json):
    """an outbound webhook endpoint: ``id``, ``url``, ``events``, ``mailbox``, ``group``,
    ``include_message``, ``enabled``, ``disabled_reason``, ``created_at``, ``updated_at``,
    ``last_success_at``; ``secret`` only in the answer to ``create()``."""

    FIELDS = (
        "id", "url", "events", "mailbox", "group", "include_message", "enabled", "disabled_reason",
        "created_at", "updated_at", "last_success_at", "secret",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    def __repr__(self) -> str:
        return f"Webhook({self.data.get('id')!r}, url={self.data.get('url')!r}, enabled={self.data.get('enabled')})"


class WebhookAttempt(_Json):
    """one delivery attempt of a webhook: ``id``, ``event_id`` (the ``webhook-id``), ``attempt``,
    ``at``, ``status_code`` or ``error``, ``latency_ms``, ``next_retry_at``."""

    FIELDS = (
        "id", "event_id", "attempt", "at", "status_code", "error", "latency_ms", "next_retry_at",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    def __repr__(self) -> str:
        return f"WebhookAttempt({self.data.get('event_id')!r}, attempt={self.data.get('attempt')}, status_code={self.data.get('status_code')})"


class DeliveryAttempt(_Json):
    """one attempt to deliver to a mailbox's address, from ``mailbox.deliveries()``: ``at``,
    ``outcome`` (accepted, refused, fault), ``reason``, ``response`` (the SMTP answer),
    ``smtp_code``, ``enhanced_code``, ``source``, ``client_address``, ``envelope_from``, ``size``,
    ``duration_ms``, ``message_id``, ``fault`` (the fault-script rule that answered)."""

    FIELDS = (
        "at", "outcome", "reason", "response", "smtp_code", "enhanced_code", "source",
        "client_address", "envelope_from", "size", "duration_ms", "message_id", "fault",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    def __repr__(self) -> str:
        return f"DeliveryAttempt({self.data.get('at')!r}, {self.data.get('outcome')!r}, {self.data.get('response')!r})"


class FaultScript(_Json):
    """a mailbox's SMTP fault script: ``address``, ``rules`` (dicts: ``stage``, one of ``reply`` /
    ``delay_ms`` / ``disconnect``, ``times``, ``used``, ``scope``)."""

    FIELDS = (
        "address", "group", "rules",
    )

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = dict(data)

    def __repr__(self) -> str:
        return f"FaultScript({self.data.get('address') or self.data.get('group')!r}, rules={len(self.data.get('rules') or [])})"


def summarize(messages: list[Message]) -> str:
    """one line per message, for failure messages."""
    return "\n".join(
        f"  #{m.get('seq')} from {m.from_ or '?'} subject {m.get('subject')!r} codes {[str(c) for c in m.codes]}"
        + (f" failed {', '.join(m.get('failed'))}" if m.get("failed") else "")
        for m in messages
    )
