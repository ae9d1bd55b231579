"""``GET /scenarios/{id}/gateway-log``: the webhook requests a scenario received and the answers given.

Newest first, paged like the executions (``limit``, ``before`` a log entry's id). An entry is
``{id, received_at, method, query, headers?, body?, status, answer?}``: the request body parsed as the
trigger parses it (JSON, form data, else text) and the answer body likewise (JSON, else text). A
confidential scenario's entries hold no headers, bodies nor query (they are not stored); a scenario
made confidential later shows its older entries the same way.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query

from scenarist.engine.documents import iso
from scenarist.server import gateway
from scenarist.server.deps import account_id, runtime
from scenarist.server.errors import not_found
from scenarist.server.runtime import Runtime
from scenarist.store.ports import GatewayLogRecord

router = APIRouter(tags=["scenarios"])

Account = Annotated[str, Depends(account_id)]
Rt = Annotated[Runtime, Depends(runtime)]


@router.get("/scenarios/{scenario_id}/gateway-log")
async def gateway_log(
    scenario_id: str, account: Account, rt: Rt,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    before: str | None = None,
) -> list[dict[str, Any]]:
    scenario = await rt.store.get_scenario(account, scenario_id)
    if scenario is None:
        raise not_found("scenario")
    await rt.gateway_log.flush()  # what the gateway answered a moment ago is listed too
    confidential = bool(scenario.definition.get("settings", {}).get("confidential"))
    records = await rt.store.list_gateway_logs(account, scenario_id=scenario_id, limit=limit, before=before,
                                               bodies=not confidential)
    return [entry(record, confidential=confidential) for record in records]


def entry(record: GatewayLogRecord, *, confidential: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": record.id, "received_at": iso(record.received_at), "method": record.method,
        "query": {} if confidential else gateway.parse_query(urlsplit(record.path).query),
    }
    if not confidential:
        headers = _headers(record.request_headers)
        doc["headers"] = headers
        if record.request_body is not None:
            doc["body"] = gateway.parse_body(record.request_body, headers.get("content-type", ""))
    doc["status"] = record.status
    if not confidential and record.response_body is not None:
        doc["answer"] = _answer(record.response_body)
    return doc


def _headers(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """As an object; a header sent more than once has its values joined with ", "."""
    out: dict[str, str] = {}
    for name, value in pairs:
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _answer(body: bytes) -> Any:
    text = body.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text
