"""Inboxd in a container for a pytest suite (testcontainers): a generic container from the image,
ready when /health answers; a mailbox over REST, mail in over SMTP, the code read back.

INBOXD_IMAGE: the image (default inboxd:0.1.0: `docker build -t inboxd:0.1.0 .` in the repository).
"""
import os
import smtplib
import time
from email.message import EmailMessage

import httpx
import pytest
from testcontainers.core.container import DockerContainer


@pytest.fixture(scope="session")
def inboxd():
    container = DockerContainer(os.environ.get("INBOXD_IMAGE", "inboxd:0.1.0")).with_exposed_ports(8025, 2525)
    with container:
        host = container.get_container_host_ip()
        api = f"http://{host}:{container.get_exposed_port(8025)}"
        deadline = time.monotonic() + 60
        while True:  # the generic wait: /health answers 200
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Inboxd did not answer {api}/health within 60 s")
            time.sleep(0.5)
        yield {"api": api, "smtp_host": host, "smtp_port": int(container.get_exposed_port(2525))}


def test_a_mailbox_receives_mail_and_its_code_is_read(inboxd):
    created = httpx.post(f"{inboxd['api']}/api/v1/mailboxes", params={"ttl_minutes": 10}).json()
    msg = EmailMessage()
    msg["From"] = "shop@example.com"
    msg["To"] = created["address"]
    msg["Subject"] = "Your code"
    msg.set_content("Your code is 482913.")
    with smtplib.SMTP(inboxd["smtp_host"], inboxd["smtp_port"], timeout=30) as smtp:
        smtp.send_message(msg)

    wait = httpx.get(
        f"{inboxd['api']}/api/v1/mailboxes/{created['address']}/messages/wait",
        params={"subject": "Your code", "timeout": 30},
        headers={"X-Session-Token": created["session_token"]},
        timeout=40,
    )
    assert wait.status_code == 200
    assert wait.json()["codes"][0]["value"] == "482913"
