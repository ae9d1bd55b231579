import gc, json
import httpx
import pytest
from tests.server.test_fuzz import plain_logs, NASTY  # noqa: F401

DEF = {"name": "n", "trigger": {"id": "hook", "module": "webhooks.custom"}, "schedule": {"type": "immediately"},
       "flow": [{"id": "keep", "module": "tools.set_variables", "params": {"variables": {"w": 1}}}]}

@pytest.mark.parametrize("body", ['{"input": "\\ud800"}', '{"input": NaN}', "deep", "deepobj", "NaN"])
@pytest.mark.parametrize("where", ["run", "hook", "create", "put"])
async def test_probe(app, client: httpx.AsyncClient, auth, body, where):
    body = {"deep": NASTY["nested-arrays-10000"], "deepobj": NASTY["nested-objects-10000"]}.get(body, body)
    created = (await client.post("/api/v1/scenarios", json=DEF, headers=auth)).json()
    sid = created["id"]
    await client.post(f"/api/v1/scenarios/{sid}/activate", headers=auth)
    url = {"run": f"/api/v1/scenarios/{sid}/run", "hook": created["webhook_url"][21:], "create": "/api/v1/scenarios", "put": f"/api/v1/scenarios/{sid}"}[where]
    for _ in range(3):
        r = await client.request("PUT" if where == "put" else "POST", url, content=body, headers={**auth, "content-type": "application/json"})
        print(r.status_code)
        gc.collect()
