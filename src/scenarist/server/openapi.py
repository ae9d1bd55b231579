"""The OpenAPI document of the REST API, without a server: ``python -m scenarist.server.openapi``.

The web UI's TypeScript client (``web/src/lib/api/schema.d.ts``) is generated
from what this prints (``make client``); the output is deterministic (sorted
keys) so that a regenerated client differs only when the API did.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any


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
