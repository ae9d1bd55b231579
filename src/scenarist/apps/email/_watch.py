"""The ``email.watch`` polling module: one bundle per message new since the last poll.

The cursor lives in ``ctx.state`` under ``email.watch:<step id>`` as
``{"mailbox", "uidvalidity", "uid"}``: the highest UID already emitted. A
first poll (no cursor, another mailbox, or a changed UIDVALIDITY, which means
the server renumbered the mailbox) starts from now (``since: "now"``: only
mail that arrives later) or from the oldest message (``since: "all"``).
Messages come oldest first, at most ``max_results`` per poll; the cursor
moves past the ones returned, so the rest come with the next poll. The IMAP
session code (``_imap``) is imported by the first poll, not with the catalogue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenarist.apps.email._fields import ImapFields, fields_of
from scenarist.apps.email._parse import empty_bundle, to_bundle
from scenarist.sdk import Bundle, RunContext

if TYPE_CHECKING:
    import imaplib

    from scenarist.apps.email._imap import Fetched

MAX_RESULTS = 500


class WatchParams(BaseModel):
    """Which mailbox to watch and what to do with the new messages."""

    model_config = ConfigDict(extra="forbid")

    mailbox: str | None = Field(
        default=None,
        description="Mailbox (folder) to watch; empty for the connection's mailbox.",
        examples=["INBOX"],
    )
    since: Literal["now", "all"] = Field(
        default="now",
        description="Where the first poll starts: now (only mail arriving after it) or all "
        "(every message already in the mailbox, oldest first).",
        examples=["now"],
    )
    mark_seen: bool = Field(
        default=False,
        description="Mark the messages returned as read (\\Seen) on the server.",
        examples=[False],
    )
    max_results: int = Field(
        default=25,
        ge=1,
        le=MAX_RESULTS,
        description="At most this many messages per poll (1 to 500); the rest come with the next poll.",
        examples=[10],
    )
    timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=300,
        description="Give up on an unanswered server after this many seconds.",
        examples=[30],
    )

    @field_validator("mailbox")
    @classmethod
    def _mailbox(cls, value: str | None) -> str | None:
        if value is not None and any(c in value for c in "\r\n\0"):
            raise ValueError("the mailbox name must not contain line breaks")
        return value or None


def _poll(
    client: imaplib.IMAP4, mailbox: str, cursor: dict[str, Any] | None, params: WatchParams
) -> tuple[list[Fetched], dict[str, Any]]:
    """The new messages and the cursor after them (runs in a worker thread)."""
    from scenarist.apps.email._imap import fetch, highest_uid, mark_seen, select, uids_after

    status = select(client, mailbox, readonly=not params.mark_seen)
    fresh = cursor is None or cursor.get("mailbox") != mailbox or cursor.get("uidvalidity") != status.uidvalidity
    if fresh and params.since == "now":
        return [], {"mailbox": mailbox, "uidvalidity": status.uidvalidity, "uid": highest_uid(client, status)}
    last = 0 if fresh or cursor is None else int(cursor.get("uid") or 0)
    wanted = uids_after(client, last)[: params.max_results]
    fetched = [m for m in (fetch(client, uid) for uid in wanted) if m is not None]
    if params.mark_seen:
        mark_seen(client, [m.uid for m in fetched])
    top = max(wanted, default=last)
    return fetched, {"mailbox": mailbox, "uidvalidity": status.uidvalidity, "uid": top}


def _bundle(ctx: RunContext, message: Fetched) -> Bundle:
    """The message's bundle; one that cannot be parsed still comes, with ``parse_error``."""
    try:
        return to_bundle(message.uid, message.raw, message.internal_date)
    except (ValueError, TypeError, LookupError, AttributeError) as exc:
        ctx.log.warning(f"email.watch: message UID {message.uid} cannot be parsed: {exc}")
        return {**empty_bundle(message.uid, len(message.raw)), "parse_error": str(exc)}


def _cursor(value: Any) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


async def run(ctx: RunContext, params: WatchParams) -> list[Bundle]:
    """Poll once: the new messages as bundles, oldest first; the cursor moves past them."""
    from scenarist.apps.email._imap import with_imap

    fields = fields_of(ctx.connection, ImapFields, "email.imap", "email.watch")
    mailbox = params.mailbox or fields.mailbox
    key = f"email.watch:{ctx.step_id}"
    cursor = _cursor(await ctx.state.get(key))

    def work(client: imaplib.IMAP4) -> tuple[list[Fetched], dict[str, Any]]:
        return _poll(client, mailbox, cursor, params)

    fetched, after = await with_imap(fields, ctx.egress, work, params.timeout_seconds)
    bundles = [_bundle(ctx, m) for m in fetched]
    await ctx.state.set(key, after)
    ctx.log.debug(f"email.watch {fields.host}/{mailbox}: {len(bundles)} new, cursor at UID {after['uid']}")
    return bundles
