"""Shared pieces of the package's tests. They run against a real `inboxd serve` named by
INBOXD_URL / INBOXD_API_KEY / INBOXD_SMTP_HOST / INBOXD_SMTP_PORT (scripts/python-tests.sh
starts one); without it they fail, never skip."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


def _need(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise pytest.UsageError(f"{name} is not set: these tests need a running inboxd serve (see scripts/python-tests.sh)")
    return value


def pytest_configure(config: pytest.Config) -> None:
    for name in ("INBOXD_URL", "INBOXD_API_KEY", "INBOXD_SMTP_HOST", "INBOXD_SMTP_PORT"):
        _need(name)


@pytest.fixture(scope="session")
def repo() -> Path:
    """the Inboxd repository (for the server's error registry)."""
    root = Path(os.environ.get("INBOXD_REPO") or Path(__file__).resolve().parents[3])
    if not (root / "src/core/errors.ts").is_file():
        raise pytest.UsageError(f"no src/core/errors.ts under {root}: set INBOXD_REPO to the Inboxd checkout")
    return root


def send(to: str, subject: str = "hello", text: str = "hi", sender: str = "sender@example.com", attachment: tuple[str, bytes] | None = None, html: str | None = None) -> None:
    """sends one message over real SMTP to the test server."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    if attachment is not None:
        name, data = attachment
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    with smtplib.SMTP(os.environ["INBOXD_SMTP_HOST"], int(os.environ["INBOXD_SMTP_PORT"]), timeout=30) as smtp:
        smtp.send_message(msg)


@pytest.fixture
def mail():
    """``mail(to, subject=..., text=...)``: send over SMTP."""
    return send
