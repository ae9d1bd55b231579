"""Greetings: the example app of docs/write-an-app.md (the guide shows this file, whole)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Generator
from datetime import datetime, timedelta
from typing import Any, Literal

import httpx
from pydantic import BaseModel, ConfigDict, Field

from scenarist.sdk import (
    App,
    AuthenticationError,
    ConnectionError,
    ConnectionType,
    DataError,
    InvalidConfigurationError,
    ModuleSpec,
    RunContext,
    connection_fields,
)


class AccountFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sender: str = Field(min_length=1, description="Who the greetings are from.", examples=["Ada"])
    signing_key: str = Field(min_length=8, description="Signs each greeting (HMAC-SHA256).")


class KeyAuth(httpx.Auth):
    """The Greetings API knows an account by its signing key, sent as a bearer token."""

    def __init__(self, key: str) -> None:
        self.key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.key}"
        yield request


ACCOUNT = ConnectionType(
    key="greetings.account", label="Greetings account", fields=AccountFields, secret_fields=("signing_key",),
    auth=lambda fields: KeyAuth(fields["signing_key"]),
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


API = "https://api.greetings.example/v1"


class RepliesParams(BaseModel):
    model_config = ConfigDict(extra="forbid")
    event: Literal["reply", "read"] = Field(default="reply", description="Which event starts the scenario.",
                                            examples=["reply"])


async def attach_replies(ctx: RunContext, params: RepliesParams, webhook_url: str) -> dict[str, str]:
    answer = await call(ctx, "POST", "/hooks", json={"url": webhook_url, "event": params.event})
    return {"hook_id": answer.json()["id"]}


async def detach_replies(ctx: RunContext, params: RepliesParams, attached: dict[str, str]) -> None:
    await call(ctx, "DELETE", f"/hooks/{attached['hook_id']}", gone=True)


async def call(ctx: RunContext, method: str, path: str, *, gone: bool = False, **kwargs: Any) -> httpx.Response:
    """One request to the Greetings API, its failures as the errors that say who must act.
    With ``gone``, 404 is an answer too (a hook deleted already is deleted)."""
    if ctx.auth is None:
        raise InvalidConfigurationError("this module needs a greetings.account connection")
    try:
        answer = await ctx.http.request(method, f"{API}{path}", auth=ctx.auth, **kwargs)
    except httpx.HTTPError as exc:
        raise ConnectionError(f"the Greetings API could not be reached: {exc}") from exc
    if answer.status_code in (401, 403):
        raise AuthenticationError(f"the Greetings API refused the account ({answer.status_code})")
    if answer.is_error and not (gone and answer.status_code == 404):
        raise ConnectionError(f"the Greetings API answered {answer.status_code}")
    return answer


async def watch_replies(ctx: RunContext, params: RepliesParams) -> dict[str, Any]:
    account = connection_fields(ctx.connection, AccountFields, ACCOUNT.key)
    request = ctx.trigger_input if isinstance(ctx.trigger_input, dict) else {}
    body = request.get("body")
    reply: dict[str, Any] = body if isinstance(body, dict) else {}
    expected = hmac.new(account.signing_key.encode(), str(reply.get("id")).encode(), hashlib.sha256).hexdigest()
    signature = str((request.get("headers") or {}).get("x-greetings-signature", ""))
    if not hmac.compare_digest(expected, signature):
        raise DataError("the request is not signed with the account's key")
    return {"event": params.event, "from": reply.get("from"), "text": reply.get("text")}


app = App(
    key="greetings",
    label="Greetings",
    description="Says hello, chimes on a schedule, and hears the replies.",
    modules=(
        ModuleSpec("say_hello", "Say hello", "Greets someone: {text, from?, signature?}.",
                   SayHelloParams, say_hello, connection_types=(ACCOUNT.key,)),
        ModuleSpec("chimes", "Watch chimes", "One bundle per chime since the last poll: {text, at}.",
                   ChimesParams, chimes, kind="search", polling=True),
        ModuleSpec("watch_replies", "Watch replies", "One bundle per signed reply: {event, from, text}.",
                   RepliesParams, watch_replies, kind="trigger", connection_types=(ACCOUNT.key,),
                   connection_required=True, attach=attach_replies, detach=detach_replies),
    ),
    connection_types=(ACCOUNT,),
)
