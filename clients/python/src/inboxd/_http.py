"""The client's HTTP rules, shared by the sync and async clients: where a request goes, which
credential it carries, and how a non-2xx answer becomes an ``InboxdError``. Internal.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote, unquote

import httpx

from .errors import ERROR_CODES, InboxdError, UnexpectedMessage

#: the embedded default of ``inboxd serve``.
DEFAULT_BASE_URL = "http://127.0.0.1:8025"
#: the longest single long-poll request in seconds; a longer wait is several (proxies cut idle requests).
DEFAULT_POLL_SECONDS = 60.0
#: how much longer than the server's own timeout the client waits for its answer.
ANSWER_GRACE_SECONDS = 15.0

_KNOWN = frozenset(ERROR_CODES)

#: a body value sent as JSON null (None means "not given" and is left out).
NULL: Any = object()


@dataclass(frozen=True)
class Settings:
    """What every request needs to know about the client."""

    base_url: str
    api_key: str | None
    headers: Mapping[str, str] = field(default_factory=dict)
    poll_seconds: float = DEFAULT_POLL_SECONDS


def settings_from(
    base_url: str | None,
    api_key: str | None,
    headers: Mapping[str, str] | None,
    poll_seconds: float,
) -> Settings:
    """the settings, with ``INBOXD_URL`` / ``INBOXD_API_KEY`` as defaults."""
    url = base_url or os.environ.get("INBOXD_URL") or DEFAULT_BASE_URL
    key = api_key if api_key is not None else os.environ.get("INBOXD_API_KEY")
    if not poll_seconds > 0:
        raise ValueError("poll_seconds must be greater than 0")
    return Settings(url.rstrip("/"), key or None, dict(headers or {}), poll_seconds)


def seg(value: str | int) -> str:
    """a path segment for an address or id, escaped."""
    return quote(str(value), safe="")


def mailbox_path(address: str, suffix: str = "") -> str:
    return f"/api/v1/mailboxes/{seg(address)}{suffix}"


def auth_headers(s: Settings, session_token: str | None) -> dict[str, str]:
    """a session token as X-Session-Token (it wins for its mailbox), else the API key as Bearer."""
    if session_token:
        return {"x-session-token": session_token}
    if s.api_key:
        return {"authorization": f"Bearer {s.api_key}"}
    return {}


def query(params: Mapping[str, Any]) -> dict[str, str]:
    """the defined query values, booleans as the server reads them."""
    out: dict[str, str] = {}
    for k, v in params.items():
        if v is None:
            continue
        out[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return out


def request_args(
    s: Settings,
    method: str,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    body: Mapping[str, Any] | None = None,
    session_token: str | None = None,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """keyword arguments for ``httpx.Client.build_request``."""
    h = {"accept": "application/json", **s.headers, **auth_headers(s, session_token), **(headers or {})}
    args: dict[str, Any] = {"method": method, "url": s.base_url + path, "headers": h}
    if params:
        args["params"] = query(params)
    if body is not None:
        args["json"] = {k: (None if v is NULL else v) for k, v in body.items() if v is not None}
    return args


def network_error(method: str, s: Settings, path: str, err: Exception) -> InboxdError:
    what = "no answer in time" if isinstance(err, httpx.TimeoutException) else (str(err) or type(err).__name__)
    return InboxdError("network_error", 0, f"{method} {s.base_url}{path.split('?')[0]}: {what}")


def error_from(res: httpx.Response, body: bytes) -> InboxdError:
    """the InboxdError for a non-2xx answer (``body`` already read)."""
    retry_header = res.headers.get("retry-after")
    retry_after = int(retry_header) if retry_header and retry_header.isdigit() else None
    parsed: Any = None
    try:
        parsed = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
        code = parsed["error"]
        message = parsed.get("message") if isinstance(parsed.get("message"), str) else code
        details = {k: v for k, v in parsed.items() if k not in ("error", "message")}
        if code == "unexpected_message":
            return UnexpectedMessage(res.status_code, message, details)
        if code in _KNOWN:
            return InboxdError(code, res.status_code, message, details, retry_after)
        client_code = "internal_error" if code == "internal_error" or res.status_code >= 500 else "unexpected_response"
        return InboxdError(client_code, res.status_code, message, {**details, "error": code}, retry_after)
    snippet = body[:200].decode("utf-8", "replace")
    client_code = "internal_error" if res.status_code >= 500 else "unexpected_response"
    return InboxdError(client_code, res.status_code, f"HTTP {res.status_code}" + (f": {snippet}" if snippet else ""), {}, retry_after)


def parse_json(res: httpx.Response, method: str, path: str) -> Any:
    if res.status_code == 204 or not res.content:
        return None
    try:
        return res.json()
    except ValueError as err:
        raise InboxdError("unexpected_response", res.status_code, f"{method} {path}: the answer is not JSON") from err


def filename_from(header: str | None) -> str | None:
    """the file name from ``Content-Disposition`` (RFC 6266), preferring the UTF-8 ``filename*``."""
    if not header:
        return None
    star = re.search(r"filename\*\s*=\s*UTF-8''([^;]+)", header, re.I)
    if star:
        return unquote(star.group(1).strip())
    plain = re.search(r'filename\s*=\s*"((?:[^"\\]|\\.)*)"|filename\s*=\s*([^;]+)', header, re.I)
    if not plain:
        return None
    value = plain.group(1) if plain.group(1) is not None else plain.group(2).strip()
    return re.sub(r"\\(.)", r"\1", value)
