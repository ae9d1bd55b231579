"""A local HTTP sink for the benchmarks: counts the ids POSTed to it.

``POST /sink`` with a JSON body ``{"id": ...}`` records the id;
``GET /ids`` answers every id received, in order, as a JSON list.
Run: python bench/sink.py PORT
"""

from __future__ import annotations

import json
import sys
from typing import Any

import uvicorn

received: list[Any] = []


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = b""
    while True:
        message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    if scope["method"] == "POST":
        received.append(json.loads(body).get("id"))
        answer = b'{"ok":true}'
    else:
        answer = json.dumps(received).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": answer})


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", access_log=False)
