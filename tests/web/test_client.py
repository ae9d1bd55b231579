"""The checked-in TypeScript client is the one the app's OpenAPI document generates (`make client`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from scenarist.server.openapi import document
from tests.web.tooling import WEB, node_tool

SCHEMA = WEB / "src" / "lib" / "api" / "schema.d.ts"


def test_the_openapi_document_is_deterministic() -> None:
    assert json.dumps(document(), sort_keys=True) == json.dumps(document(), sort_keys=True)


def test_the_checked_in_client_is_current(tmp_path: Path) -> None:
    generator = node_tool("openapi-typescript")
    source = tmp_path / "openapi.json"
    source.write_text(json.dumps(document(), indent=2, sort_keys=True) + "\n")
    out = tmp_path / "schema.d.ts"
    subprocess.run([str(generator), str(source), "-o", str(out)], cwd=WEB, check=True, capture_output=True,
                   timeout=120)
    assert out.read_text() == SCHEMA.read_text(), "web/src/lib/api/schema.d.ts is stale: run `make client`"
