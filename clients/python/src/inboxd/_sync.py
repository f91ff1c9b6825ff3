"""``Inboxd`` and ``Mailbox``: the blocking client. ``_async.py`` is the same surface with
``await``; what each call asks of the server is written once in ``_calls.py``.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Iterator, Mapping

import httpx

from . import _calls, _http
from ._sse import FINAL_EVENTS, HEALTHY_AFTER_SECONDS, Parser, Resume
from ._webhooks import Webhooks
from .errors import InboxdError
from .models import Attachment, DeliveryAttempt, FaultScript, MailboxInfo, Message, SearchResult

DEFAULT_WAIT_SECONDS = 30.0


def now_iso() -> str:
    """the current time as the server writes it (ISO 8601, milliseconds, Z)."""
    t = datetime.now(timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class Inboxd:
    """the Inboxd client.

    Args:
        base_url: the server's URL; default ``INBOXD_URL``, else ``http://127.0.0.1:8025``.
        api_key: an API key (``ibx_…``); default ``INBOXD_API_KEY``. Without one, mailboxes are
            anonymous and each handle keeps its own session token.
        headers: extra headers for every request.
        poll_seconds: the longest single long-poll request; a longer wait is several.
        timeout: seconds for an ordinary request.

    Example::

        with Inboxd() as inboxd:
            mailbox = inboxd.create_mailbox(ttl_minutes=10)
            message = mailbox.wait(subject="Verify")
            print(message.codes[0], message.links[0])
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        poll_seconds: float = _http.DEFAULT_POLL_SECONDS,
        timeout: float = 30.0,
    ) -> None:
        self._s = _http.settings_from(base_url, api_key, headers, poll_seconds)
        self._timeout = timeout
        self._client = httpx.Client(timeout=timeout)

    @property
    def base_url(self) -> str:
        return self._s.base_url

    @property
    def api_key(self) -> str | None:
        return self._s.api_key

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Inboxd:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # the one HTTP path: every call comes through here
    def _send(
        self,
        call: _calls.Call,
        *,
        session_token: str | None = None,
        timeout: float | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        args = _http.request_args(self._s, call.method, call.path, params=call.params, body=call.body, session_token=session_token, headers=headers)
        try:
            res = self._client.request(**args, timeout=timeout if timeout is not None else self._timeout)
        except httpx.HTTPError as err:
            raise _http.network_error(call.method, self._s, call.path, err) from err
        if res.is_success:
            return res
        raise _http.error_from(res, res.content)

    def _json(self, call: _calls.Call, **kw: Any) -> Any:
        return _http.parse_json(self._send(call, **kw), call.method, call.path)

    def create_mailbox(
        self,
        ttl_minutes: int | None = None,
        group: str | None = None,
        local_part: str | None = None,
        *,
        address: str | None = None,
        domain: str | None = None,
    ) -> Mailbox:
        """creates a mailbox. Anonymous (no API key): the handle keeps the session token.

        Raises:
            InboxdError: invalid_input (bad TTL, unknown domain) | forbidden (a chosen address
                without an API key) | address_taken | quota_exceeded | rate_limited | unauthorized
        """
        info = self._json(_calls.create_mailbox(ttl_minutes, group, local_part, address, domain))
        return Mailbox(self, info["address"], info.get("session_token"), MailboxInfo(info))

    @property
    def webhooks(self) -> Webhooks:
        """the API key owner's outbound webhooks: create, list, get, update, delete, attempts,
        test, replay."""
        return Webhooks(self)

    def mailbox(self, address: str, session_token: str | None = None) -> Mailbox:
        """a handle on an existing mailbox; makes no request."""
        return Mailbox(self, address, session_token or None)

    def mailboxes(self, group: str | None = None) -> list[MailboxInfo]:
        """the API key owner's live mailboxes, optionally one group's."""
        return [MailboxInfo(m) for m in self._json(_calls.Call("GET", "/api/v1/mailboxes", {"group": group}))]

    def delete_group(self, group: str) -> dict[str, Any]:
        """deletes every live mailbox of the key owner created with this group label
        (``{"deleted": n, "addresses": [...]}``); needs an API key."""
        return self._json(_calls.Call("DELETE", "/api/v1/mailboxes", {"group": group}))

    def search(self, query: str, *, limit: int | None = None, offset: int | None = None, session_token: str | None = None) -> list[SearchResult]:
        """searches every live mailbox the caller may read (the API key owner's; with
        ``session_token``, that one anonymous mailbox), newest first. The query: free words
        (subject and text; whole words, ``word*`` for a prefix), "quoted phrases", ``from:``,
        ``to:``, ``subject:``, ``has:attachment``, ``is:read``, ``is:unread``, ``after:`` /
        ``before:`` (``2026-11-30``, an ISO time, or ``30m``, ``2h``, ``3d``, ``1w`` back from now),
        and ``-`` before a term to negate it. Every term must hold.

        Raises:
            InboxdError: invalid_query (``details["position"]`` says where) | invalid_input
                (limit, offset) | unauthorized
        """
        found = self._json(_calls.search(query, limit, offset), session_token=session_token)
        return [SearchResult(r, self.mailbox(r["address"], session_token)) for r in found]

    def export_mailboxes(self, group: str | None = None, format: str = "mbox") -> bytes:
        """every message of the API key owner's live mailboxes (one run group's with ``group``),
        oldest first per mailbox: an mbox file (mboxrd; read it with ``mailbox.mbox``), or with
        ``format="zip"`` a zip of one ``<address>/<seq>-<id>.eml`` per message.

        Raises:
            InboxdError: unauthorized | invalid_input
        """
        return (self._send(_calls.export_mailboxes(group, format))).content

    def domains(self) -> dict[str, Any]:
        """the receiving domains (``{"domains": [...], "default": ...}``)."""
        return self._json(_calls.Call("GET", "/api/v1/domains"))


class Mailbox:
    """a handle on one mailbox; from ``Inboxd.create_mailbox()`` or ``Inboxd.mailbox(address)``.
    ``str(mailbox)`` is its address."""

    def __init__(self, client: Inboxd, address: str, session_token: str | None = None, info: MailboxInfo | None = None) -> None:
        self._c = client
        self.address = address
        self.session_token = session_token
        self.info = info

    def __str__(self) -> str:
        return self.address

    def __repr__(self) -> str:
        return f"Mailbox({self.address!r})"

    def _json(self, call: _calls.Call, **kw: Any) -> Any:
        return self._c._json(call, session_token=self.session_token, **kw)

    def _send(self, call: _calls.Call, **kw: Any) -> httpx.Response:
        return self._c._send(call, session_token=self.session_token, **kw)

    def refresh(self) -> MailboxInfo:
        """fetches the mailbox (expiry, ``last_seq``, message count) into ``info``."""
        self.info = MailboxInfo(self._json(_calls.Call("GET", _http.mailbox_path(self.address))))
        return self.info

    def messages(
        self,
        *,
        after_seq: int | None = None,
        limit: int | None = None,
        offset: int | None = None,
        unread: bool | None = None,
        from_: str | None = None,
        subject: str | None = None,
        order: str | None = None,
    ) -> list[Message]:
        """message summaries (no bodies), newest first unless ``order="asc"``."""
        call = _calls.list_messages(self.address, after_seq, limit, offset, unread, from_, subject, order)
        return [Message(m, self) for m in self._json(call)]

    def message(self, id: str) -> Message:
        """the whole message (bodies, headers, attachments, codes, links); marks it read."""
        return Message(self._json(_calls.Call("GET", _http.mailbox_path(self.address, f"/messages/{_http.seg(id)}"))), self)

    def raw(self, id: str) -> bytes:
        """the message's source exactly as received (an ``.eml`` file's bytes)."""
        return self._send(_calls.Call("GET", _http.mailbox_path(self.address, f"/messages/{_http.seg(id)}/raw"))).content

    def attachment(self, id: str, n: int) -> Attachment:
        """attachment ``n`` of message ``id``: its bytes, file name and type."""
        res = self._send(_calls.Call("GET", _http.mailbox_path(self.address, f"/messages/{_http.seg(id)}/attachments/{int(n)}")))
        content_type = res.headers.get("content-type", "application/octet-stream").split(";")[0].strip()
        return Attachment(_http.filename_from(res.headers.get("content-disposition")), content_type, res.content)

    def export(self, format: str = "mbox") -> bytes:
        """every message of this mailbox, oldest first, byte-exact: an mbox file (mboxrd), or with
        ``format="zip"`` a zip of one ``<address>/<seq>-<id>.eml`` per message.

        Raises:
            InboxdError: mailbox_not_found | mailbox_expired | unauthorized | forbidden
        """
        return (self._send(_calls.export_mailbox(self.address, format))).content

    def set_faults(self, rules: list[Mapping[str, Any]]) -> FaultScript:
        """replaces this mailbox's SMTP fault script; only this mailbox's deliveries see it.
        A rule: ``stage`` (``"rcpt"`` | ``"data"``), then ``reply`` (a full 4xx/5xx SMTP reply),
        ``delay_ms`` or ``disconnect=True``, and ``times`` (the next N matching attempts, then
        the next rule or normal delivery; absent: until cleared). "451 twice then accept" is
        ``[{"stage": "rcpt", "reply": "451 4.3.0 Try again later", "times": 2}]``.

        Raises:
            InboxdError: invalid_input (a bad rule) | mailbox_not_found | mailbox_expired
        """
        return FaultScript(self._json(_calls.Call("PUT", _http.mailbox_path(self.address, "/faults"), body={"rules": list(rules)})))

    def get_faults(self) -> FaultScript:
        """the mailbox's fault script, each rule with ``used`` (attempts it has answered)."""
        return FaultScript(self._json(_calls.Call("GET", _http.mailbox_path(self.address, "/faults"))))

    def clear_faults(self) -> None:
        """deletes the mailbox's fault script: deliveries are normal again."""
        self._send(_calls.Call("DELETE", _http.mailbox_path(self.address, "/faults")))

    def delete_message(self, id: str) -> None:
        self._send(_calls.Call("DELETE", _http.mailbox_path(self.address, f"/messages/{_http.seg(id)}")))

    def wait(
        self,
        *,
        subject: str | None = None,
        from_: str | None = None,
        body: str | None = None,
        pattern: str | None = None,
        after_seq: int | None = None,
        count: int = 1,
        timeout: float = DEFAULT_WAIT_SECONDS,
    ) -> Any:
        """waits until a message matching the filters is there (at once if one already is) and
        returns it; with ``count > 1``, a list of that many, oldest first. Text filters are
        case-insensitive "contains"; ``pattern`` is an RE2 expression over subject and text.

        Raises:
            WaitTimeout: nothing matching within ``timeout`` seconds; its message lists what did
                arrive and what was refused.
            InboxdError: mailbox_expired, mailbox_not_found, invalid_input, ...
        """
        f = _calls.filters(from_, subject, body, pattern, after_seq)
        started, deadline = now_iso(), time.monotonic() + timeout
        while True:
            chunk = max(0.0, min(deadline - time.monotonic(), self._c._s.poll_seconds))
            try:
                found = self._json(_calls.wait_once(self.address, f, count, chunk), timeout=chunk + _http.ANSWER_GRACE_SECONDS)
                messages = _calls.waited(found, self)
                return messages[0] if count == 1 else messages
            except InboxdError as err:
                if err.code != "wait_timeout":
                    raise
                if deadline - time.monotonic() > 0:
                    continue  # a long wait is several requests; the server re-checks stored mail each time
                server = _calls.explained(err.details, self)
                if server is not None:
                    arrived, refused = server
                else:  # a server older than the explained 408: ask for what arrived and what was refused
                    arrived = self._arrived(after_seq)
                    refused = self._refused(started)
                raise _calls.timeout_error(self.address, f, count, timeout, err.status, err.details, arrived, refused) from None

    def _arrived(self, after_seq: int | None) -> list[Message]:
        try:
            return self.messages(after_seq=after_seq, order="asc", limit=20)
        except InboxdError:
            return []

    def _refused(self, since_iso: str) -> list[dict[str, Any]]:
        try:
            return _calls.refused_since([d.data for d in self.deliveries(limit=20)], since_iso)
        except InboxdError:
            return []

    def expect_none(
        self,
        within: float,
        *,
        subject: str | None = None,
        from_: str | None = None,
        body: str | None = None,
        pattern: str | None = None,
        after_seq: int | None = None,
    ) -> None:
        """returns when no message matching the filters arrives within ``within`` seconds.
        Stored messages count too: pass ``after_seq`` (e.g. ``mailbox.refresh().last_seq``) to
        look only at new mail.

        Raises:
            UnexpectedMessage: one did (``details`` name it: ``message_id``, ``seq``, ``subject``).
        """
        f = _calls.filters(from_, subject, body, pattern, after_seq)
        deadline = time.monotonic() + within
        while True:
            chunk = max(0.0, min(deadline - time.monotonic(), self._c._s.poll_seconds))
            self._send(_calls.expect_none_once(self.address, f, chunk), timeout=chunk + _http.ANSWER_GRACE_SECONDS)
            if deadline - time.monotonic() <= 0:
                return

    def latest_code(self) -> str | None:
        """the first verification code of the newest message, or None."""
        newest = self.messages(limit=1)
        return str(newest[0].codes[0]) if newest and newest[0].codes else None

    def extend(self, ttl_minutes: int | None = None) -> MailboxInfo:
        """sets the mailbox to expire ``ttl_minutes`` from now (clamped to the plan)."""
        body = {} if ttl_minutes is None else {"ttl_minutes": ttl_minutes}
        self.info = MailboxInfo(self._json(_calls.Call("PATCH", _http.mailbox_path(self.address), body=body)))
        return self.info

    def delete(self) -> None:
        """deletes the mailbox and its messages."""
        self._send(_calls.Call("DELETE", _http.mailbox_path(self.address)))

    def deliveries(self, limit: int | None = None) -> list[DeliveryAttempt]:
        """recent delivery attempts (accepted, refused, fault), newest first; each reads like the
        JSON (``d["outcome"]``, ``d.get("fault")``) or by attribute (``d.smtp_code``)."""
        return [DeliveryAttempt(d) for d in self._json(_calls.Call("GET", _http.mailbox_path(self.address, "/deliveries"), {"limit": limit}))]

    def events(self, since: int | None = None, *, idle_timeout: float = 75.0, max_attempts: int | None = None) -> Iterator[dict[str, Any]]:
        """the mailbox's events (``new_message``, ``message_deleted``, ``mailbox_deleted``,
        ``mailbox_expired``) from the SSE stream, as dicts. It reconnects by itself and resumes
        with ``Last-Event-ID``, so no message is missed or yielded twice; it ends after
        ``mailbox_deleted`` / ``mailbox_expired``. ``since`` defaults to the ``last_seq`` at the time of this call
        (only newer mail); 0 replays everything stored.

        Raises:
            InboxdError: the server refused the stream, or network_error after ``max_attempts``
                failed attempts in a row.
        """
        # resolved now, not at the first next(): mail sent between this call and the loop is yielded
        resume = Resume(self.refresh().last_seq if since is None else since, max_attempts)
        return self._stream(resume, idle_timeout, max_attempts)

    def _stream(self, resume: Resume, idle_timeout: float, max_attempts: int | None) -> Iterator[dict[str, Any]]:
        path = _http.mailbox_path(self.address, "/events")
        timeout = httpx.Timeout(self._c._timeout, read=idle_timeout)
        while True:
            opened = 0.0
            delivered = False
            args = _http.request_args(self._c._s, "GET", path, session_token=self.session_token, headers=resume.headers())
            try:
                with self._c._client.stream(**args, timeout=timeout) as res:
                    if not res.is_success:
                        raise _http.error_from(res, res.read())
                    opened = time.monotonic()
                    parser = Parser()
                    for line in res.iter_lines():
                        event = parser.feed(line)
                        if event is None:
                            continue
                        delivered = True
                        if not resume.keep(event):
                            continue
                        yield event
                        if event.get("event") in FINAL_EVENTS:
                            return
            except httpx.HTTPError:
                pass
            healthy = delivered or (opened > 0 and time.monotonic() - opened >= HEALTHY_AFTER_SECONDS)
            delay = resume.next_delay(healthy)
            if delay is None:
                raise InboxdError("network_error", 0, f"event stream for {self.address}: gave up after {max_attempts} failed attempts")
            time.sleep(delay)
