"""The pytest plugin (entry point ``pytest11``, loaded once the package is installed).

Fixtures:
    inboxd: a client for the session (``--inboxd-url`` / ``INBOXD_URL``, ``--inboxd-api-key`` /
        ``INBOXD_API_KEY``).
    inbox: a fresh mailbox per test, deleted after it.
    inboxd_group: the run group every ``inbox`` of this session is created in. With an API key
        the whole group is deleted at the end of the session, so a test that crashed its process
        leaves nothing behind. Under pytest-xdist each worker has its own group (the run id plus
        the worker id), so one worker's tear-down never touches another's mailboxes.

When a test that used ``inbox`` fails, its report gets a section listing what the mailbox
received; a wait that times out already says so in its error.

Example::

    def test_signup_sends_a_code(inbox):
        signup(email=inbox.address)
        assert inbox.wait(subject="Verify").codes[0].isdigit()
"""

from __future__ import annotations

import uuid
import warnings
from typing import Any, Iterator

import pytest

from ._sync import Inboxd, Mailbox
from .errors import InboxdError
from .models import summarize


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("inboxd", "Inboxd temporary mailboxes")
    group.addoption("--inboxd-url", default=None, help="the Inboxd server (default: INBOXD_URL, else http://127.0.0.1:8025)")
    group.addoption("--inboxd-api-key", default=None, help="an Inboxd API key (default: INBOXD_API_KEY; without one, mailboxes are anonymous)")
    group.addoption("--inboxd-ttl", type=int, default=None, help="minutes each inbox lives at most (default: the plan's)")


def _run_group(config: pytest.Config) -> str:
    worker = getattr(config, "workerinput", None)
    if worker is not None:
        # xdist gives every worker the controller's run id: one name per run, one group per worker
        return f"pytest-{str(worker.get('testrunuid', uuid.uuid4().hex))[:12]}-{worker.get('workerid', 'gw')}"
    return f"pytest-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="session")
def inboxd_group(pytestconfig: pytest.Config) -> str:
    """the run group this session's ``inbox`` mailboxes are created in."""
    return _run_group(pytestconfig)


@pytest.fixture(scope="session")
def inboxd(pytestconfig: pytest.Config, inboxd_group: str) -> Iterator[Inboxd]:
    """an Inboxd client for the session; with an API key, the run group is deleted at the end."""
    client = Inboxd(
        base_url=pytestconfig.getoption("inboxd_url") or None,
        api_key=pytestconfig.getoption("inboxd_api_key") or None,
    )
    try:
        yield client
    finally:
        if client.api_key:
            try:
                client.delete_group(inboxd_group)
            except InboxdError as err:
                warnings.warn(f"inboxd: could not delete the run group {inboxd_group}: {err}", stacklevel=1)
        client.close()


@pytest.fixture
def inbox(inboxd: Inboxd, inboxd_group: str, pytestconfig: pytest.Config, request: pytest.FixtureRequest) -> Iterator[Mailbox]:
    """a fresh mailbox for this test, deleted after it."""
    mailbox = inboxd.create_mailbox(ttl_minutes=pytestconfig.getoption("inboxd_ttl"), group=inboxd_group)
    request.node.stash[_MAILBOXES] = [*request.node.stash.get(_MAILBOXES, []), mailbox]
    try:
        yield mailbox
    finally:
        try:
            mailbox.delete()
        except InboxdError as err:
            if err.code not in ("mailbox_not_found", "mailbox_expired"):
                raise


_MAILBOXES = pytest.StashKey[list]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    for mailbox in item.stash.get(_MAILBOXES, []):
        report.sections.append((f"inboxd: what {mailbox.address} received", _received(mailbox)))


def _received(mailbox: Mailbox) -> str:
    try:
        messages = mailbox.messages(order="asc", limit=50)
    except InboxdError as err:
        return f"(could not list it: {err})"
    if not messages:
        return "nothing"
    return summarize(messages)
