"""The ``email.send`` module: one message through the connection's SMTP server.

Output: ``{"message_id": "<...>", "accepted": [addresses], "rejected": [{address, reason}]}``.
A message that some recipients refused is sent to the others and lists the
refused ones in ``rejected``; when every recipient is refused the step fails
with ``DataError``. aiosmtplib (``_smtp``) is imported by the first send, not
with the catalogue.
"""

from __future__ import annotations

import asyncio

from scenarist.apps.email._compose import SendParams, build_message, sender_address
from scenarist.apps.email._fields import SmtpFields, fields_of
from scenarist.sdk import Bundle, DataError, InvalidConfigurationError, ModuleTimeoutError, RunContext


async def run(ctx: RunContext, params: SendParams) -> Bundle:
    """Build the message, send it, and report who accepted it."""
    from scenarist.apps.email._smtp import smtp_errors, smtp_session

    fields = fields_of(ctx.connection, SmtpFields, "email.smtp", "email.send")
    sender = params.from_address or fields.from_address
    envelope_from = sender_address(sender)
    if "@" not in envelope_from:
        raise InvalidConfigurationError(f"the sender {sender!r} is not an e-mail address")
    recipients = params.recipients()
    try:
        message = build_message(params, sender)
    except (ValueError, TypeError) as exc:
        raise DataError(f"the message cannot be built: {exc}") from exc
    try:
        async with asyncio.timeout(params.timeout_seconds):
            async with smtp_session(fields, ctx.egress, params.timeout_seconds) as client:
                with smtp_errors(fields):
                    refused, _ = await client.send_message(message, sender=envelope_from, recipients=recipients)
    except TimeoutError as exc:
        raise ModuleTimeoutError(
            f"sending through {fields.host} took longer than {params.timeout_seconds:g} s"
        ) from exc
    ctx.log.debug(f"email.send via {fields.host}: {len(recipients) - len(refused)} accepted")
    return {
        "message_id": str(message["Message-ID"]),
        "accepted": [r for r in recipients if r not in refused],
        "rejected": [{"address": r, "reason": f"{resp.code} {resp.message}"} for r, resp in refused.items()],
    }
