"""swaks (Debian's package), the SMTP test tool admins reach for, against a real `inboxd serve`:
plain, AUTH with any credentials and with an API key, STARTTLS and implicit TLS."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest

from conftest import fresh, mailbox, wait_for


def swaks(*args: str) -> subprocess.CompletedProcess:
    path = shutil.which("swaks")
    if not path:
        raise pytest.UsageError("swaks is missing (scripts/ensure-swaks.sh installs Debian's package)")
    return subprocess.run([path, "--silent", "1", "--timeout", "30", *args], capture_output=True, text=True, timeout=120)


def test_plain(dev):
    address = mailbox(dev)
    run = swaks("--server", f"{dev.smtp_host}:{dev.smtp_port}", "--to", address, "--from", "swaks@example.com", "--header", "Subject: plain swaks", "--body", "code 662190")
    assert run.returncode == 0, run.stdout + run.stderr
    stored = wait_for(dev, address)
    assert stored["subject"] == "plain swaks" and stored["codes"][0]["value"] == "662190"


def test_auth_any_over_starttls_to_a_caught_address(dev):
    address = fresh(f"swaks-{uuid.uuid4().hex[:8]}.example")
    run = swaks("--server", f"{dev.smtp_host}:{dev.smtp_port}", "--tls", "--auth", "PLAIN", "--auth-user", "anyone", "--auth-password", "anything",
                "--to", address, "--header", "Subject: swaks starttls auth")
    assert run.returncode == 0, run.stdout + run.stderr
    assert wait_for(dev, address, key=None)["subject"] == "swaks starttls auth"


def test_implicit_tls(dev):
    address = mailbox(dev)
    run = swaks("--server", f"{dev.smtp_host}:{dev.smtps_port}", "--tlsc", "--to", address, "--header", "Subject: swaks smtps")
    assert run.returncode == 0, run.stdout + run.stderr
    assert wait_for(dev, address)["subject"] == "swaks smtps"


def test_auth_login_with_an_api_key_and_a_wrong_one(keyed):
    address = fresh(f"swaks-keyed-{uuid.uuid4().hex[:6]}.example")
    wrong = swaks("--server", f"{keyed.smtp_host}:{keyed.smtp_port}", "--auth", "LOGIN", "--auth-user", "app", "--auth-password", "not-a-key", "--to", address)
    assert wrong.returncode != 0 and "535 5.7.8" in wrong.stdout + wrong.stderr
    run = swaks("--server", f"{keyed.smtp_host}:{keyed.smtp_port}", "--auth", "LOGIN", "--auth-user", "app", "--auth-password", keyed.api_key,
                "--to", address, "--header", "Subject: swaks keyed")
    assert run.returncode == 0, run.stdout + run.stderr
    assert wait_for(keyed, address)["subject"] == "swaks keyed"
