"""``email.watch`` and the ``email.imap`` connection against a private Dovecot."""

from __future__ import annotations

import re
from typing import Any

import pytest

from scenarist.apps.email import WATCH, check_imap
from scenarist.apps.email._imap import mailbox_name
from scenarist.sdk import AuthenticationError, DataError, InvalidConfigurationError, ModuleTimeoutError, RunContext
from tests.apps.email.conftest import PASSWORD, USER, Dovecot, MessageFactory


class Poller:
    """Polls email.watch as one scenario's trigger would: the same context (and state) each time."""

    def __init__(self, ctx: RunContext, dovecot: Dovecot) -> None:
        self.ctx, self.dovecot = ctx, dovecot

    async def __call__(self, connection: Any = None, **params: Any) -> list[dict[str, Any]]:
        self.ctx.connection = connection or self.dovecot.connection()
        result = await WATCH.run(self.ctx, WATCH.params.model_validate({"timeout_seconds": 10, **params}))
        assert isinstance(result, list)
        return result


@pytest.fixture
def poller(module_context: Any, dovecot: Dovecot) -> Poller:
    """``await poller(connection, **params)``: poll email.watch, keeping one scenario's state."""
    return Poller(module_context("email.watch"), dovecot)


# --- new messages, poll after poll -------------------------------------------------------


async def test_first_poll_starts_now_and_later_polls_return_only_new_mail(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, make_message("old one"))

    assert await poller(mailbox=mailbox) == []

    dovecot.deliver(mailbox, make_message("first new"), make_message("second new"))
    second = await poller(mailbox=mailbox)
    assert [b["subject"] for b in second] == ["first new", "second new"]
    assert second[0]["uid"] < second[1]["uid"]

    assert await poller(mailbox=mailbox) == []

    dovecot.deliver(mailbox, make_message("third new"))
    assert [b["subject"] for b in await poller(mailbox=mailbox)] == ["third new"]


async def test_since_all_returns_what_is_already_there_oldest_first(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, make_message("a"), make_message("b"), make_message("c"))

    assert [b["subject"] for b in await poller(mailbox=mailbox, since="all")] == ["a", "b", "c"]
    assert await poller(mailbox=mailbox, since="all") == []


