"""The engine's view of connections: a port it is given, never a store or vault it builds.

A step that names a ``connection`` gets it resolved once per run (account-scoped
and type-checked) into ``RunContext.connection``: ``{"type", "fields"}``. The
same check refuses such a step when the scenario is saved, with the path
``flow[i].connection``. ``scenarist.connections.ConnectionService`` implements
the port on the store and the vault.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import httpx

from scenarist.engine.plan import Plan
from scenarist.engine.validation import Problem
from scenarist.types import AccountId


class Credentials(Protocol):
    async def problem(self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]) -> str | None:
        """Why the account's connection cannot serve a module accepting ``accepted`` types; None when it can.

        A connection of another account is "not found", exactly as a missing one."""
        ...

    async def resolve(self, account_id: AccountId, connection_id: str, accepted: tuple[str, ...]) -> dict[str, Any]:
        """``{"type": full key, "fields": every field, secrets decrypted}``; raises
        ``InvalidConfigurationError`` with the reason ``problem`` gives."""
        ...

    def auth(self, account_id: AccountId, connection_id: str, connection: Mapping[str, Any]) -> httpx.Auth | None:
        """The ``httpx.Auth`` for a resolved connection (``ctx.auth``): its type's ``auth`` factory,
        or for an OAuth 2.0 type a flow that refreshes (and stores) the tokens; None when the type has none."""
        ...

    async def flag(self, account_id: AccountId, connection_id: str) -> None:
        """The service refused the credentials (``AuthenticationError``): mark the connection."""
        ...


async def connection_problems(plan: Plan, credentials: Credentials, account_id: AccountId) -> list[Problem]:
    """The connections of ``plan`` that ``account_id`` may not use, each with its step's path."""
    problems = []
    for node in plan.steps.values():
        if node.connection is None:
            continue
        reason = await credentials.problem(account_id, node.connection, node.spec.connection_types)
        if reason is not None:
            problems.append(Problem(f"{node.path}.connection", reason))
    return problems
