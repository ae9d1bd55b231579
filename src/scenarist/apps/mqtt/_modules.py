"""The MQTT modules: ``mqtt.publish`` and the polling trigger ``mqtt.subscribe``.

Payloads: a text value is sent as its UTF-8 bytes, any other JSON value as
JSON text. Received payloads are parsed from JSON when they are JSON, else
kept as text; bytes that are not UTF-8 come as base64 with
``"payload_encoding": "base64"``.

``mqtt.subscribe`` with ``persistent_session`` (the default) keeps a broker
session per scenario step (a fixed client id, clean session off): QoS 1 and 2
messages published between polls wait at the broker for the next poll. The
session starts at the first poll; earlier messages are not seen (except retained ones).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from scenarist.apps.mqtt._connection import connect, fields_of
from scenarist.sdk import JSON, Bundle, RunContext

if TYPE_CHECKING:
    import aiomqtt

Qos = Literal[0, 1, 2]


class PublishParams(BaseModel):
    """One message to publish."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, max_length=65535, description="Topic to publish to (no wildcards).",
                       examples=["plant/line-3/temperature"])
    payload: Any = Field(default="", description="Text is sent as is; any other JSON value as JSON text.",
                         examples=[{"celsius": 21.5}])
    qos: Qos = Field(default=1, description="Quality of service: 0 at most once, 1 at least once, 2 exactly once.",
                     examples=[1])
    retain: bool = Field(default=False, description="Ask the broker to keep the message for later subscribers.",
                         examples=[False])
    timeout_seconds: float = Field(default=10.0, gt=0, le=60, description="Give up after this many seconds.",
                                   examples=[10])

    @field_validator("topic")
    @classmethod
    def _no_wildcards(cls, value: str) -> str:
        if "#" in value or "+" in value:
            raise ValueError("a topic to publish to cannot contain the wildcards # or +")
        return value


class SubscribeParams(BaseModel):
    """Which messages to collect, and for how long."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(min_length=1, description="Topic filter; + matches one level, # the rest.",
                       examples=["plant/+/temperature"])
    qos: Qos = Field(default=1, description="Highest quality of service to receive with.", examples=[1])
    wait_seconds: float = Field(default=5.0, gt=0, le=60,
                                description="Collect messages for at most this many seconds per poll.", examples=[5])
    max_messages: int = Field(default=100, ge=1, le=10_000,
                              description="Stop collecting after this many messages.", examples=[100])
    persistent_session: bool = Field(
        default=True,
        description="Keep a broker session between polls so QoS 1/2 messages published meanwhile are kept "
        "for the next poll; false: only messages that arrive during the poll.",
        examples=[True],
    )


def encode_payload(value: JSON) -> bytes:
    """Text as UTF-8, anything else as JSON text."""
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def message_bundle(message: aiomqtt.Message) -> Bundle:
    """``{topic, payload, qos, retain}`` (see the module docstring for ``payload``)."""
    raw = message.payload if isinstance(message.payload, bytes | bytearray) else str(message.payload).encode()
    bundle: Bundle = {"topic": message.topic.value, "qos": message.qos, "retain": bool(message.retain)}
    try:
        text = bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return {**bundle, "payload": base64.b64encode(bytes(raw)).decode("ascii"), "payload_encoding": "base64"}
    try:
        bundle["payload"] = json.loads(text)
    except ValueError:
        bundle["payload"] = text
    return bundle


async def publish(ctx: RunContext, params: PublishParams) -> Bundle:
    """Publish; ``{topic, qos, retain, bytes}`` once the broker has it (per the QoS)."""
    body = encode_payload(params.payload)
    async with connect(fields_of(ctx.connection), ctx.egress, seconds=params.timeout_seconds) as client:
        await client.publish(params.topic, body, qos=params.qos, retain=params.retain,
                             timeout=params.timeout_seconds)
    return {"topic": params.topic, "qos": params.qos, "retain": params.retain, "bytes": len(body)}


def session_id(ctx: RunContext, topic: str) -> str:
    """A client id that is stable for one scenario step and topic filter (23 characters)."""
    digest = hashlib.sha256(f"{ctx.scenario_id}\x00{ctx.step_id}\x00{topic}".encode()).hexdigest()
    return f"scen-{digest[:18]}"


async def subscribe(ctx: RunContext, params: SubscribeParams) -> list[Bundle]:
    """Collect up to ``max_messages`` messages for up to ``wait_seconds``; one bundle each."""
    client_id = session_id(ctx, params.topic) if params.persistent_session else f"scen-{secrets.token_hex(9)}"
    bundles: list[Bundle] = []
    async with connect(fields_of(ctx.connection), ctx.egress, client_id=client_id,
                       persistent=params.persistent_session) as client:
        await client.subscribe(params.topic, qos=params.qos)
        try:
            async with asyncio.timeout(params.wait_seconds):
                async for message in client.messages:
                    bundles.append(message_bundle(message))
                    if len(bundles) >= params.max_messages:
                        break
        except TimeoutError:
            pass
    return bundles
