"""What each client method asks of the REST API (method, path, query, body) and how a wait's
failure is worded, written once for the sync and the async clients, which differ only in how
they send. Internal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ._http import mailbox_path
from .errors import WaitTimeout
from .models import Message, summarize


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: Mapping[str, Any] = field(default_factory=dict)
    body: Mapping[str, Any] | None = None


def create_mailbox(
    ttl_minutes: int | None,
    group: str | None,
    local_part: str | None,
    address: str | None,
    domain: str | None,
) -> Call:
    body = {"ttl_minutes": ttl_minutes, "group": group, "local_part": local_part, "address": address, "domain": domain}
    return Call("POST", "/api/v1/mailboxes", body=body)


def list_messages(
    address: str,
    after_seq: int | None,
    limit: int | None,
    offset: int | None,
    unread: bool | None,
    from_: str | None,
    subject: str | None,
    order: str | None,
) -> Call:
    params = {"after_seq": after_seq, "limit": limit, "offset": offset, "unread": unread, "from": from_, "subject": subject, "order": order}
    return Call("GET", mailbox_path(address, "/messages"), params)


def search(query: str, limit: int | None, offset: int | None) -> Call:
    return Call("GET", "/api/v1/messages", {"query": query, "limit": limit, "offset": offset})


def export_format(format: str) -> str:
    # checked here so a typo fails before a request, with the choices named
    if format not in ("mbox", "zip"):
        raise ValueError(f"format must be 'mbox' or 'zip', not {format!r}")
    return format


def export_mailbox(address: str, format: str) -> Call:
    return Call("GET", mailbox_path(address, "/export"), {"format": export_format(format)})


def export_mailboxes(group: str | None, format: str) -> Call:
    return Call("GET", "/api/v1/mailboxes/export", {"group": group, "format": export_format(format)})


def filters(from_: str | None, subject: str | None, body: str | None, pattern: str | None, after_seq: int | None) -> dict[str, Any]:
    return {"from": from_, "subject": subject, "body": body, "pattern": pattern, "after_seq": after_seq}


def wait_once(address: str, f: Mapping[str, Any], count: int, seconds: float) -> Call:
    return Call("GET", mailbox_path(address, "/messages/wait"), {**f, "timeout": _secs(seconds), "count": None if count == 1 else count})


def expect_none_once(address: str, f: Mapping[str, Any], seconds: float) -> Call:
    return Call("GET", mailbox_path(address, "/messages/wait"), {**f, "expect": "none", "timeout": _secs(seconds)})


def _secs(seconds: float) -> str:
    return f"{max(0.0, seconds):.3f}".rstrip("0").rstrip(".") or "0"


def waited(found: Any, mailbox: Any) -> list[Message]:
    """the messages a wait answered with (one message, or ``{messages: [...]}``)."""
    items = found["messages"] if isinstance(found, dict) and "messages" in found else [found]
    return [Message(m, mailbox) for m in items]


def timeout_error(
    address: str,
    f: Mapping[str, Any],
    count: int,
    total: float,
    status: int,
    details: Mapping[str, Any],
    arrived: list[Message],
    refused: list[dict[str, Any]],
) -> WaitTimeout:
    """a WaitTimeout whose text names the filters, what arrived meanwhile and what was refused."""
    what = "no matching message" if count == 1 else f"fewer than {count} matching messages"
    wanted = ", ".join(f"{k}={v!r}" for k, v in f.items() if v is not None) or "any message"
    lines = [f"{what} arrived at {address} within {_secs(total)} s (waiting for {wanted})"]
    where = "" if not f.get("after_seq") else f" after seq {f['after_seq']}"
    if arrived:
        lines.append(f"what did arrive{where} ({len(arrived)}), none matching:")
        lines.append(summarize(arrived))
    else:
        lines.append(f"nothing arrived{where}")
    if refused:
        lines.append(f"refused or faulted delivery attempts ({len(refused)}):")
        lines.extend(f"  {r.get('at')} {r.get('outcome')} from {r.get('envelope_from') or '?'}: {r.get('response')}" for r in refused)
    return WaitTimeout(status, "\n".join(lines), details, arrived, refused)


def explained(details: Mapping[str, Any], mailbox: Any) -> tuple[list[Message], list[dict[str, Any]]] | None:
    """the server's own explanation of a timed-out wait (``arrived`` with the filters each message
    failed, newest first; ``refused`` with faulted attempts), or None from a server that sends none."""
    arrived, refused = details.get("arrived"), details.get("refused")
    if not isinstance(arrived, list) or not isinstance(refused, list):
        return None
    return [Message(m, mailbox) for m in arrived], [dict(r) for r in refused]


def refused_since(attempts: list[dict[str, Any]], since_iso: str) -> list[dict[str, Any]]:
    return [a for a in attempts if a.get("outcome") == "refused" and str(a.get("at", "")) >= since_iso]
