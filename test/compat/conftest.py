"""The compatibility suite's servers: real `node dist/main.js serve` processes (after
`npm run build`), each on free ports with its own temporary data directory and an API key made
with `inboxd admin`, stopped by pid at the end. Run by scripts/python-tests.sh; nothing here is
skipped when something is missing: it fails."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

REPO = Path(os.environ.get("INBOXD_REPO") or Path(__file__).resolve().parents[2])
MAIN = REPO / "dist" / "main.js"
START_TIMEOUT = 120.0


def node() -> str:
    path = shutil.which("node")
    if not path:
        raise pytest.UsageError("node is not on PATH")
    if not MAIN.is_file():
        raise pytest.UsageError(f"{MAIN} is missing: run npm run build first")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """one running `inboxd serve`."""

    url: str
    smtp_host: str
    smtp_port: int
    api_key: str
    user: str
    data_dir: str
    env: dict[str, str]
    smtps_port: int | None = None
    proc: subprocess.Popen | None = None
    log: list[str] = field(default_factory=list)

    def api(self, key: str | None = "default") -> httpx.Client:
        """an httpx client on the REST API, with the server's API key unless told otherwise."""
        token = self.api_key if key == "default" else key
        return httpx.Client(base_url=self.url, headers={"authorization": f"Bearer {token}"} if token else {}, timeout=30)

    def admin(self, *args: str) -> dict:
        out = subprocess.run([node(), str(MAIN), "admin", *args, "--json"], cwd=REPO, env=self.env, check=True, capture_output=True, text=True)
        return json.loads(out.stdout)

    def new_key(self, email: str) -> str:
        self.admin("users", "create", "--email", email, "--plan", "pro")
        return self.admin("keys", "create", "--user", email)["key"]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)


def start(settings: dict[str, str]) -> Server:
    """starts `inboxd serve` with these INBOXD_* settings on free ports; returns once it is ready."""
    data = tempfile.mkdtemp(prefix="inboxd-compat-")
    env = {**os.environ, "INBOXD_DATA_DIR": data, "INBOXD_LOG_LEVEL": "info", "INBOXD_HTTP_PORT": "0", "INBOXD_SMTP_PORT": "0", **settings}
    for name in ("INBOXD_URL", "INBOXD_API_KEY"):
        env.pop(name, None)
    user = f"compat-{uuid.uuid4().hex[:8]}@example.com"
    server = Server("", "", 0, "", user, data, env, int(settings["INBOXD_SMTPS_PORT"]) if "INBOXD_SMTPS_PORT" in settings else None)
    server.api_key = server.new_key(user)
    proc = subprocess.Popen([node(), str(MAIN), "serve"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    server.proc = proc
    ready = threading.Event()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            server.log.append(line)
            del server.log[:-200]
            if not ready.is_set() and '"inboxd ready"' in line:
                info = json.loads(line)
                server.url = info["http"]
                server.smtp_host, port = info["smtp"].rsplit(":", 1)
                server.smtp_port = int(port)
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + START_TIMEOUT
    while not ready.wait(0.2):
        if proc.poll() is not None or time.monotonic() > deadline:
            server.stop()
            raise RuntimeError("inboxd serve did not start:\n" + "".join(server.log))
    return server


@pytest.fixture(scope="session")
def tls_cert() -> tuple[str, str]:
    """a self-signed certificate for localhost and 127.0.0.1 (key, cert), made with openssl."""
    if not shutil.which("openssl"):
        raise pytest.UsageError("openssl is missing (apt-get install openssl)")
    d = tempfile.mkdtemp(prefix="inboxd-compat-tls-")
    key, cert = f"{d}/key.pem", f"{d}/cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    yield key, cert
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture(scope="session")
def dev(tls_cert) -> Server:
    """the laptop default (development: catch-all any, SMTP AUTH any), with STARTTLS and SMTPS."""
    key, cert = tls_cert
    server = start({"INBOXD_ENV": "development", "INBOXD_SMTP_TLS_KEY": key, "INBOXD_SMTP_TLS_CERT": cert, "INBOXD_SMTPS_PORT": str(free_port())})
    yield server
    server.stop()


@pytest.fixture(scope="session")
def keyed() -> Server:
    """SMTP AUTH with API keys: the password must be an active key; its owner owns what is caught."""
    server = start({"INBOXD_ENV": "development", "INBOXD_SMTP_AUTH": "keys", "INBOXD_CATCH_ALL": "any"})
    yield server
    server.stop()


def fresh(domain: str = "inboxd.test") -> str:
    return f"compat-{uuid.uuid4().hex[:10]}@{domain}"


def mailbox(server: Server) -> str:
    """a new mailbox of the server's API key owner."""
    with server.api() as api:
        res = api.post("/api/v1/mailboxes", json={"ttl_minutes": 30})
        assert res.status_code == 201, res.text
        return res.json()["address"]


def wait_for(server: Server, address: str, key: str | None = "default", **filters: str) -> dict:
    """the first message at `address` matching the filters (the server's long-poll)."""
    with server.api(key) as api:
        res = api.get(f"/api/v1/mailboxes/{address}/messages/wait", params={"timeout": 20, **filters}, timeout=40)
        assert res.status_code == 200, res.text
        return res.json()
