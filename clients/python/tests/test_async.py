"""AsyncInboxd: the same surface as Inboxd, awaited, against the real server."""

from __future__ import annotations

import pytest

from inboxd import AsyncInboxd, InboxdError, UnexpectedMessage, WaitTimeout


async def test_create_wait_read_and_delete(mail):
    async with AsyncInboxd(api_key="") as client:
        mailbox = await client.create_mailbox(ttl_minutes=5)
        mail(mailbox.address, subject="Your login code", text="Code: 551904", attachment=("x.txt", b"attached"))
        message = await mailbox.wait(subject="login", timeout=10)
        assert message.codes[0] == "551904"
        assert b"Subject: Your login code" in await message.raw()
        assert (await message.attachment(0)).content == b"attached"
        assert [m.seq for m in await mailbox.messages()] == [1]
        assert (await message.fetch()).is_read
        with pytest.raises(WaitTimeout, match="Your login code"):
            await mailbox.wait(subject="other", timeout=1)
        with pytest.raises(UnexpectedMessage):
            await mailbox.expect_none(within=0.5)
        await mailbox.expect_none(within=0.5, after_seq=1)
        await mailbox.delete()
        with pytest.raises(InboxdError) as gone:
            await mailbox.refresh()
        assert gone.value.code in ("mailbox_not_found", "mailbox_expired")


async def test_an_api_key_group(mail):
    async with AsyncInboxd() as client:
        mailbox = await client.create_mailbox(group="py-async-group")
        assert [m.address for m in await client.mailboxes(group="py-async-group")] == [mailbox.address]
        assert (await client.delete_group("py-async-group"))["deleted"] == 1
