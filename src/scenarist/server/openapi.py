"""The OpenAPI document, made to describe the API exactly (``GET /api/v1/openapi.json``).

FastAPI's document is a start; ``describe`` then makes it say what the server
really does, so that a client (or schemathesis) generated from it is right:

- security: a bearer API token, or the session cookie (plus ``X-CSRF-Token``
  for the methods that change state), per operation; public ones have none;
- answers: every 4xx the operation can give (400 malformed JSON, 401, 403
  Origin/CSRF, 404 unknown ids, 413 bodies over the cap, 422 invalid input,
  and what a route declares: 409, 429, ...) with the real error body
  ``{"error": {"code", "message", "path"?}}``, never FastAPI's ``{"detail"}``;
- request schemas as strict as the validation: the scenario definition is the
  JSON Schema of ``engine.model.Scenario`` with the installed modules as enums,
  connection types are an enum of the installed ones, data-store limits stop
  at the server's caps.

``python -m scenarist.server.openapi`` prints the document without a server,
with sorted keys, so that the web UI's generated client
(``web/src/lib/api/schema.d.ts``, ``make client``) changes only when the API did.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from scenarist.engine.model import Scenario
from scenarist.server.deps import account_id
from scenarist.server.errors import CODES, routes_of
from scenarist.server.security import CSRF_HEADER, SESSION_COOKIE, UNSAFE_METHODS

if TYPE_CHECKING:
    from fastapi import FastAPI

    from scenarist.server.runtime import Runtime

REF = "#/components/schemas/{model}"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Every failure of the API: a fitting 4xx (500 for a bug) with this body.",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "additionalProperties": False,
        "properties": {
            "code": {"type": "string", "examples": sorted(set(CODES.values()))},
            "message": {"type": "string"},
            "path": {"type": "string", "description": "Where the problem is (`flow[2].params.url`)."},
        },
    }},
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer", "description": "An API token from `POST /tokens`."},
    "session": {"type": "apiKey", "in": "cookie", "name": SESSION_COOKIE,
                "description": "The session cookie that `POST /auth/login` sets."},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
             "description": "The `csrf_token` of the login answer; required with the session cookie on "
                            "POST, PUT, PATCH and DELETE."},
}
assert CSRF_HEADER == "x-csrf-token"


def describe(schema: dict[str, Any], app: FastAPI, runtime: Runtime) -> None:
    """Make FastAPI's ``schema`` of ``app`` exact (see the module docstring); in place."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Error"] = ERROR_SCHEMA
    components["securitySchemes"] = SECURITY_SCHEMES
    _definition_schema(schemas, runtime)
    _connection_types(schemas, runtime)
    _data_store_caps(schemas, runtime)
    for route, method, operation in _operations(schema, app):
        _body_schema(operation)
        _secure(operation, route, method)
        _answers(operation, route, method)


def _operations(schema: dict[str, Any], app: FastAPI) -> Iterator[tuple[APIRoute, str, dict[str, Any]]]:
    for route in routes_of(app):
        if not isinstance(getattr(route, "original_route", route), APIRoute) or not route.include_in_schema:
            continue
        for method in sorted(route.methods or ()):
            operation = schema.get("paths", {}).get(route.path_format, {}).get(method.lower())
            if operation is not None:
                yield route, method, operation


def _body_schema(operation: dict[str, Any]) -> None:
    """A route's ``openapi_extra={"x-body-schema": "Model"}``: its JSON body is that component."""
    model = operation.pop("x-body-schema", None)
    if model is not None:
        operation["requestBody"]["content"]["application/json"]["schema"] = {"$ref": REF.format(model=model)}


def _needs_account(dependant: Dependant) -> bool:
    return dependant.call is account_id or any(_needs_account(d) for d in dependant.dependencies)


def _secure(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    if not _needs_account(route.dependant):
        operation["security"] = []
        return
    session: dict[str, list[str]] = {"session": [], "csrf": []} if method in UNSAFE_METHODS else {"session": []}
    operation["security"] = [{"bearer": []}, session]


def _answers(operation: dict[str, Any], route: APIRoute, method: str) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    body = route.body_field is not None
    params = bool(route.dependant.path_params or route.dependant.query_params or route.dependant.header_params)
    statuses = {
        400: body,
        401: _needs_account(route.dependant),
        403: method in UNSAFE_METHODS,
        404: bool(route.dependant.path_params),
        413: body,
        422: body or params,
    }
    for status, applies in statuses.items():
        if applies:
            responses.setdefault(str(status), {})
    if responses.get("422", {}).get("content") and not (body or params):
        del responses["422"]
    for code, answer in responses.items():
        if code.isdigit() and 400 <= int(code) < 500:
            answer["description"] = answer.get("description") or HTTPStatus(int(code)).phrase
            if answer["description"] == "Validation Error":
                answer["description"] = "Invalid input; `path` names the first problem."
            answer["content"] = {"application/json": {"schema": ERROR_REF}}
    operation["responses"] = dict(sorted(responses.items()))


# -- request schemas as strict as the validation


def _definition_schema(schemas: dict[str, Any], runtime: Runtime) -> None:
    """The scenario definition's JSON Schema from its model; module keys limited to the installed ones."""
    definition = Scenario.model_json_schema(ref_template=REF)
    for name, sub in definition.pop("$defs", {}).items():
        schemas.setdefault(name, sub)
    schemas["Scenario"] = definition
    modules = {f"{app.key}.{m.key}": m for app in runtime.registry.apps.values() for m in app.modules}
    first = sorted(k for k, m in modules.items() if m.kind != "aggregator")
    later = sorted(k for k, m in modules.items() if m.kind != "trigger")
    for name, keys in (("Trigger", first), ("Step", later)):
        module = schemas.get(name, {}).get("properties", {}).get("module")
        if module is not None and keys:
            module.pop("pattern", None)
            module["enum"] = keys


def _connection_types(schemas: dict[str, Any], runtime: Runtime) -> None:
    kind = schemas.get("ConnectionCreate", {}).get("properties", {}).get("type")
    keys = sorted(c.key for app in runtime.registry.apps.values() for c in app.connection_types)
    if kind is not None and keys:
        for constraint in ("minLength", "maxLength", "pattern"):
            kind.pop(constraint, None)
        kind["enum"] = keys


def _data_store_caps(schemas: dict[str, Any], runtime: Runtime) -> None:
    caps = {"max_records": runtime.settings.data_store_max_records,
            "max_size_bytes": runtime.settings.data_store_max_bytes}
    for model in ("DataStoreCreate", "DataStoreUpdate"):
        for name, cap in caps.items():
            field = schemas.get(model, {}).get("properties", {}).get(name)
            for variant in (field or {}).get("anyOf", [field] if field else []):
                if variant.get("type") == "integer":
                    variant["maximum"] = cap


def document() -> dict[str, Any]:
    """The app's OpenAPI document; the app is built but not started (nothing touches a data dir)."""
    from scenarist.server.app import create_app
    from scenarist.settings import Settings

    with tempfile.TemporaryDirectory() as scratch:
        return create_app(Settings(data_dir=Path(scratch), _env_file=None)).openapi()


def main() -> None:
    sys.stdout.write(json.dumps(document(), indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
