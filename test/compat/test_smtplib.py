"""Python's smtplib, as applications send with it, against a real `inboxd serve`: plain,
login() with AUTH any and with API keys, starttls() with a test certificate, implicit TLS,
SMTPUTF8 and BODY=8BITMIME given twice (as send_message does when asked for them), 8-bit bodies,
and catch-all delivery to a random domain."""

from __future__ import annotations

import smtplib
import ssl
import uuid
from email.message import EmailMessage

import pytest

from conftest import fresh, mailbox, wait_for


def message(to: str, subject: str, text: str = "hello from smtplib", sender: str = "app@example.com") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg.set_content(text)
    return msg


def test_plain_delivery_to_a_created_mailbox(dev):
    address = mailbox(dev)
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        assert smtp.ehlo()[0] == 250
        refused = smtp.send_message(message(address, "plain smtplib"))
    assert refused == {}
    assert wait_for(dev, address)["subject"] == "plain smtplib"


def test_the_250_after_data_names_what_was_stored(dev):
    address = mailbox(dev)
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail("app@example.com")
        smtp.rcpt(address)
        code, text = smtp.data(message(address, "queued").as_bytes())
    stored = wait_for(dev, address)
    assert (code, text.decode()) == (250, f"2.0.0 Ok: queued as {stored['id']}")


def test_login_with_any_user_and_password_then_catch_all(dev):
    address = fresh(f"random-{uuid.uuid4().hex[:8]}.example")
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        assert "auth" in smtp.esmtp_features
        code, _ = smtp.login("whoever", "whatever")
        assert code == 235
        assert smtp.send_message(message(address, "after login any")) == {}
    # development without a catch-all owner: caught mail is readable by loopback clients without credentials
    assert wait_for(dev, address, key=None)["subject"] == "after login any"


def test_catch_all_takes_any_recipient_at_a_random_domain_without_auth(dev):
    address = fresh(f"nowhere-{uuid.uuid4().hex[:8]}.test")
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        assert smtp.send_message(message(address, "caught")) == {}
    caught = wait_for(dev, address, key=None)
    assert caught["subject"] == "caught" and caught["to"] == [address]


def test_login_with_an_api_key_owns_what_it_catches_and_a_wrong_key_is_535(keyed):
    with smtplib.SMTP(keyed.smtp_host, keyed.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        with pytest.raises(smtplib.SMTPAuthenticationError) as wrong:
            smtp.login("app", "ibx_this_is_not_an_active_key_000000000000")
        assert wrong.value.smtp_code == 535 and wrong.value.smtp_error.startswith(b"5.7.8")
    address = fresh(f"keyed-{uuid.uuid4().hex[:8]}.example")
    with smtplib.SMTP(keyed.smtp_host, keyed.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.login("app", keyed.api_key)[0] == 235
        assert smtp.send_message(message(address, "caught with a key")) == {}
    assert wait_for(keyed, address)["subject"] == "caught with a key"
    with keyed.api() as api:
        assert address in [m["address"] for m in api.get("/api/v1/mailboxes").json()]


def test_starttls_with_a_verified_test_certificate(dev, tls_cert):
    _, cert = tls_cert
    address = mailbox(dev)
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("starttls")
        assert smtp.starttls(context=ssl.create_default_context(cafile=cert))[0] == 220
        smtp.ehlo()
        assert smtp.login("tls-user", "tls-password")[0] == 235
        assert smtp.send_message(message(address, "over starttls")) == {}
    assert wait_for(dev, address)["subject"] == "over starttls"


def test_implicit_tls_on_the_smtps_port(dev, tls_cert):
    _, cert = tls_cert
    address = mailbox(dev)
    with smtplib.SMTP_SSL(dev.smtp_host, dev.smtps_port, context=ssl.create_default_context(cafile=cert), timeout=30) as smtp:
        assert smtp.send_message(message(address, "over smtps")) == {}
    assert wait_for(dev, address)["subject"] == "over smtps"


def test_smtputf8_and_8bitmime_given_twice_as_send_message_does(dev):
    address = mailbox(dev)
    # a non-ASCII sender makes send_message add SMTPUTF8 and BODY=8BITMIME itself: with ours, each twice
    msg = message(address, "Grüße, Jörg", "Ünïcödé body ✓", sender="jörg@exämple.com")
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("smtputf8")
        assert smtp.send_message(msg, mail_options=["SMTPUTF8", "BODY=8BITMIME"]) == {}
    stored = wait_for(dev, address)
    assert stored["subject"] == "Grüße, Jörg" and stored["from"] == "jörg@exämple.com"
    assert "Ünïcödé body ✓" in stored["body_text"]


def test_an_8bit_body_with_body_8bitmime(dev):
    address = mailbox(dev)
    raw = (
        f"From: app@example.com\r\nTo: {address}\r\nSubject: eight bit\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nçà et là, 8-bit — ok\r\n"
    ).encode()
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        smtp.ehlo()
        assert smtp.has_extn("8bitmime")
        assert smtp.sendmail("app@example.com", [address], raw, mail_options=["BODY=8BITMIME"]) == {}
    assert "çà et là, 8-bit — ok" in wait_for(dev, address)["body_text"]


def test_a_utf8_local_part_is_delivered_end_to_end(dev):
    local = f"jörg-{uuid.uuid4().hex[:6]}"
    with dev.api() as api:
        created = api.post("/api/v1/mailboxes", json={"local_part": local})
        assert created.status_code == 201, created.text
        address = created.json()["address"]
    with smtplib.SMTP(dev.smtp_host, dev.smtp_port, timeout=30) as smtp:
        assert smtp.send_message(message(address, "to a UTF-8 local part"), mail_options=["SMTPUTF8"]) == {}
    assert wait_for(dev, address)["subject"] == "to a UTF-8 local part"
