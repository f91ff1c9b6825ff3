"""Search across mailboxes and export (mbox, zip), blocking and async, against the real server;
the exports are read back with the standard library's ``mailbox`` and ``zipfile``."""

from __future__ import annotations

import io
import mailbox as stdlib_mailbox
import tempfile
import uuid
import zipfile
from pathlib import Path

import pytest

from inboxd import AsyncInboxd, Inboxd, InboxdError, SearchResult


def _mbox_subjects(data: bytes) -> list[str]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.mbox"
        path.write_bytes(data)
        box = stdlib_mailbox.mbox(str(path), create=False)
        try:
            return [str(m["Subject"]) for m in box]
        finally:
            box.close()


def test_search_finds_mail_across_the_key_owners_mailboxes_and_pages(mail):
    word = "srch" + uuid.uuid4().hex[:10]
    with Inboxd() as client:
        one, two = client.create_mailbox(), client.create_mailbox()
        mail(one.address, subject=f"first {word}", text="alpha", sender="shop@example.com")
        mail(two.address, subject=f"second {word}", text="beta", sender="other@example.org")
        one.wait(subject="first", timeout=10)
        two.wait(subject="second", timeout=10)

        hits = client.search(word)
        assert all(isinstance(h, SearchResult) for h in hits)
        assert [(h.address, h.subject) for h in hits] == [(two.address, f"second {word}"), (one.address, f"first {word}")]
        assert [h.address for h in client.search(f"{word} from:shop@example.com")] == [one.address]
        assert [h.subject for h in client.search(f"{word} -from:shop@example.com")] == [f"second {word}"]
        assert [h.subject for h in client.search(word, limit=1, offset=1)] == [f"first {word}"]
        whole = hits[0].fetch()  # goes to the hit's own mailbox
        assert whole.whole and "beta" in whole.body_text
        with pytest.raises(InboxdError) as bad:
            client.search('subject:"unclosed')
        assert bad.value.code == "invalid_query"
        one.delete()
        two.delete()


def test_an_anonymous_mailbox_searches_only_itself_with_its_session_token(mail):
    word = "anon" + uuid.uuid4().hex[:10]
    with Inboxd(api_key="") as anon, Inboxd() as keyed:
        mine = anon.create_mailbox()
        other = keyed.create_mailbox()
        mail(mine.address, subject=f"mine {word}")
        mail(other.address, subject=f"theirs {word}")
        mine.wait(timeout=10)
        other.wait(timeout=10)
        assert [h.subject for h in anon.search(word, session_token=mine.session_token)] == [f"mine {word}"]
        mine.delete()
        other.delete()


def test_a_mailbox_exports_as_mbox_and_zip(mail):
    with Inboxd() as client:
        box = client.create_mailbox()
        mail(box.address, subject="one", text="From the start\n>From quoted")
        mail(box.address, subject="two", attachment=("a.bin", b"\x00\x01"))
        box.wait(count=2, timeout=10)

        assert _mbox_subjects(box.export()) == ["one", "two"]
        with zipfile.ZipFile(io.BytesIO(box.export(format="zip"))) as z:
            names = z.namelist()
            assert len(names) == 2 and all(n.startswith(box.address + "/") and n.endswith(".eml") for n in names)
            first = sorted(names)[0]
            assert z.read(first) == box.raw(box.messages(order="asc")[0].id)  # byte-exact
        with pytest.raises(ValueError, match="mbox"):
            box.export(format="tar")
        box.delete()


def test_export_mailboxes_takes_one_group():
    group = "py-export-" + uuid.uuid4().hex[:8]
    with Inboxd() as client:
        a = client.create_mailbox(group=group)
        b = client.create_mailbox(group=group)
        outside = client.create_mailbox()
        from conftest import send

        send(a.address, subject="to a")
        send(b.address, subject="to b")
        send(outside.address, subject="outside")
        a.wait(timeout=10)
        b.wait(timeout=10)
        outside.wait(timeout=10)
        assert sorted(_mbox_subjects(client.export_mailboxes(group=group))) == ["to a", "to b"]
        with zipfile.ZipFile(io.BytesIO(client.export_mailboxes(group=group, format="zip"))) as z:
            assert sorted(n.split("/")[0] for n in z.namelist()) == sorted([a.address, b.address])
        client.delete_group(group)
        outside.delete()


async def test_async_search_and_export(mail):
    word = "asrch" + uuid.uuid4().hex[:10]
    group = "py-aexport-" + uuid.uuid4().hex[:8]
    async with AsyncInboxd() as client:
        box = await client.create_mailbox(group=group)
        mail(box.address, subject=f"async {word}", text="gamma")
        await box.wait(timeout=10)
        [hit] = await client.search(word)
        assert hit.address == box.address and isinstance(hit, SearchResult)
        assert "gamma" in (await hit.fetch()).body_text
        assert _mbox_subjects(await box.export()) == [f"async {word}"]
        with zipfile.ZipFile(io.BytesIO(await client.export_mailboxes(group=group, format="zip"))) as z:
            assert [n.split("/")[0] for n in z.namelist()] == [box.address]
        await client.delete_group(group)
