"""httpx as a client written for the seed's API reads Inboxd: `from_address` / `to_address` on
messages (list and detail), `offset` paging, an error's `detail`, `session_token: null` with an
API key, and a bodiless request sent with `Content-Type: application/json`."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage

from conftest import wait_for



def send(server, to: str, subject: str, sender: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = f"Sender Name <{sender}>", to, subject
    msg.set_content("seed client")
    with smtplib.SMTP(server.smtp_host, server.smtp_port, timeout=30) as smtp:
        smtp.send_message(msg)


def test_messages_carry_from_address_and_to_address(dev):
    with dev.api() as api:
        address = api.post("/api/v1/mailboxes", params={"ttl_minutes": 10}).json()["address"]
        send(dev, address, "seed fields", "billing@shop.example")
        wait_for(dev, address)
        [summary] = api.get(f"/api/v1/mailboxes/{address}/messages").json()
        assert (summary["from_address"], summary["to_address"]) == ("billing@shop.example", address)
        detail = api.get(f"/api/v1/mailboxes/{address}/messages/{summary['id']}").json()
        assert (detail["from_address"], detail["to_address"]) == ("billing@shop.example", address)


def test_offset_pages_through_a_list(dev):
    with dev.api() as api:
        address = api.post("/api/v1/mailboxes", params={"ttl_minutes": 10}).json()["address"]
        for n in range(3):
            send(dev, address, f"page {n}", "a@example.com")
        api.get(f"/api/v1/mailboxes/{address}/messages/wait", params={"after_seq": 2, "timeout": 20}, timeout=40)
        pages = [api.get(f"/api/v1/mailboxes/{address}/messages", params={"limit": 1, "offset": o}) for o in range(4)]
        assert [p.status_code for p in pages] == [200] * 4
        assert [[m["subject"] for m in p.json()] for p in pages] == [["page 2"], ["page 1"], ["page 0"], []]


def test_errors_carry_detail_as_the_seed_answered(dev):
    with dev.api() as api:
        res = api.get("/api/v1/mailboxes/nobody-here@inboxd.test/messages")
    body = res.json()
    assert res.status_code == 404 and body["error"] == "mailbox_not_found"
    assert isinstance(body["detail"], str) and body["detail"] == body["message"]


def test_a_key_owners_mailbox_answers_session_token_null(dev):
    with dev.api() as api:
        body = api.post("/api/v1/mailboxes", params={"ttl_minutes": 10}).json()
    assert "session_token" in body and body["session_token"] is None


def test_a_json_content_type_with_no_body_is_no_body(dev):
    with dev.api() as api:
        address = api.post("/api/v1/mailboxes", headers={"content-type": "application/json"}).json()["address"]
        res = api.delete(f"/api/v1/mailboxes/{address}", headers={"content-type": "application/json"})
    assert res.status_code == 204, res.text
