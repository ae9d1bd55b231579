"""Webhooks: start a scenario from an HTTP request, and answer that request."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from scenarist.apps.webhooks._headers import problem
from scenarist.sdk import App, ModuleSpec, RunContext, output_schema


class CustomWebhookParams(BaseModel):
    model_config = ConfigDict(extra="forbid")


async def custom(ctx: RunContext, params: CustomWebhookParams) -> dict[str, Any]:
    """A webhook request as the gateway stored it; a manual input is the body of a POST."""
    if ctx.trigger_event == "webhook" and isinstance(ctx.trigger_input, dict):
        return ctx.trigger_input
    return {"method": "POST", "headers": {}, "query": {}, "body": ctx.trigger_input}


class RespondParams(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    status: int = Field(default=200, ge=100, le=599, description="The HTTP status.", examples=[200])
    body: Any = Field(default=None, description="The answer's body; objects and arrays are sent as JSON.",
                      examples=["{{ shape }}"])
    headers: dict[str, str] = Field(
        default_factory=dict, examples=[{"X-Request-Id": "{{ hook.body.id }}"}],
        description="Extra answer headers. Not Set-Cookie, the security headers (Content-Security-Policy, "
        "X-Content-Type-Options, ...) or the framing ones (Content-Length, Transfer-Encoding, Connection); "
        "names are HTTP tokens, values hold no CR, LF or other control characters.")

    @field_validator("headers")
    @classmethod
    def _valid_headers(cls, headers: dict[str, str]) -> dict[str, str]:
        """Each bad header reported at its own path (``headers.<name>``)."""
        errors = [
            InitErrorDetails(type=PydanticCustomError("header", "{reason}", {"reason": reason}), loc=(name,),
                             input=value)
            for name, value in headers.items() if (reason := problem(name, value)) is not None
        ]
        if errors:
            raise ValidationError.from_exception_data("headers", errors)
        return headers


async def respond(ctx: RunContext, params: RespondParams) -> dict[str, Any]:
    ctx.respond(params.status, params.body, params.headers)
    return {"status": params.status, "headers": params.headers, "body": params.body}


app = App(
    key="webhooks",
    label="Webhooks",
    description="Start scenarios from HTTP requests and answer them.",
    modules=(
        ModuleSpec("custom", "Custom webhook", "Starts the scenario on each request: {method, headers, query, body}.",
                   CustomWebhookParams, custom, kind="trigger", output=output_schema(
                       method={"type": "string"}, headers={"type": "object"}, query={"type": "object"}, body={})),
        ModuleSpec("respond", "Webhook response", "Sets the HTTP answer of the request that started the run.",
                   RespondParams, respond, responds=True),
    ),
)
