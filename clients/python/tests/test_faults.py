"""A mailbox's SMTP fault script through the client: "451 twice then accept" seen by smtplib
(451, 451, then 250 and the message stored), a parallel mailbox untouched, the faults in the
delivery timeline; sync and async."""

from __future__ import annotations

import os
import smtplib
import time
from email.message import EmailMessage

import pytest

from inboxd import AsyncInboxd, FaultScript, Inboxd, InboxdError

TWICE_451 = [{"stage": "rcpt", "reply": "451 4.3.0 Try again later", "times": 2}]


def _try_send(to: str, subject: str) -> int:
    """one SMTP transaction; the reply code to RCPT TO (250 when the message was accepted)."""
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "retrier@example.com", to, subject
    msg.set_content("retry me")
    with smtplib.SMTP(os.environ["INBOXD_SMTP_HOST"], int(os.environ["INBOXD_SMTP_PORT"]), timeout=30) as smtp:
        try:
            smtp.send_message(msg)
        except smtplib.SMTPRecipientsRefused as err:
            return err.recipients[to][0]
    return 250


def _faulted(box, n: int) -> list:
    # the server writes the timeline in batches (every 200 ms), off the path that answers SMTP
    deadline = time.monotonic() + 10
    while True:
        found = [d for d in box.deliveries() if d["outcome"] == "fault"]
        if len(found) >= n or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_451_twice_then_accept_for_this_mailbox_only(mail):
    with Inboxd() as client:
        box, neighbour = client.create_mailbox(), client.create_mailbox()
        script = box.set_faults(TWICE_451)
        assert isinstance(script, FaultScript) and script.address == box.address
        assert [(r["stage"], r["reply"], r["times"], r["used"]) for r in script.rules] == [("rcpt", "451 4.3.0 Try again later", 2, 0)]

        assert _try_send(neighbour.address, "next door") == 250  # another mailbox never sees the script
        assert [_try_send(box.address, f"try {n}") for n in (1, 2, 3)] == [451, 451, 250]
        assert box.wait(timeout=10).subject == "try 3"
        assert neighbour.wait(timeout=10).subject == "next door"
        assert box.get_faults().rules[0]["used"] == 2
        faulted = _faulted(box, 2)
        assert len(faulted) == 2 and all(d["smtp_code"] == 451 and d["fault"]["reply"] == "451 4.3.0 Try again later" for d in faulted)

        box.clear_faults()
        assert box.get_faults().rules == []
        assert _try_send(box.address, "after clear") == 250
        with pytest.raises(InboxdError) as bad:
            box.set_faults([{"stage": "rcpt", "reply": "250 fine"}])
        assert bad.value.code == "invalid_input"
        box.delete()
        neighbour.delete()


async def test_async_fault_script():
    async with AsyncInboxd() as client:
        box = await client.create_mailbox()
        await box.set_faults([{"stage": "rcpt", "reply": "550 5.1.1 No such user", "times": 1}])
        assert _try_send(box.address, "refused") == 550
        assert (await box.get_faults()).rules[0]["used"] == 1
        await box.clear_faults()
        assert (await box.get_faults()).rules == []
        assert _try_send(box.address, "accepted") == 250
        assert (await box.wait(timeout=10)).subject == "accepted"
        await box.delete()
