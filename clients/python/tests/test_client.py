"""The blocking client against a real server: create, wait with each filter, read codes, links,
raw source and attachments, expect_none, lists, errors with the server's codes, delete."""

from __future__ import annotations

import uuid

import pytest

from inboxd import Inboxd, InboxdError, UnexpectedMessage, WaitTimeout


@pytest.fixture
def anon():
    with Inboxd(api_key="") as client:
        yield client


def test_defaults_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("INBOXD_URL", "http://127.0.0.1:9/prefix/")
    monkeypatch.setenv("INBOXD_API_KEY", "ibx_from_env")
    with Inboxd() as client:
        assert client.base_url == "http://127.0.0.1:9/prefix"
        assert client.api_key == "ibx_from_env"
    with Inboxd("http://example.test", api_key="") as explicit:
        assert (explicit.base_url, explicit.api_key) == ("http://example.test", None)


def test_an_anonymous_mailbox_gets_a_code_a_link_the_raw_source_and_an_attachment(anon, mail):
    mailbox = anon.create_mailbox(ttl_minutes=5)
    assert mailbox.session_token and mailbox.info.address == mailbox.address == str(mailbox)
    mail(mailbox.address, subject="Verify your account", text="Your code is 482913\nOpen https://app.example.com/verify?t=abc", attachment=("report.bin", b"\x00\x01bytes"))
    message = mailbox.wait(subject="verify", timeout=10)
    assert message.codes[0] == "482913" and message.code == "482913"
    assert message.codes[0].source in ("subject", "text") and "482913" in message.codes[0].context
    assert message.links[0] == "https://app.example.com/verify?t=abc" and message.links[0].source == "text"
    assert message.from_ == "sender@example.com" and message.subject == "Verify your account"
    assert b"Subject: Verify your account" in message.raw()
    att = message.attachment(0)
    assert (att.filename, att.content) == ("report.bin", b"\x00\x01bytes")
    assert message.attachments[0]["filename"] == "report.bin"
    mailbox.delete()


def test_wait_filters_by_from_body_pattern_after_seq_and_count(anon, mail):
    mailbox = anon.create_mailbox()
    mail(mailbox.address, subject="first", text="alpha body", sender="one@example.com")
    mail(mailbox.address, subject="second", text="beta body 7731", sender="two@example.org")
    assert mailbox.wait(from_="two@", timeout=10).subject == "second"
    assert mailbox.wait(body="ALPHA", timeout=10).subject == "first"
    assert mailbox.wait(pattern=r"beta body \d{4}", timeout=10).subject == "second"
    assert mailbox.wait(after_seq=1, timeout=10).seq == 2
    both = mailbox.wait(count=2, timeout=10)
    assert [m.subject for m in both] == ["first", "second"]
    mailbox.delete()


def test_a_wait_that_times_out_says_what_did_arrive(anon, mail):
    mailbox = anon.create_mailbox()
    mail(mailbox.address, subject="Welcome aboard", text="nothing to see")
    with pytest.raises(WaitTimeout) as caught:
        mailbox.wait(subject="Reset your password", timeout=1)
    err = caught.value
    assert err.code == "wait_timeout" and err.status == 408
    assert "Welcome aboard" in str(err) and "subject='Reset your password'" in str(err)
    assert [m.subject for m in err.arrived] == ["Welcome aboard"]
    # the server's explanation: the filter each near miss failed
    assert err.arrived[0].failed == ["subject"] and "failed subject" in str(err)
    mailbox.delete()


def test_expect_none_passes_on_silence_and_names_a_message_that_arrived(anon, mail):
    mailbox = anon.create_mailbox()
    mailbox.expect_none(within=0.5)
    mail(mailbox.address, subject="surprise")
    mailbox.wait(subject="surprise", timeout=10)
    with pytest.raises(UnexpectedMessage) as caught:
        mailbox.expect_none(within=0.5, subject="surprise")
    assert caught.value.details["subject"] == "surprise" and caught.value.status == 409
    assert caught.value.unexpected is not None and caught.value.unexpected["subject"] == "surprise"
    mailbox.expect_none(within=0.5, after_seq=mailbox.refresh().last_seq)
    mailbox.delete()


def test_lists_give_summaries_and_fetch_gives_the_whole_message(anon, mail):
    mailbox = anon.create_mailbox()
    for n in range(3):
        mail(mailbox.address, subject=f"note {n}")
    mailbox.wait(count=3, timeout=10)
    newest_first = mailbox.messages()
    assert [m.subject for m in newest_first] == ["note 2", "note 1", "note 0"]
    assert [m.seq for m in mailbox.messages(order="asc", after_seq=1)] == [2, 3]
    summary = newest_first[0]
    assert not summary.whole
    with pytest.raises(AttributeError, match="fetch"):
        summary.body_text
    whole = summary.fetch()
    assert whole.whole and whole.body_text.strip() == "hi" and whole.is_read
    summary.delete()
    assert [m.seq for m in mailbox.messages()] == [2, 1]
    assert mailbox.latest_code() is None
    mailbox.delete()


def test_errors_carry_the_server_code_status_and_message(anon):
    with pytest.raises(InboxdError) as missing:
        anon.mailbox(f"nobody-{uuid.uuid4().hex[:8]}@inboxd.test").refresh()
    assert (missing.value.code, missing.value.status) in {("unauthorized", 401), ("mailbox_not_found", 404)}
    with Inboxd(api_key="ibx_not_a_real_key_000000000000000000000000") as bad:
        with pytest.raises(InboxdError) as unauthorized:
            bad.create_mailbox()
    assert unauthorized.value.code == "unauthorized" and unauthorized.value.status == 401
    mailbox = anon.create_mailbox()
    mailbox.delete()
    with pytest.raises(InboxdError) as gone:
        mailbox.refresh()
    assert gone.value.code in ("mailbox_not_found", "mailbox_expired")


def test_a_server_that_is_not_there_is_a_network_error():
    with Inboxd("http://127.0.0.1:9", api_key="") as client:
        with pytest.raises(InboxdError) as caught:
            client.domains()
    assert caught.value.code == "network_error" and caught.value.status == 0


def test_an_api_key_chooses_addresses_and_tears_down_a_group(mail):
    group = f"py-{uuid.uuid4().hex[:8]}"
    local = f"py-{uuid.uuid4().hex[:8]}"
    with Inboxd() as client:
        domain = client.domains()["default"]
        chosen = client.create_mailbox(local_part=local, group=group, ttl_minutes=10)
        assert chosen.address == f"{local}@{domain}" and chosen.session_token is None
        other = client.create_mailbox(group=group)
        assert sorted(m.address for m in client.mailboxes(group=group)) == sorted([chosen.address, other.address])
        with pytest.raises(InboxdError) as taken:
            client.create_mailbox(local_part=local)
        assert taken.value.code == "address_taken"
        mail(chosen.address, subject="keyed")
        assert chosen.wait(timeout=10).subject == "keyed"
        assert chosen.extend(30).expires_at is not None
        gone = client.delete_group(group)
        assert gone["deleted"] == 2 and client.mailboxes(group=group) == []
