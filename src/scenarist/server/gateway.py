"""The webhook gateway: ``/hooks/{token}`` (contract section 6).

A request is answered only after its execution is durably stored (group
commit through the runtime's intake). A scenario with ``webhooks.respond`` answers with
that module's output once the run reaches it, 500 ``{"error": {"type", "message"}}`` if the
run ends ``error`` or ``incomplete`` before it (unless ``respond_on_error`` is false), 200 if
the run ends otherwise without it, 202 after 30 s. While a scenario is inactive its requests queue, up to 10,000.
"""

from __future__ import annotations

import asyncio
import base64
import json
from time import perf_counter
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from scenarist.apps.webhooks._headers import answer_headers
from scenarist.engine.executor import RunResult
from scenarist.server.errors import error_response
from scenarist.store.ports import ExecutionRecord, GatewayLogRecord, ScenarioRecord
from scenarist.types import RunStatus, new_id

if TYPE_CHECKING:
    from scenarist.server.runtime import Runtime

PREFIX = "/hooks/"
QUEUE_LIMIT = 10_000
RESPOND_WAIT_SECONDS = 30.0
ACCEPTED = b'{"accepted":true}'
DROPPED_HEADERS = frozenset({"cookie", "authorization"})

_Ended = tuple[dict[str, Any] | None, RunResult | None]
"""What a waited-for run gave: the response ``webhooks.respond`` set (None when it set none), and
the run's result (None while it is still going, or when it crashed)."""


class _TooLarge(Exception):
    pass


async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
    """``/hooks/{token}`` as a bare ASGI app (no routing layers in front of it)."""
    request = Request(scope, receive)
    response = await handle(request, scope["path"][len(PREFIX) :])
    await response(scope, receive, send)


async def handle(request: Request, token: str) -> Response:
    runtime: Runtime = request.app.state.runtime
    started = perf_counter()
    scenario = await runtime.scenarios.by_hook(token) if token and "/" not in token else None
    if scenario is None:
        return error_response(404, "not_found", "no webhook with this address")
    try:
        body = await _read_body(request, runtime.settings.webhook_max_bytes)
    except _TooLarge:
        answer: Response = error_response(413, "payload_too_large",
                                          f"body over {runtime.settings.webhook_max_bytes} bytes")
        runtime.metrics.intake.labels("413").inc()
        runtime.gateway_log.add(_log(scenario, token, request, b"", answer, started))
        return answer
    except ClientDisconnect:
        return Response(status_code=400)
    answer = await _accept(runtime, scenario, request, body)
    runtime.metrics.intake.labels(str(answer.status_code)).inc()
    runtime.gateway_log.add(_log(scenario, token, request, body, answer, started))
    return answer


async def _accept(runtime: Runtime, scenario: ScenarioRecord, request: Request, body: bytes) -> Response:
    if not scenario.active and await runtime.store.count_queued(scenario.id) >= QUEUE_LIMIT:
        return error_response(429, "too_many_requests", "this webhook's queue is full",
                              headers={"Retry-After": "60"})
    event = {
        "method": request.method,
        "headers": {k: v for k, v in request.headers.items() if k not in DROPPED_HEADERS},
        "query": parse_query(request.url.query),
        "body": parse_body(body, request.headers.get("content-type", "")),
    }
    plan = runtime.engine.plan_for(scenario)
    if plan.trigger.spec.raw_body:
        event["raw_body"] = base64.b64encode(body).decode("ascii")
    execution = ExecutionRecord(
        id=new_id(), account_id=scenario.account_id, scenario_id=scenario.id, status=RunStatus.QUEUED,
        created_at=runtime.clock.now(), trigger_input=runtime.engine.seal_input(scenario, event),
        trigger_event="webhook", confidential=plan.settings.confidential,
    )
    await runtime.intake.submit(execution)
    if not scenario.active:
        return _accepted()
    if not plan.responds:
        runtime.workers.submit(execution)
        return _accepted()
    return await _run_and_wait(runtime, execution, on_error=plan.settings.respond_on_error)


async def _run_and_wait(runtime: Runtime, execution: ExecutionRecord, *, on_error: bool) -> Response:
    answer: asyncio.Future[_Ended] = asyncio.get_running_loop().create_future()

    def waiter(response: dict[str, Any] | None, result: RunResult | None) -> None:
        if not answer.done():
            answer.set_result((response, result))

    runtime.workers.submit(execution, waiter)
    try:
        response, result = await asyncio.wait_for(asyncio.shield(answer), RESPOND_WAIT_SECONDS)
    except TimeoutError:
        return _accepted(202)
    if response is not None:
        return _respond(response)
    failed = result is not None and result.execution.status in (RunStatus.ERROR, RunStatus.INCOMPLETE)
    return _failed(result) if failed and on_error and result is not None else _accepted()


def _failed(result: RunResult) -> Response:
    """500 with the error's type and message (for a confidential scenario, the run stored only the
    type's generic message: that is what is answered)."""
    error = result.execution.error or {}
    body = {"type": str(error.get("type") or "RuntimeError"), "message": str(error.get("message") or "")}
    return JSONResponse({"error": body}, status_code=500)


def _accepted(status: int = 200) -> Response:
    return Response(ACCEPTED, status_code=status, media_type="application/json")


def _respond(response: dict[str, Any]) -> Response:
    """The answer a run set; headers the tenant may not send (cookies, security, framing) are dropped
    whichever module set them (``webhooks.respond`` refuses them already)."""
    body, headers = response.get("body"), answer_headers(response.get("headers") or {})
    status = int(response.get("status") or 200)
    types = [name for name in headers if name.lower() == "content-type"]
    media = headers.pop(types[-1]) if types else None
    for name in types[:-1]:
        del headers[name]
    if isinstance(body, dict | list | int | float | bool):
        return JSONResponse(body, status_code=status, headers=headers, media_type=media or "application/json")
    content = b"" if body is None else str(body).encode()
    return Response(content, status_code=status, headers=headers, media_type=media or "text/plain; charset=utf-8")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def parse_query(query: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
    return out


def parse_body(body: bytes, content_type: str) -> Any:
    """JSON or form data parsed, anything else as text (binary as latin-1 text)."""
    if not body:
        return None
    kind = content_type.split(";")[0].strip().lower()
    text = body.decode("utf-8", errors="replace")
    if kind == "application/json" or kind.endswith("+json"):
        return _json_or_text(text)
    if kind == "application/x-www-form-urlencoded":
        return parse_query(text)
    return text


def _json_or_text(text: str) -> Any:
    """Parsed JSON when it is JSON that can be stored again (no NaN/Infinity, no lone
    surrogates, not absurdly deep); otherwise the text itself."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
        json.dumps(value, allow_nan=False, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError, UnicodeEncodeError):
        return text
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _log(scenario: ScenarioRecord, token: str, request: Request, body: bytes, answer: Response,
         started: float) -> GatewayLogRecord:
    confidential = bool(scenario.definition.get("settings", {}).get("confidential"))
    query = "" if confidential or not request.url.query else "?" + request.url.query
    return GatewayLogRecord(
        id=new_id(), account_id=scenario.account_id, scenario_id=scenario.id, hook=token,
        method=request.method, path=request.url.path + query, status=answer.status_code,
        received_at=request.app.state.runtime.clock.now(), duration_ms=round((perf_counter() - started) * 1000, 3),
        request_headers=[] if confidential else [(k, v) for k, v in request.headers.items()
                                                 if k not in DROPPED_HEADERS],
        request_body=None if confidential else body or None,
        response_body=None if confidential else bytes(answer.body) if hasattr(answer, "body") else None,
    )
