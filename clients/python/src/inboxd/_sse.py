"""Server-Sent Events as the mailbox stream sends them (``GET …/events``): a line parser that
turns ``event:`` / ``id:`` / ``data:`` blocks into event dicts, and the resume rule (every
reconnect sends ``Last-Event-ID`` = the last seq yielded, the server replays the gap, and a seq
already yielded is dropped). Shared by the sync and async iterators. Internal.
"""

from __future__ import annotations

import json
import random
from typing import Any

#: a connection that lived this long counts as healthy: the next failure starts the backoff over.
HEALTHY_AFTER_SECONDS = 5.0
#: the server says goodbye after these; the iterator ends.
FINAL_EVENTS = frozenset({"mailbox_deleted", "mailbox_expired"})


class Parser:
    """feed it lines (without the line break); it returns an event dict at each blank line."""

    def __init__(self) -> None:
        self._data: list[str] = []
        self._event = ""

    def feed(self, line: str) -> dict[str, Any] | None:
        if line == "":
            data, event = "\n".join(self._data), self._event
            self._data, self._event = [], ""
            if not data:
                return None
            try:
                parsed = json.loads(data)
            except ValueError:
                return None
            if not isinstance(parsed, dict):
                return None
            parsed.setdefault("event", event or "message")
            return parsed
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        if value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        return None


class Resume:
    """what the stream has yielded so far, and when to try again."""

    def __init__(self, since: int, max_attempts: int | None) -> None:
        self.last_seq = since
        self.failures = 0
        self.max_attempts = max_attempts
        self.connections = 0

    def headers(self) -> dict[str, str]:
        self.connections += 1
        return {"accept": "text/event-stream", "last-event-id": str(self.last_seq)}

    def keep(self, event: dict[str, Any]) -> bool:
        """true when the event is to be yielded (pings and replayed seqs are not)."""
        kind = event.get("event")
        if kind == "ping":
            return False
        if kind == "new_message":
            seq = int(event.get("seq") or 0)
            if seq <= self.last_seq:
                return False
            self.last_seq = seq
        return True

    def next_delay(self, healthy: bool) -> float | None:
        """seconds before the next attempt, or None to give up."""
        if healthy:
            self.failures = 0
        self.failures += 1
        if self.max_attempts is not None and self.failures > self.max_attempts:
            return None
        delay = min(10.0, 0.2 * 2 ** (self.failures - 1))
        return delay * (0.5 + random.random() / 2)
