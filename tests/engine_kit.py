"""An engine for tests, built as the composition root builds one: with the guarded HTTP client."""

from __future__ import annotations

from typing import Any

from scenarist.egress import EgressGuard
from scenarist.engine.registry import Registry
from scenarist.engine.service import Engine
from scenarist.store.ports import Store
from scenarist.transport import http_client


def new_engine(store: Store, registry: Registry, **options: Any) -> Engine:
    """``Engine(store, registry, **options)`` with ``options["egress"]`` (the refusing default guard, public
    addresses only, when there is none) and the guarded client of that guard, closed by ``aclose``."""
    egress = options.setdefault("egress", EgressGuard())
    http = http_client(egress=egress if isinstance(egress, EgressGuard) else None)
    return Engine(store, registry, http=http, owns_http=True, **options)
