"""Webhooks through the client against the real server, delivered to a real local HTTP receiver
(http.server in a thread): create (secret shown once), list, get, update, delete, attempts, a
test event, a replay; every request checked with ``inboxd.verify_webhook``, which also refuses a
changed body, another secret and an old timestamp."""

from __future__ import annotations

import base64
import http.server
import queue
import threading
import time
from typing import Iterator

import pytest

from inboxd import AsyncInboxd, Inboxd, InboxdError, WebhookVerificationError, verify_webhook

Received = tuple[dict[str, str], bytes]


class Receiver:
    """a real HTTP endpoint on 127.0.0.1 that answers 200 and queues what it got."""

    def __init__(self) -> None:
        self.got: queue.Queue[Received] = queue.Queue()
        got = self.got

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                got.put(({k: v for k, v in self.headers.items()}, body))
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 15) -> Received:
        return self.got.get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def _attempts_for(client: Inboxd, hook_id: str, event_id: str) -> list:
    # the attempt row is written once the receiver's answer is read, just after it got the body
    deadline = time.monotonic() + 10
    while True:
        found = [a for a in client.webhooks.attempts(hook_id) if a.event_id == event_id]
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_a_registered_endpoint_gets_signed_events_that_verify(receiver, mail):
    with Inboxd() as client:
        box = client.create_mailbox()
        hook = client.webhooks.create(receiver.url, mailbox=box.address)
        assert hook.secret.startswith("whsec_") and hook.url == receiver.url
        assert hook.events == ["new_message"] and hook.mailbox == box.address and hook.enabled

        mail(box.address, subject="hooked", text="code 771204")
        headers, body = receiver.next()
        event = verify_webhook(hook.secret, headers, body)
        assert event["event"] == "new_message" and event["seq"] == 1
        assert event["message"]["subject"] == "hooked" and "771204" in [c["value"] for c in event["message"]["codes"]]
        assert verify_webhook(hook.secret, headers, body.decode()) == event  # str bodies too
        assert verify_webhook(hook.secret, {k.upper(): v for k, v in headers.items()}, body) == event

        with pytest.raises(WebhookVerificationError, match="signature"):
            verify_webhook(hook.secret, headers, body.replace(b"hooked", b"hacked"))
        other = "whsec_" + base64.b64encode(b"x" * 32).decode()
        with pytest.raises(WebhookVerificationError, match="signature"):
            verify_webhook(other, headers, body)
        sent_at = int(headers["webhook-timestamp"])
        with pytest.raises(WebhookVerificationError, match="from now"):
            verify_webhook(hook.secret, headers, body, now=sent_at + 301)
        assert verify_webhook(hook.secret, headers, body, now=sent_at + 299) == event
        with pytest.raises(WebhookVerificationError, match="webhook-id"):
            verify_webhook(hook.secret, {k: v for k, v in headers.items() if k.lower() != "webhook-id"}, body)

        [attempt] = _attempts_for(client, hook.id, headers["webhook-id"])
        assert attempt.status_code == 200 and attempt.attempt == 1 and attempt.error is None

        # a test event, then a replay of the mailbox's stored event with its first webhook-id
        test_id = client.webhooks.test(hook.id)
        test_headers, test_body = receiver.next()
        assert test_headers["webhook-id"] == test_id
        assert verify_webhook(hook.secret, test_headers, test_body)["event"] == "webhook_test"
        assert client.webhooks.replay(hook.id, box.address, since_seq=0) == 1
        again_headers, again_body = receiver.next()
        assert again_headers["webhook-id"] == headers["webhook-id"]
        assert verify_webhook(hook.secret, again_headers, again_body)["seq"] == 1

        listed = client.webhooks.list()
        assert hook.id in [w.id for w in listed] and all("secret" not in w.data for w in listed)
        assert "secret" not in client.webhooks.get(hook.id).data

        changed = client.webhooks.update(hook.id, enabled=False, mailbox=None, include_message=True)
        assert (changed.enabled, changed.mailbox, changed.include_message) == (False, None, True)
        assert changed.url == receiver.url  # not given: kept
        assert client.webhooks.delete(hook.id).id == hook.id
        with pytest.raises(InboxdError) as gone:
            client.webhooks.get(hook.id)
        assert gone.value.code == "not_found"
        box.delete()


def test_webhooks_need_an_api_key(receiver):
    with Inboxd(api_key="") as anon:
        with pytest.raises(InboxdError) as refused:
            anon.webhooks.create(receiver.url)
        assert refused.value.code in ("unauthorized", "forbidden")


async def test_async_webhooks(receiver, mail):
    async with AsyncInboxd() as client:
        box = await client.create_mailbox()
        hook = await client.webhooks.create(receiver.url, mailbox=box.address, include_message=True)
        mail(box.address, subject="async hooked", text="whole body")
        headers, body = receiver.next()
        event = verify_webhook(hook.secret, headers, body)
        assert event["message"]["body_text"].strip() == "whole body"  # include_message: the whole message
        assert [w.id for w in await client.webhooks.list() if w.id == hook.id] == [hook.id]
        assert (await client.webhooks.get(hook.id)).include_message is True
        assert (await client.webhooks.update(hook.id, group="g1")).group == "g1"
        test_id = await client.webhooks.test(hook.id)
        assert receiver.next()[0]["webhook-id"] == test_id
        assert await client.webhooks.replay(hook.id, box.address) == 1
        assert receiver.next()[0]["webhook-id"] == headers["webhook-id"]
        attempts = await client.webhooks.attempts(hook.id, limit=10)
        assert headers["webhook-id"] in [a.event_id for a in attempts]
        await client.webhooks.delete(hook.id)
        await box.delete()
