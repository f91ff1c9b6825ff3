"""mailbox.events(): the SSE stream replays from `since`, survives a cut connection by resuming
with Last-Event-ID (nothing missed, nothing twice), and ends after mailbox_deleted."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from inboxd import AsyncInboxd, Inboxd

from proxy import Proxy


@pytest.fixture
def proxy():
    url = urlsplit(os.environ["INBOXD_URL"])
    p = Proxy(url.hostname, url.port)
    # the stream checks Host (DNS rebinding): through this TCP proxy it still names the server
    p.headers = {"host": url.netloc}
    yield p
    p.close()


def test_events_resume_with_last_event_id_after_a_cut_connection(proxy, mail):
    with Inboxd(proxy.url, api_key="", headers=proxy.headers) as client:
        mailbox = client.create_mailbox()
        mail(mailbox.address, subject="one")
        stream = mailbox.events(since=0)
        first = next(stream)
        assert (first["event"], first["seq"], first["subject"]) == ("new_message", 1, "one")
        proxy.cut()
        mail(mailbox.address, subject="two")  # stored while the stream is down
        second = next(stream)
        assert (second["event"], second["seq"], second["subject"]) == ("new_message", 2, "two")
        resumed = [h for h in proxy.heads if "/events" in h.split("\r\n")[0]]
        assert len(resumed) >= 2 and "last-event-id: 1" in resumed[-1]
        mail(mailbox.address, subject="three")
        assert next(stream)["seq"] == 3
        mailbox.delete()
        assert next(stream)["event"] == "mailbox_deleted"
        with pytest.raises(StopIteration):
            next(stream)


def test_events_by_default_start_after_the_current_last_seq(mail):
    with Inboxd(api_key="") as client:
        mailbox = client.create_mailbox()
        mail(mailbox.address, subject="old")
        mailbox.wait(timeout=10)
        stream = mailbox.events()
        mail(mailbox.address, subject="new")
        event = next(stream)
        assert (event["seq"], event["subject"]) == (2, "new")
        stream.close()
        mailbox.delete()


async def test_async_events_resume_too(proxy, mail):
    async with AsyncInboxd(proxy.url, api_key="", headers=proxy.headers) as client:
        mailbox = await client.create_mailbox()
        mail(mailbox.address, subject="a1")
        stream = mailbox.events(since=0)
        assert (await anext(stream))["seq"] == 1
        proxy.cut()
        mail(mailbox.address, subject="a2")
        assert (await anext(stream))["subject"] == "a2"
        await mailbox.delete()
        assert (await anext(stream))["event"] == "mailbox_deleted"
        with pytest.raises(StopAsyncIteration):
            await anext(stream)
