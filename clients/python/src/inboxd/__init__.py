"""inboxd: the Python client for Inboxd, programmable temporary email, and its pytest plugin
(fixtures ``inboxd`` and ``inbox``).

Example::

    from inboxd import Inboxd

    inboxd = Inboxd()  # INBOXD_URL / INBOXD_API_KEY, else http://127.0.0.1:8025
    mailbox = inboxd.create_mailbox(ttl_minutes=10)
    message = mailbox.wait(subject="Verify", timeout=30)
    print(message.codes[0], message.links[0])
    mailbox.delete()
"""

from ._async import AsyncInboxd, AsyncMailbox
from ._http import DEFAULT_BASE_URL
from ._sync import Inboxd, Mailbox
from .errors import CLIENT_ERROR_CODES, ERROR_CODES, InboxdError, UnexpectedMessage, WaitTimeout
from ._webhooks import AsyncWebhooks, Webhooks
from .models import Attachment, Code, DeliveryAttempt, FaultScript, Link, MailboxInfo, Message, SearchResult, Webhook, WebhookAttempt
from .webhooks import WebhookVerificationError, verify_webhook

__version__ = "0.1.0"

__all__ = [
    "AsyncInboxd",
    "AsyncMailbox",
    "AsyncWebhooks",
    "Attachment",
    "CLIENT_ERROR_CODES",
    "Code",
    "DEFAULT_BASE_URL",
    "DeliveryAttempt",
    "ERROR_CODES",
    "FaultScript",
    "Inboxd",
    "InboxdError",
    "Link",
    "Mailbox",
    "MailboxInfo",
    "Message",
    "SearchResult",
    "UnexpectedMessage",
    "WaitTimeout",
    "Webhook",
    "WebhookAttempt",
    "WebhookVerificationError",
    "Webhooks",
    "verify_webhook",
]
