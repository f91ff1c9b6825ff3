"""The pytest plugin, run the way a user runs it (a pytest subprocess in a fresh directory, the
plugin loaded from the installed package's pytest11 entry point), against the real server."""

from __future__ import annotations

import json

import pytest

from inboxd import Inboxd, InboxdError

SENDER = '''
import os, smtplib, json
from email.message import EmailMessage

def send(to, subject, text="hi"):
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "app@example.com", to, subject
    msg.set_content(text)
    with smtplib.SMTP(os.environ["INBOXD_SMTP_HOST"], int(os.environ["INBOXD_SMTP_PORT"])) as s:
        s.send_message(msg)

def record(inbox, group):
    with open(f"seen-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{inbox.address}.json", "w") as f:
        json.dump({"address": inbox.address, "group": group}, f)
'''


def seen(pytester: pytest.Pytester) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(pytester.path.glob("seen-*.json"))]


def test_a_three_line_test_gets_its_code_and_the_inbox_is_deleted_after(pytester: pytest.Pytester):
    pytester.makepyfile(sender=SENDER)
    pytester.makepyfile(
        test_signup='''
from sender import send, record

def test_code(inbox, inboxd_group):
    record(inbox, inboxd_group)
    send(inbox.address, "Verify", "Your code is 739201")
    assert inbox.wait(subject="Verify").codes[0] == "739201"
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    [record] = seen(pytester)
    assert record["group"].startswith("pytest-")
    with Inboxd() as client:
        with pytest.raises(InboxdError) as gone:
            client.mailbox(record["address"]).refresh()
        assert gone.value.code in ("mailbox_not_found", "mailbox_expired")


def test_a_failing_wait_shows_what_did_arrive(pytester: pytest.Pytester):
    pytester.makepyfile(sender=SENDER)
    pytester.makepyfile(
        test_wrong='''
from sender import send

def test_wrong_subject(inbox):
    send(inbox.address, "Welcome to Acme")
    inbox.wait(subject="Reset your password", timeout=1)
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "WaitTimeout" in out and "subject='Reset your password'" in out
    assert "what did arrive (1), none matching" in out and "Welcome to Acme" in out
    assert "inboxd: what " in out  # the report section of the failed test


def test_under_xdist_each_worker_has_its_own_group_and_tears_it_down(pytester: pytest.Pytester):
    pytester.makepyfile(sender=SENDER)
    pytester.makepyfile(
        test_many='''
import pytest
from sender import send, record

@pytest.mark.parametrize("n", range(6))
def test_each(inbox, inboxd, inboxd_group, n):
    record(inbox, inboxd_group)
    inboxd.create_mailbox(group=inboxd_group)  # left behind on purpose: the group tear-down takes it
    send(inbox.address, f"message {n}")
    assert inbox.wait().subject == f"message {n}"
'''
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2")
    result.assert_outcomes(passed=6)
    records = seen(pytester)
    assert len({r["address"] for r in records}) == 6
    groups = {r["group"] for r in records}
    assert len(groups) == 2, groups
    assert len({g.rsplit("-", 1)[0] for g in groups}) == 1  # one run id, one group per worker
    with Inboxd() as client:
        for group in groups:
            assert client.mailboxes(group=group) == []  # the 6 left-behind mailboxes went with their group
