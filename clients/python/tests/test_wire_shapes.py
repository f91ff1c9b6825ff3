"""The Python models' fields pinned to the server's wire shapes: each model's ``FIELDS`` is
exactly the properties of its component in docs/openapi.json (generated from the zod shapes in
src/presenters), so a field the server adds, renames or drops fails here until the client
follows. Every component is either pinned to a model or named below as one the client does not
model, so a new component is noticed too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inboxd import models

#: OpenAPI component -> the client's fields for it
PINNED = {
    "Mailbox": models.MailboxInfo.FIELDS,
    "Message": models.Message.FIELDS,
    "MessageSummary": models.SUMMARY_FIELDS,
    "SearchResult": models.SearchResult.FIELDS,
    "DeliveryAttempt": models.DeliveryAttempt.FIELDS,
    "FaultScript": models.FaultScript.FIELDS,
    "Webhook": models.Webhook.FIELDS,
    "WebhookAttempt": models.WebhookAttempt.FIELDS,
}

#: components the client hands back as plain values or dicts (or never reads), with why
NOT_MODELLED = {
    "Error": "becomes InboxdError (code, message, details)",
    "DomainList": "domains() returns the dict",
    "DeletedGroup": "delete_group() returns the dict",
    "Health": "the client never reads /health",
    "SesOutcome": "the SES inbound endpoint is the server's, not a client call",
    "WebhookTest": "webhooks.test() returns its event_id",
    "WebhookReplay": "webhooks.replay() returns the queued count",
}


@pytest.fixture(scope="module")
def schemas(repo: Path) -> dict:
    return json.loads((repo / "docs/openapi.json").read_text())["components"]["schemas"]


@pytest.mark.parametrize("component", sorted(PINNED))
def test_a_model_covers_exactly_its_components_properties(schemas, component):
    wire = set(schemas[component]["properties"])
    ours = PINNED[component]
    assert len(ours) == len(set(ours)), f"{component}: a field is listed twice"
    assert set(ours) == wire, (
        f"{component}: the server has {sorted(wire - set(ours))} that the client lacks, "
        f"the client has {sorted(set(ours) - wire)} that the server does not send"
    )


def test_every_component_is_pinned_or_named_as_not_modelled(schemas):
    assert set(schemas) == set(PINNED) | set(NOT_MODELLED)
    assert not set(PINNED) & set(NOT_MODELLED)


def test_a_summary_names_the_fields_only_a_whole_message_has(schemas):
    whole_only = set(schemas["Message"]["properties"]) - set(schemas["MessageSummary"]["properties"])
    assert models._WHOLE_ONLY == whole_only
    summary = models.Message({"id": "m1", "seq": 1})
    with pytest.raises(AttributeError, match="summary"):
        summary.header_message_id
    assert "from_address" in dir(summary) and "from" not in dir(summary)
