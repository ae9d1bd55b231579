"""The app catalogue: apps found through the ``scenarist.apps`` entry point."""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import Any, get_args

from scenarist.sdk import AccountObject, App, ConnectionType, ModuleSpec

ENTRY_POINT_GROUP = "scenarist.apps"


class Registry:
    def __init__(self, apps: Iterable[App]) -> None:
        self.apps: dict[str, App] = {}
        self._modules: dict[str, ModuleSpec] = {}
        for app in apps:
            self.add(app)

    @classmethod
    def discover(cls) -> Registry:
        """Every installed app, the built-in ones included, sorted by key."""
        found = [ep.load() for ep in entry_points(group=ENTRY_POINT_GROUP)]
        return cls(sorted((a for a in found if isinstance(a, App)), key=lambda a: a.key))

    def add(self, app: App) -> None:
        """Install ``app``; a ValueError names what is wrong with it (and installs nothing)."""
        if app.key in self.apps:
            raise ValueError(f"app {app.key!r} is installed twice")
        for spec in app.modules:
            _check_hooks(f"{app.key}.{spec.key}", spec)
            _check_account_objects(f"{app.key}.{spec.key}", spec)
        self.apps[app.key] = app
        for spec in app.modules:
            self._modules[f"{app.key}.{spec.key}"] = spec

    def module(self, key: str) -> ModuleSpec | None:
        return self._modules.get(key)

    def connection_type(self, key: str) -> ConnectionType | None:
        app_key = key.partition(".")[0]
        app = self.apps.get(app_key)
        return next((c for c in app.connection_types if c.key == key), None) if app else None

    def catalogue(self) -> list[dict[str, Any]]:
        """Apps, their modules with params JSON Schema, and connection types."""
        return [
            {
                "key": app.key,
                "label": app.label,
                "description": app.description,
                "modules": [
                    {
                        "key": f"{app.key}.{m.key}",
                        "label": m.label,
                        "description": m.description,
                        "kind": m.kind,
                        "connection_types": list(m.connection_types),
                        "params": m.params_schema(),
                        "output": m.output,
                    }
                    for m in app.modules
                ],
                "connection_types": [
                    {"key": c.key, "label": c.label, "fields": c.fields.model_json_schema(),
                     "secret_fields": list(c.secret_fields), "oauth2": c.oauth2 is not None}
                    for c in app.connection_types
                ],
            }
            for app in self.apps.values()
        ]


def _check_hooks(key: str, spec: ModuleSpec) -> None:
    """``attach`` and ``detach`` come together, on triggers only: what activation registers with a
    service, deactivation must be able to remove."""
    if (spec.attach is None) != (spec.detach is None):
        has, lacks = ("attach", "detach") if spec.attach is not None else ("detach", "attach")
        raise ValueError(f"module {key!r} has {has} but no {lacks}: a trigger that registers its webhook "
                         "must also unregister it; give both or neither")
    if spec.attach is not None and spec.kind != "trigger":
        raise ValueError(f"module {key!r} is of kind {spec.kind!r}: only a trigger (kind='trigger') "
                         "registers a webhook with attach and detach")


def _check_account_objects(key: str, spec: ModuleSpec) -> None:
    """Each param named in ``account_objects`` is one of the module's, of a kind the engine can look up."""
    kinds = get_args(AccountObject)
    for param, kind in spec.account_objects.items():
        if param not in spec.params.model_fields:
            raise ValueError(f"module {key!r} declares account object param {param!r}, which its params lack")
        if kind not in kinds:
            raise ValueError(f"module {key!r} declares {param!r} as a {kind!r}, not one of {', '.join(kinds)}")
