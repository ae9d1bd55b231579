"""Greetings: the example app of docs/write-an-app.md (the guide shows this file, whole)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import App, ConnectionType, ModuleSpec, RunContext, connection_fields


class AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: str = Field(min_length=1, description="Who the greetings are from.", examples=["Ada"])
    signing_key: str = Field(min_length=8, description="Signs each greeting (HMAC-SHA256).")


ACCOUNT = ConnectionType(
    key="greetings.account", label="Greetings account", fields=AccountFields, secret_fields=("signing_key",),
)


class SayHelloParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, description="Who to greet.", examples=["Grace"])
    greeting: str = Field(default="Hello", description="The word to greet with.", examples=["Hello", "Hi"])


async def say_hello(ctx: RunContext, params: SayHelloParams) -> dict[str, str]:
    text = f"{params.greeting}, {params.name}!"
    bundle = {"text": text}
    if ctx.connection is not None:
        account = connection_fields(ctx.connection, AccountFields, ACCOUNT.key)
        bundle["from"] = account.sender
        bundle["signature"] = hmac.new(account.signing_key.encode(), text.encode(), hashlib.sha256).hexdigest()
    if ctx.trigger_event == "webhook":
        ctx.respond(200, bundle)
    return bundle


class ChimesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    every_minutes: int = Field(ge=1, le=1440, description="Minutes between two chimes.", examples=[60])
    limit: int = Field(default=10, ge=1, le=100, description="At most this many chimes per poll.")


async def chimes(ctx: RunContext, params: ChimesParams) -> list[dict[str, str]]:
    key = f"chimes:{ctx.step_id}"
    now = ctx.clock.now()
    cursor = await ctx.state.get(key)
    if cursor is None:
        await ctx.state.set(key, now.isoformat())
        return []
    step = timedelta(minutes=params.every_minutes)
    due: list[dict[str, str]] = []
    at = datetime.fromisoformat(cursor) + step
    while at <= now and len(due) < params.limit:
        due.append({"text": "Good day!", "at": at.isoformat()})
        at += step
    if due:
        await ctx.state.set(key, due[-1]["at"])
    return due


app = App(
    key="greetings",
    label="Greetings",
    description="Says hello, and chimes on a schedule.",
    modules=(
        ModuleSpec("say_hello", "Say hello", "Greets someone: {text, from?, signature?}.",
                   SayHelloParams, say_hello, connection_types=(ACCOUNT.key,)),
        ModuleSpec("chimes", "Watch chimes", "One bundle per chime since the last poll: {text, at}.",
                   ChimesParams, chimes, kind="search", polling=True),
    ),
    connection_types=(ACCOUNT,),
)