async def test_a_message_becomes_a_bundle_with_its_parts_and_headers(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    message = make_message(
        "Quarterly report",
        text="See the numbers.",
        html="<p>See the <b>numbers</b>.</p>",
        attachments={"report.pdf": b"%PDF-1.4 fake" * 10, "data.bin": bytes(range(200))},
        cc="Dan <dan@example.com>",
        reply_to="replies@example.com",
        x_custom="yes",
    )
    dovecot.deliver(mailbox, message)

    [bundle] = await poller(mailbox=mailbox, since="all")

    assert bundle["message_id"] == "<Quarterly-report@example.com>"
    assert bundle["from"] == {"name": "Bob Sender", "address": "bob@example.com"}
    assert bundle["to"] == [
        {"name": "Ada", "address": "ada@example.com"},
        {"name": "", "address": "carol@example.com"},
    ]
    assert bundle["cc"] == [{"name": "Dan", "address": "dan@example.com"}]
    assert bundle["reply_to"] == [{"name": "", "address": "replies@example.com"}]
    assert bundle["subject"] == "Quarterly report"
    assert bundle["date"] == "2024-03-05T14:30:00+01:00"
    assert bundle["text"].strip() == "See the numbers."
    assert bundle["html"].strip() == "<p>See the <b>numbers</b>.</p>"
    assert bundle["attachments"] == [
        {"filename": "report.pdf", "content_type": "application/octet-stream", "size": 130},
        {"filename": "data.bin", "content_type": "application/octet-stream", "size": 200},
    ]
    assert bundle["headers"]["x-custom"] == "yes"
    assert bundle["headers"]["subject"] == "Quarterly report"
    assert isinstance(bundle["uid"], int) and bundle["size"] > 0


async def test_max_results_limits_a_poll_and_the_rest_come_next(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, *(make_message(f"m{i}") for i in range(5)))

    first = await poller(mailbox=mailbox, since="all", max_results=2)
    second = await poller(mailbox=mailbox, since="all", max_results=2)
    third = await poller(mailbox=mailbox, since="all", max_results=2)

    assert [[b["subject"] for b in poll] for poll in (first, second, third)] == [["m0", "m1"], ["m2", "m3"], ["m4"]]
    assert await poller(mailbox=mailbox, max_results=2) == []


async def test_messages_stay_unread_unless_mark_seen(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, make_message("stays unread"))
    await poller(mailbox=mailbox, since="all")
    assert not any(b"\\Seen" in flags for flags in dovecot.flags(mailbox))

    dovecot.deliver(mailbox, make_message("gets read"))
    [bundle] = await poller(mailbox=mailbox, mark_seen=True)

    assert bundle["subject"] == "gets read"
    assert [b"\\Seen" in flags for flags in dovecot.flags(mailbox)] == [False, True]


async def test_the_cursor_is_kept_in_scenario_state(poller: Poller, dovecot: Dovecot, mailbox: str) -> None:
    await poller(mailbox=mailbox)

    cursor = await poller.ctx.state.get("email.watch:step1")
    assert cursor["mailbox"] == mailbox
    assert cursor["uid"] == 0
    assert cursor["uidvalidity"] > 0


async def test_a_recreated_mailbox_starts_over(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, make_message("before"))
    await poller(mailbox=mailbox, since="all")
    with dovecot.client() as client:
        assert client.delete(mailbox)[0] == "OK"
    dovecot.create_mailbox(mailbox)
    dovecot.deliver(mailbox, make_message("after recreation"))

    assert [b["subject"] for b in await poller(mailbox=mailbox, since="all")] == ["after recreation"]


async def test_the_connection_mailbox_is_the_default(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, make_message("in the connection's mailbox"))

    bundles = await poller(dovecot.connection(mailbox=mailbox), since="all")

    assert [b["subject"] for b in bundles] == ["in the connection's mailbox"]


@pytest.mark.parametrize("security", ["starttls", "none"])
async def test_starttls_and_plain_connections_read_mail_too(
    poller: Poller, dovecot: Dovecot, mailbox: str, make_message: MessageFactory, security: str
) -> None:
    dovecot.deliver(mailbox, make_message(f"over {security}"))

    bundles = await poller(dovecot.connection(security), mailbox=mailbox, since="all")

    assert [b["subject"] for b in bundles] == [f"over {security}"]


# --- failures ------------------------------------------------------------------------------


@pytest.mark.parametrize("security", ["ssl", "starttls", "none"])
async def test_a_wrong_password_is_an_authentication_error_without_the_secret(
    poller: Poller, dovecot: Dovecot, security: str
) -> None:
    with pytest.raises(AuthenticationError) as caught:
        await poller(dovecot.connection(security, password="Wr0ng-secret"))
    assert USER in str(caught.value)
    assert "Wr0ng-secret" not in str(caught.value) and PASSWORD not in str(caught.value)


async def test_an_unknown_mailbox_is_a_data_error(poller: Poller) -> None:
    with pytest.raises(DataError, match="no-such-box"):
        await poller(mailbox="no-such-box")


async def test_an_untrusted_certificate_is_refused_by_default(poller: Poller, dovecot: Dovecot) -> None:
    with pytest.raises(InvalidConfigurationError, match="could not be verified"):
        await poller(dovecot.connection(ca_cert=None))
    with pytest.raises(InvalidConfigurationError, match="could not be verified"):
        await poller(dovecot.connection("starttls", ca_cert=None))


async def test_tls_verify_false_accepts_an_untrusted_certificate(
    poller: Poller, dovecot: Dovecot, mailbox: str
) -> None:
    assert await poller(dovecot.connection(ca_cert=None, tls_verify=False), mailbox=mailbox) == []


async def test_a_server_that_never_greets_is_a_timeout(poller: Poller, dovecot: Dovecot, silent_port: int) -> None:
    with pytest.raises(ModuleTimeoutError):
        await poller(dovecot.connection("none", port=silent_port), timeout_seconds=0.5)


async def test_watch_needs_an_imap_connection(run_module: Any) -> None:
    with pytest.raises(InvalidConfigurationError, match=re.escape("needs a email.imap connection")):
        await run_module(WATCH, {})


# --- the connection test ---------------------------------------------------------------------


async def test_connection_test_logs_in_and_counts_the_mailbox(
    dovecot: Dovecot, mailbox: str, make_message: MessageFactory
) -> None:
    dovecot.deliver(mailbox, make_message("one"), make_message("two"))

    message = await check_imap(dovecot.fields(mailbox=mailbox))

    assert message == f"Logged in to localhost as {USER}; {mailbox} holds 2 messages"


async def test_connection_test_with_a_wrong_password_raises(dovecot: Dovecot) -> None:
    with pytest.raises(AuthenticationError, match="refused the user name or password"):
        await check_imap(dovecot.fields(password="nope"))


async def test_non_ascii_mailbox_names_work(poller: Poller, dovecot: Dovecot, make_message: MessageFactory) -> None:
    name = "Příchozí &Co"
    with dovecot.client() as client:
        client.create(mailbox_name(name))
        client.append(mailbox_name(name), None, None, make_message("unicode box").as_bytes())

    assert [b["subject"] for b in await poller(mailbox=name, since="all")] == ["unicode box"]


def test_mailbox_names_are_quoted_in_modified_utf7() -> None:
    assert mailbox_name("~peter/mail/台北/日本語") == '"~peter/mail/&U,BTFw-/&ZeVnLIqe-"'
    assert mailbox_name("A&B") == '"A&-B"'
    assert mailbox_name('say "hi"') == '"say \\"hi\\""'
