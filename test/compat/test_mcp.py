"""The official Python MCP SDK's client against Inboxd's MCP server, over Streamable HTTP
(`/mcp`, Bearer API key) and over stdio (`node dist/main.js mcp`): create a mailbox, wait for a
code sent over real SMTP, read the message; the HTTP session ends with a DELETE answered 2xx."""

from __future__ import annotations

import os
import smtplib
from email.message import EmailMessage

import httpx2
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from conftest import MAIN, REPO, node


def send(server, to: str, subject: str, text: str) -> None:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "shop@example.com", to, subject
    msg.set_content(text)
    with smtplib.SMTP(server.smtp_host, server.smtp_port, timeout=30) as smtp:
        smtp.send_message(msg)


async def scenario(client: Client, server) -> str:
    names = sorted(t.name for t in (await client.list_tools()).tools)
    assert {"create_mailbox", "wait_for_message", "read_message", "get_messages", "delete_mailbox"} <= set(names)
    created = await client.call_tool("create_mailbox", {"ttl_minutes": 10})
    assert not created.is_error, created
    address = created.structured_content["mailbox"]["address"]
    send(server, address, "Your sign-in code", "Your verification code is 482913.")
    waited = await client.call_tool("wait_for_message", {"address": address, "timeout_seconds": 30, "subject": "code"})
    assert not waited.is_error, waited
    message = waited.structured_content["message"]
    assert message["codes"][0]["value"] == "482913"
    read = await client.call_tool("read_message", {"address": address, "message_id": message["id"]})
    assert not read.is_error, read
    assert "Your verification code is 482913." in read.structured_content["message"]["text"]
    assert read.structured_content["message"]["from"] == "shop@example.com"
    return address


def http_client(server, seen: list[tuple[str, int]]) -> httpx2.AsyncClient:
    async def record(response: httpx2.Response) -> None:
        seen.append((response.request.method, response.status_code))

    return httpx2.AsyncClient(headers={"authorization": f"Bearer {server.api_key}"}, timeout=httpx2.Timeout(30, read=120), event_hooks={"response": [record]})


async def test_streamable_http_create_wait_read(dev):
    seen: list[tuple[str, int]] = []
    async with http_client(dev, seen) as http:
        async with Client(streamable_http_client(f"{dev.url}/mcp", http_client=http)) as client:
            await scenario(client, dev)
    assert ("POST", 200) in seen


async def test_streamable_http_session_ends_with_a_2xx_delete(dev):
    seen: list[tuple[str, int]] = []
    async with http_client(dev, seen) as http:
        async with Client(streamable_http_client(f"{dev.url}/mcp", http_client=http)) as client:
            assert (await client.list_tools()).tools
    deletes = [status for method, status in seen if method == "DELETE"]
    assert deletes, f"the SDK sent no DELETE to end its session: {seen}"
    assert all(200 <= status < 300 for status in deletes), f"DELETE /mcp answered {deletes}"


async def test_stdio_inboxd_mcp(dev):
    params = StdioServerParameters(
        command=node(),
        args=[str(MAIN), "mcp"],
        cwd=str(REPO),
        env={"PATH": os.environ.get("PATH", ""), "INBOXD_URL": dev.url, "INBOXD_API_KEY": dev.api_key},
    )
    async with Client(params) as client:
        assert client.server_info is None or client.server_info.name == "inboxd"
        await scenario(client, dev)
