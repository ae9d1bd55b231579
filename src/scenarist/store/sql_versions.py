"""Scenario versions for ``SqlStore``: every save keeps the definition under the next number.

The next number is computed by the INSERT itself (the highest in use + 1), and
the INSERT copies the account from the scenario's row, so a version can only
be added to a scenario of its account. Versions go with their scenario
(``delete_scenario``, the foreign key cascades too) and with the account.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from scenarist.store.ports import ScenarioRecord, ScenarioVersion
from scenarist.store.schema import scenario_versions, scenarios
from scenarist.store.sql_base import SqlBase
from scenarist.types import AccountId, ScenarioId

_V = scenario_versions.c


class SqlVersions(SqlBase):
    async def add_scenario_version(self, scenario: ScenarioRecord) -> ScenarioVersion:
        next_n = (
            sa.select(sa.func.coalesce(sa.func.max(_V.n), 0) + 1)
            .where(_V.scenario_id == scenario.id)
            .scalar_subquery()
        )
        source = sa.select(
            scenarios.c.account_id, scenarios.c.id, next_n,
            sa.literal(scenario.updated_at, scenario_versions.c.saved_at.type),
            sa.literal(scenario.definition, scenario_versions.c.definition.type),
        ).where(scenarios.c.account_id == scenario.account_id, scenarios.c.id == scenario.id)
        insert = sa.insert(scenario_versions).from_select(
            ["account_id", "scenario_id", "n", "saved_at", "definition"], source
        )
        async with self._begin(f"version of scenario {scenario.id} refused") as conn:
            if (await conn.execute(insert)).rowcount != 1:
                raise ValueError(f"no scenario {scenario.id} in account {scenario.account_id}")
            n = await conn.scalar(sa.select(sa.func.max(_V.n)).where(_V.scenario_id == scenario.id))
        return ScenarioVersion(scenario.id, int(n or 0), scenario.updated_at, scenario.definition)

    async def list_scenario_versions(
        self, account_id: AccountId, scenario_id: ScenarioId, *, before: int | None = None, limit: int = 100
    ) -> list[ScenarioVersion]:
        query = sa.select(scenario_versions).where(_V.account_id == account_id, _V.scenario_id == scenario_id)
        if before is not None:
            query = query.where(_V.n < before)
        async with self._connect() as conn:
            rows = (await conn.execute(query.order_by(_V.n.desc()).limit(limit))).all()
        return [_version(row._mapping) for row in rows]

    async def get_scenario_version(
        self, account_id: AccountId, scenario_id: ScenarioId, n: int
    ) -> ScenarioVersion | None:
        query = sa.select(scenario_versions).where(
            _V.account_id == account_id, _V.scenario_id == scenario_id, _V.n == n
        )
        async with self._connect() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else _version(row._mapping)


def _version(row: Any) -> ScenarioVersion:
    return ScenarioVersion(row["scenario_id"], row["n"], row["saved_at"], row["definition"])
