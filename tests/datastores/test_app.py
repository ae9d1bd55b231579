"""The datastore app as data: in the catalogue, and what it does without the engine."""

from __future__ import annotations

import pytest

from scenarist.apps.datastore import app
from scenarist.sdk import DataError, InvalidConfigurationError, ModuleHarness
from tests.datastores.conftest import API, Api

MODULES = ["add_record", "update_record", "get_record", "check_record_exists", "search_records", "count_records",
           "delete_record", "delete_all_records"]


async def test_the_catalogue_lists_the_modules(api: Api) -> None:
    catalogue = (await api.client.get(f"{API}/apps", headers=api.auth)).json()
    [datastore] = [a for a in catalogue if a["key"] == "datastore"]
    assert [m["key"] for m in datastore["modules"]] == [f"datastore.{key}" for key in MODULES]


async def test_outside_the_engine_there_is_no_data_store() -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(InvalidConfigurationError, match="only be used inside the engine"):
            await harness.run("get_record", params={"data_store": "s1", "key": "k"})


@pytest.mark.parametrize(("params", "where"), [
    ({"data_store": "s1", "limit": 0}, "params.limit"),
    ({"data_store": "s1", "filter": [[{"field": "a", "operator": "like"}]]}, "params.filter.0.0.operator"),
    ({"data_store": "s1", "sort": {"field": "a", "direction": "up"}}, "params.sort.direction"),
    ({"data_store": ""}, "params.data_store"),
])
async def test_bad_params_name_their_path(params: dict[str, object], where: str) -> None:
    async with ModuleHarness(app) as harness:
        with pytest.raises(DataError, match=where.replace(".", r"\.")):
            await harness.run("search_records", params=params)
