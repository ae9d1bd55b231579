"""Scenarios: create, read, replace, delete, activate, run, list executions."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import JSONResponse, Response, StreamingResponse

from scenarist.engine.attachments import TriggerHookFailed
from scenarist.engine.documents import execution_summary, iso
from scenarist.engine.executor import RunResult
from scenarist.engine.service import InvalidScenario
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import ApiError, not_found, require_storable
from scenarist.server.executions import execution_detail
from scenarist.server.runtime import Runtime
from scenarist.store.ports import ExecutionRecord, ScenarioRecord, ScenarioVersion
from scenarist.types import JSON, RunStatus, new_id

router = APIRouter(tags=["scenarios"])

Account = Annotated[str, Depends(account_id)]
Rt = Annotated[Runtime, Depends(runtime)]
Definition = Annotated[dict[str, Any], Body(description="A scenario definition (contract section 3).")]


class ScenarioPublic(BaseModel):
    id: str
    name: str
    active: bool
    webhook_url: str | None = None
    definition: dict[str, Any]
    created_at: str | None = None
    updated_at: str | None = None
    operations_this_month: int = Field(
        0, description="Operations of this scenario's runs that finished in the current calendar month (UTC)."
    )


class VersionPublic(BaseModel):
    n: int = Field(description="1 for the first save, then one more per save.")
    saved_at: str
    definition: dict[str, Any]


class ProblemPublic(BaseModel):
    path: str = Field(description='Where the problem is, as a 422 names it: "flow[0].params.url"; "" for the whole.')
    message: str


class ValidationPublic(BaseModel):
    ok: bool = Field(description="True when a save of this definition would be accepted.")
    problems: list[ProblemPublic] = Field(description="Every problem found, not just the first.")


class ActivePublic(BaseModel):
    id: str
    active: bool


class RunRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    input: JSON = Field(default=None, description="The trigger's input; for a webhook trigger, the request body.")


class RunAccepted(BaseModel):
    execution_id: str


def public(rt: Runtime, record: ScenarioRecord, operations: int = 0) -> ScenarioPublic:
    return ScenarioPublic(id=record.id, name=record.name, active=record.active,
                          webhook_url=rt.engine.webhook_url(record), definition=record.definition,
                          created_at=iso(record.created_at), updated_at=iso(record.updated_at),
                          operations_this_month=operations)


def this_month(now: datetime) -> tuple[datetime, datetime]:
    """The current calendar month in UTC, as ``[start, end)``."""
    start = now.astimezone(UTC).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    end = start.replace(year=start.year + 1, month=1) if start.month == 12 else start.replace(month=start.month + 1)
    return start, end


async def month_operations(rt: Runtime, account: str) -> dict[str, int]:
    return await rt.store.operations_by_scenario(account, *this_month(rt.clock.now()))


async def _save(
    rt: Runtime, account: str, definition: dict[str, Any], scenario_id: str | None = None
) -> ScenarioRecord:
    require_storable(definition, "")
    try:
        record = await rt.engine.save_scenario(definition, account_id=account, scenario_id=scenario_id)
    except InvalidScenario as exc:
        first = exc.problems[0] if exc.problems else None
        raise ApiError(422, str(exc), path=first.path if first else None) from None
    except TriggerHookFailed as exc:
        raise _not_attached(exc) from None
    rt.scenarios.invalidate(record.id)
    return record


async def _get(rt: Runtime, account: str, scenario_id: str) -> ScenarioRecord:
    record = await rt.store.get_scenario(account, scenario_id)
    if record is None:
        raise not_found("scenario")
    return record


AS_SCENARIO = {"x-body-schema": "Scenario"}
"""The definition's body schema is the model's (``scenarist.server.openapi``): validation needs the catalogue."""


@router.post("/scenarios", status_code=201, response_model=ScenarioPublic, openapi_extra=AS_SCENARIO)
async def create_scenario(definition: Definition, account: Account, rt: Rt) -> ScenarioPublic:
    return public(rt, await _save(rt, account, definition))


@router.post("/scenarios/validate", response_model=ValidationPublic)
async def validate_scenario(definition: Definition, account: Account, rt: Rt) -> ValidationPublic:
    """Check a definition as a save would (the account's connections, scenarios and data stores
    included) and list every problem by path; nothing is stored. The body is any JSON object: an
    invalid definition is what this route answers about (200, its problems), not a bad request."""
    require_storable(definition, "")
    problems = await rt.engine.check_scenario(definition, account_id=account)
    return ValidationPublic(ok=not problems,
                            problems=[ProblemPublic(path=p.path, message=p.message) for p in problems])


@router.get("/scenarios", response_model=list[ScenarioPublic])
async def list_scenarios(account: Account, rt: Rt) -> list[ScenarioPublic]:
    operations = await month_operations(rt, account)
    return [public(rt, record, operations.get(record.id, 0)) for record in await rt.store.list_scenarios(account)]


@router.get("/scenarios/{scenario_id}", response_model=ScenarioPublic)
async def get_scenario(scenario_id: str, account: Account, rt: Rt) -> ScenarioPublic:
    record = await _get(rt, account, scenario_id)
    return public(rt, record, (await month_operations(rt, account)).get(record.id, 0))


@router.put("/scenarios/{scenario_id}", response_model=ScenarioPublic, openapi_extra=AS_SCENARIO)
async def replace_scenario(scenario_id: str, definition: Definition, account: Account, rt: Rt) -> ScenarioPublic:
    await _get(rt, account, scenario_id)
    record = await _save(rt, account, definition, scenario_id)
    return public(rt, record, (await month_operations(rt, account)).get(record.id, 0))


@router.delete("/scenarios/{scenario_id}", status_code=204)
async def delete_scenario(scenario_id: str, account: Account, rt: Rt) -> Response:
    if not await rt.engine.delete_scenario(account, scenario_id):
        raise not_found("scenario")
    rt.scenarios.invalidate(scenario_id)
    return Response(status_code=204)


def _not_attached(exc: TriggerHookFailed) -> ApiError:
    """422: the trigger could not register its webhook with its service; the scenario is as it was."""
    return ApiError(422, str(exc), code="trigger_attach_failed", path=exc.path)


async def _set_active(rt: Runtime, account: str, scenario_id: str, active: bool) -> ActivePublic:
    """Activation attaches the trigger first (it stays inactive when that fails); deactivation detaches it."""
    try:
        record = await (rt.engine.activate if active else rt.engine.deactivate)(account, scenario_id)
    except TriggerHookFailed as exc:
        raise _not_attached(exc) from None
    if record is None:
        raise not_found("scenario")
    rt.scenarios.invalidate(scenario_id)
    if active:
        await rt.workers.load_queued()
    return ActivePublic(id=scenario_id, active=active)


@router.post("/scenarios/{scenario_id}/activate", response_model=ActivePublic)
async def activate(scenario_id: str, account: Account, rt: Rt) -> ActivePublic:
    return await _set_active(rt, account, scenario_id, True)


@router.post("/scenarios/{scenario_id}/deactivate", response_model=ActivePublic)
async def deactivate(scenario_id: str, account: Account, rt: Rt) -> ActivePublic:
    return await _set_active(rt, account, scenario_id, False)


@router.post("/scenarios/{scenario_id}/run", status_code=202, response_model=RunAccepted,
             responses={200: {"description": "With wait=true: the finished execution."}})
async def run_scenario(
    scenario_id: str, account: Account, rt: Rt,
    request: Annotated[RunRequest | None, Body()] = None,
    wait: Annotated[bool, Query(description="Answer with the finished execution.")] = False,
) -> Response:
    record = await _get(rt, account, scenario_id)
    trigger_input = request.input if request else None
    require_storable(trigger_input, "input")
    execution = ExecutionRecord(
        id=new_id(), account_id=account, scenario_id=record.id, status=RunStatus.QUEUED,
        created_at=rt.clock.now(), trigger_input=rt.engine.seal_input(record, trigger_input), trigger_event="manual",
        confidential=rt.engine.plan_for(record).settings.confidential,
    )
    await rt.intake.submit(execution)
    finished: asyncio.Future[RunResult | None] = asyncio.get_running_loop().create_future()

    def waiter(response: dict[str, Any] | None, result: RunResult | None) -> None:
        if (result is not None or response is None) and not finished.done():
            finished.set_result(result)

    rt.workers.submit(execution, waiter if wait else None)
    if not wait:
        return JSONResponse({"execution_id": execution.id}, status_code=202)
    await finished
    return JSONResponse(await execution_detail(rt, account, execution.id), status_code=200)


NEXT_KEEPALIVE_S = 15.0
NEXT_MAX_S = 600.0
"""A next-execution stream ends after 10 minutes without one; the client may open it again."""


@router.get("/scenarios/{scenario_id}/next-execution", response_class=StreamingResponse, responses={200: {
    "description": "Server-sent events: one `execution` event `{execution_id}` when the scenario's next "
                   "execution is stored (a webhook request, a manual or a scheduled run), then the stream ends.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}}}, 404: {"description": "No such scenario."}})
async def next_execution(scenario_id: str, account: Account, rt: Rt) -> StreamingResponse:
    """Wait for the scenario's next execution ("Run once" waiting for a webhook). A webhook request to
    an inactive scenario, which would wait in its queue until activation, is run at once, as Make's
    "Run once" does."""
    await _get(rt, account, scenario_id)  # 404 before the stream starts
    return StreamingResponse(_next(rt, account, scenario_id), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


async def _next(rt: Runtime, account: str, scenario_id: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + NEXT_MAX_S
    with rt.engine.services.progress.watch_scenario(scenario_id) as created:
        yield ": waiting\n\n"  # the headers go out now: the client knows the watch is on
        while (left := deadline - loop.time()) > 0:
            execution = None
            with contextlib.suppress(TimeoutError):
                execution = await asyncio.wait_for(created.get(), min(NEXT_KEEPALIVE_S, left))
            if execution is None:
                yield ": keep-alive\n\n"
                continue
            await _run_if_waiting(rt, account, execution)
            yield f"event: execution\ndata: {json.dumps({'execution_id': execution.id})}\n\n"
            return


async def _run_if_waiting(rt: Runtime, account: str, execution: ExecutionRecord) -> None:
    """A webhook request to an inactive scenario is queued until activation: run it now."""
    if execution.trigger_event != "webhook" or execution.status is not RunStatus.QUEUED:
        return
    record = await rt.store.get_scenario(account, execution.scenario_id)
    if record is not None and not record.active:
        rt.workers.submit(execution)


StatusFilter = Literal["queued", "running", "success", "warning", "error", "incomplete", "cancelled"]


@router.get("/scenarios/{scenario_id}/executions")
async def list_executions(
    scenario_id: str, account: Account, rt: Rt,
    status: StatusFilter | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    before: str | None = None,
) -> list[dict[str, Any]]:
    await _get(rt, account, scenario_id)
    records = await rt.store.list_executions(
        account, scenario_id, status=RunStatus(status) if status else None, limit=limit, before=before
    )
    return [execution_summary(record) for record in records]



def _version_public(version: ScenarioVersion) -> VersionPublic:
    return VersionPublic(n=version.n, saved_at=iso(version.saved_at) or "", definition=version.definition)


@router.get("/scenarios/{scenario_id}/versions", response_model=list[VersionPublic])
async def list_versions(
    scenario_id: str, account: Account, rt: Rt,
    limit: Annotated[int, Query(ge=1, le=1000, description="At most this many, newest first.")] = 100,
    before: Annotated[int | None, Query(ge=1, description="A version number: the page of older ones.")] = None,
) -> list[VersionPublic]:
    """Every saved version of the scenario, newest first (kept 60 days; the newest always)."""
    await _get(rt, account, scenario_id)
    versions = await rt.store.list_scenario_versions(account, scenario_id, before=before, limit=limit)
    return [_version_public(v) for v in versions]


async def _version(rt: Runtime, account: str, scenario_id: str, n: int) -> ScenarioVersion:
    await _get(rt, account, scenario_id)
    version = await rt.store.get_scenario_version(account, scenario_id, n)
    if version is None:
        raise not_found("version")
    return version


@router.get("/scenarios/{scenario_id}/versions/{n}", response_model=VersionPublic)
async def get_version(scenario_id: str, n: int, account: Account, rt: Rt) -> VersionPublic:
    return _version_public(await _version(rt, account, scenario_id, n))


@router.post("/scenarios/{scenario_id}/versions/{n}/restore", response_model=ScenarioPublic)
async def restore_version(scenario_id: str, n: int, account: Account, rt: Rt) -> ScenarioPublic:
    """Save version ``n``'s definition again, as the newest version (validated as any save: 422 with the
    path when it no longer holds, e.g. a connection since deleted)."""
    version = await _version(rt, account, scenario_id, n)
    record = await _save(rt, account, version.definition, scenario_id)
    return public(rt, record, (await month_operations(rt, account)).get(record.id, 0))
