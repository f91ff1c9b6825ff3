"""``verify_webhook``: checks a request Inboxd's webhooks sent, by the Standard Webhooks scheme
(https://www.standardwebhooks.com), with the standard library only: HMAC-SHA256 keyed with the
base64 part of the ``whsec_…`` secret, over ``"{webhook-id}.{webhook-timestamp}.{body}"``, one of
the space-separated ``v1,<base64>`` signatures of ``webhook-signature`` matching, and the
timestamp within ``tolerance`` seconds of now (a replayed old request fails).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Mapping

#: the Standard Webhooks default: five minutes either side of now.
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(ValueError):
    """the request is not one signed with this secret (or it is too old or from the future)."""


def _header(headers: Mapping[str, str], name: str) -> str:
    # frameworks hand headers over with any case; HTTP says they are the same header
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"missing header {name}")


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes | str,
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> Any:
    """verifies one webhook request and returns its body parsed as JSON.

    Args:
        secret: the endpoint's ``whsec_…`` secret (from ``client.webhooks.create()``).
        headers: the request's headers (any mapping; names in any case).
        body: the request body exactly as received (bytes, or the str it decodes to).
        tolerance: seconds the ``webhook-timestamp`` may be away from ``now``.
        now: the current Unix time (default ``time.time()``).

    Raises:
        WebhookVerificationError: a header is missing, the timestamp is out of tolerance, or no
            ``v1`` signature matches.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    msg_id = _header(headers, "webhook-id")
    stamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        ts = int(stamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp is not a Unix time: {stamp!r}") from None
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance:
        raise WebhookVerificationError(f"webhook-timestamp {ts} is more than {tolerance:g} s from now ({int(current)})")
    try:
        key = base64.b64decode(secret[len("whsec_"):] if secret.startswith("whsec_") else secret, validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("the secret is not whsec_ followed by base64") from None
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{ts}.".encode() + raw, hashlib.sha256).digest())
    for candidate in signatures.split():
        version, _, sig = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(sig.encode(), expected):
            return json.loads(raw)
    raise WebhookVerificationError("no v1 signature matches the body")
