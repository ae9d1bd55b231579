"""The ``scenarist`` command (contract section 2)."""

from __future__ import annotations

import asyncio
import gc
import json
import signal
import sys
import uuid
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.tree import Tree

from scenarist.access_log import purge as purge_access_log
from scenarist.bootstrap import core_from_settings, services_from_settings
from scenarist.engine.documents import execution_document
from scenarist.engine.expressions import ExpressionEngine
from scenarist.engine.plan import HandlerNode, IfElseNode, Node, Plan, RouterNode
from scenarist.engine.registry import Registry
from scenarist.engine.service import InvalidScenario
from scenarist.engine.validation import validate
from scenarist.settings import Settings
from scenarist.store.ports import ActivityRecord
from scenarist.types import RunStatus
from scenarist.vault import VaultError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Scenarist: automation scenarios.")
vault_app = typer.Typer(no_args_is_help=True, help="The keys that encrypt stored credentials.")
app.add_typer(vault_app, name="vault")
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
MAX_LOG_LINES = 200


class UsageProblem(Exception):
    """Bad input to the command: reported with exit code 2."""


def main() -> None:
    app()


@app.callback()
def _every_command(
    log_level: Annotated[str | None, typer.Option(
        "--log-level", help="debug, info, warning, error or critical; default SCENARIST_LOG_LEVEL, else info. "
        "Logs go to stderr.")] = None,
) -> None:
    """Scenarist: automation scenarios."""
    from scenarist.logs import configure_logging, level_named

    try:
        level = level_named(log_level or _configured_log_level())
    except ValueError as exc:
        raise _fail(str(exc)) from None
    configure_logging(level)


def _configured_log_level() -> str:
    """``SCENARIST_LOG_LEVEL`` (or the ``.env`` file's); ``info`` when the settings do not load (the command
    that needs them reports why)."""
    try:
        return Settings().log_level
    except ValueError:
        return "info"


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(EXIT_INVALID)


def load_document(path: Path) -> Any:
    """A scenario or input file, JSON or YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageProblem(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise UsageProblem(f"{path}: not UTF-8 text") from exc
    try:
        if path.suffix.lower() == ".json":
            return json.loads(text)
        return yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise UsageProblem(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise UsageProblem(f"{path}: invalid YAML{where}: {getattr(exc, 'problem', exc)}") from exc


def parse_input(value: str | None) -> Any:
    if value is None:
        return None
    if value.startswith("@"):
        return load_document(Path(value[1:]))
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise UsageProblem(f"--input: invalid JSON at column {exc.colno}: {exc.msg}") from exc


@app.command("validate")
def validate_cmd(file: Annotated[Path, typer.Argument(help="A scenario file, JSON or YAML.")]) -> None:
    """Check a scenario file; print each problem with its path."""
    try:
        data = load_document(file)
    except UsageProblem as exc:
        raise _fail(str(exc)) from None
    result = validate(data, Registry.discover(), ExpressionEngine())
    if not result.ok:
        for problem in result.problems:
            err.print(f"[red]{escape(problem.path or '(scenario)')}[/red]: {escape(problem.message)}")
        err.print(f"{len(result.problems)} problem(s) in {file}")
        raise typer.Exit(EXIT_INVALID)
    out.print(f"[green]valid[/green]: {escape(str(file))}")


@app.command("run")
def run_cmd(
    file: Annotated[Path, typer.Argument(help="A scenario file, JSON or YAML.")],
    input_: Annotated[str | None, typer.Option("--input", help="JSON, or @file with JSON or YAML.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
) -> None:
    """Run a scenario file once, locally; print the summary and the activity stream."""
    try:
        data, trigger_input = load_document(file), parse_input(input_)
    except UsageProblem as exc:
        raise _fail(str(exc)) from None
    scenario_id = uuid.uuid5(uuid.NAMESPACE_URL, f"file://{file.resolve()}").hex
    try:
        code = asyncio.run(_run(scenario_id, data, trigger_input, as_json))
    except VaultError as exc:  # a stored credential's key is not configured, as `serve` refuses to start
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_FAILED) from None
    raise typer.Exit(code)


async def _run(scenario_id: str, data: Any, trigger_input: Any, as_json: bool) -> int:
    async with services_from_settings(Settings()) as services:
        engine = services.engine
        checked = engine.validate(data)
        if not checked.ok:
            for problem in checked.problems:
                err.print(f"[red]{escape(problem.path or '(scenario)')}[/red]: {escape(problem.message)}")
            return EXIT_INVALID
        try:
            scenario = await engine.save_scenario(data, scenario_id=scenario_id)
        except InvalidScenario as exc:
            for problem in exc.problems:
                err.print(f"[red]{escape(problem.path or '(scenario)')}[/red]: {escape(problem.message)}")
            return EXIT_INVALID
        result = await engine.run(scenario, trigger_input)
        execution = result.execution
        activity = await engine.store.get_activity(execution.account_id, execution.id)
        if as_json:
            doc = execution_document(execution, activity, result.response)
            sys.stdout.write(json.dumps(doc, ensure_ascii=False, default=str) + "\n")
        else:
            _print_summary(engine.plan_for(scenario), execution, activity, result.response)
    ok = execution.status in (RunStatus.SUCCESS, RunStatus.WARNING)
    return EXIT_OK if ok else EXIT_FAILED


def _print_summary(plan: Plan, execution: Any, activity: list[ActivityRecord], response: Any) -> None:
    colour = {"success": "green", "warning": "yellow"}.get(str(execution.status), "red")
    took = (execution.finished_at - execution.started_at).total_seconds() * 1000
    out.print(
        f"Run {execution.id} [{colour}]{execution.status}[/{colour}] in {took:.0f} ms, "
        f"{execution.operations} operation(s)"
    )
    if execution.error:
        e = execution.error
        out.print(f"[red]{escape(str(e.get('type')))}[/red] at {escape(str(e.get('step')))}: "
                  f"{escape(str(e.get('message')))}")
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for record in activity:
        counts[record.step][record.status] += 1
    out.print(_tree(plan, counts))
    if response is not None:
        out.print(f"Response: {escape(json.dumps(response, ensure_ascii=False, default=str))}")
    _print_activity(activity)


def _bubble(step: str, module: str, counts: Counter[str]) -> str:
    done = counts.get("success", 0) + counts.get("error", 0)
    parts = [f"[bold]{escape(step)}[/bold] {escape(module)}  {done} op(s)"]
    for status, colour in (("success", "green"), ("error", "red"), ("filtered", "yellow")):
        if counts.get(status):
            parts.append(f"[{colour}]{status} {counts[status]}[/{colour}]")
    return "  ".join(parts)


def _tree(plan: Plan, counts: dict[str, Counter[str]]) -> Tree:
    t = plan.trigger
    root = Tree(_bubble(t.id, t.module, counts[t.id]))
    _branch(root, plan.flow, counts)
    return root


def _branch(parent: Tree, chain: list[Node], counts: dict[str, Counter[str]]) -> None:
    for node in chain:
        if isinstance(node, RouterNode):
            router = parent.add(f"[bold]{escape(node.id)}[/bold] router")
            for i, route in enumerate(node.routes):
                label = route.label or f"route {i + 1}"
                _branch(router.add(escape(label) + (" (fallback)" if route.fallback else "")), route.chain, counts)
            return
        if isinstance(node, IfElseNode):
            block_tree = parent.add(f"[bold]{escape(node.id)}[/bold] if-else")
            for i, arm in enumerate(node.branches):
                _branch(block_tree.add(escape(arm.label or f"branch {i + 1}")), arm.chain, counts)
            if node.otherwise is not None:
                _branch(block_tree.add("else"), node.otherwise, counts)
            continue
        branch = parent.add(_bubble(node.id, node.module, counts[node.id]))
        if isinstance(node.handler, HandlerNode):
            handler = branch.add(f"on error: {node.handler.directive}")
            _branch(handler, node.handler.chain, counts)


def _print_activity(activity: list[ActivityRecord]) -> None:
    table = Table("step", "bundle", "status", "ms", "output", title="Activity stream", title_justify="left")
    for record in activity[:MAX_LOG_LINES]:
        shown = record.error if record.error else record.output
        text = json.dumps(shown, ensure_ascii=False, default=str) if shown is not None else ""
        table.add_row(record.step, str(record.bundle), record.status, f"{record.duration_ms:.2f}",
                      escape(text[:120] + ("…" if len(text) > 120 else "")))
    out.print(table)
    if len(activity) > MAX_LOG_LINES:
        out.print(f"... {len(activity) - MAX_LOG_LINES} more record(s); use --json for all of them")


@app.command()
def purge(
    as_of: Annotated[str | None, typer.Option("--as-of", help="ISO-8601; default now.")] = None,
) -> None:
    """Apply the retention windows as if now were --as-of."""
    try:
        when = datetime.fromisoformat(as_of) if as_of else datetime.now(UTC)
    except ValueError:
        raise _fail(f"--as-of: not an ISO-8601 date and time: {as_of!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    counts = asyncio.run(_purge(when))
    for kind, count in counts.items():
        out.print(f"{kind}: {count} deleted")


async def _purge(when: datetime) -> dict[str, int]:
    settings = Settings()
    async with core_from_settings(settings, check_keys=False) as core:  # it reads no credential
        counts = await core.store.purge(when, settings.retention())
    counts["access_log"] = purge_access_log(settings.data_dir / "access.log", settings.access_log_cutoff(when),
                                            backups=settings.access_log_files)
    return counts


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Overrides SCENARIST_DATA_DIR.")] = None,
    tls_cert: Annotated[Path | None, typer.Option("--tls-cert", help="PEM certificate: serve HTTPS.")] = None,
    tls_key: Annotated[Path | None, typer.Option("--tls-key", help="PEM private key of --tls-cert.")] = None,
) -> None:
    """API, webhook gateway, scheduler and workers in one process (SIGTERM drains in-flight runs)."""
    import uvicorn

    from scenarist.server.app import create_app

    if (tls_cert is None) != (tls_key is None):
        raise _fail("--tls-cert and --tls-key go together")
    settings = (Settings(data_dir=data_dir) if data_dir else Settings()).served_at(host, port, tls=tls_cert is not None)
    tune_gc()
    config = uvicorn.Config(
        create_app(settings), host=host, port=port, log_level="warning", access_log=False,
        ssl_certfile=str(tls_cert) if tls_cert else None, ssl_keyfile=str(tls_key) if tls_key else None,
        timeout_graceful_shutdown=30, lifespan="on", proxy_headers=False,
    )
    _serve_until_signalled(config)


def tune_gc() -> None:
    """Fewer, cheaper collections for a long-running server: what was loaded at start is
    frozen out of the collector, and the youngest generation is collected less often
    (a request allocates thousands of short-lived objects)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)


def _serve_until_signalled(config: Any) -> None:
    """Run uvicorn; after a SIGTERM/SIGINT drain exit 0 (uvicorn would re-raise the signal)."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: Any) -> None:
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

    Server(config).run()


@app.command()
def config() -> None:
    """Print the effective settings as JSON, secrets redacted."""
    sys.stdout.write(json.dumps(Settings().redacted(), indent=2) + "\n")


@app.command()
def apps(
    app_key: Annotated[str | None, typer.Option("--app", help="One app: its modules' params and its connection types.")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the catalogue (as GET /api/v1/apps) as JSON.")] = False,
) -> None:
    """List installed apps, their modules and connection types (--app NAME: one app in detail)."""
    catalogue = Registry.discover().catalogue()
    if app_key is not None:
        chosen = [entry for entry in catalogue if entry["key"] == app_key]
        if not chosen:
            raise _fail(f"unknown app {app_key!r}; installed: {', '.join(e['key'] for e in catalogue)}")
        catalogue = chosen
    if as_json:
        sys.stdout.write(json.dumps(catalogue if app_key is None else catalogue[0], indent=2) + "\n")
    elif app_key is None:
        out.print(_apps_table(catalogue))
    else:
        _print_app(catalogue[0])


def _apps_table(catalogue: list[dict[str, Any]]) -> Table:
    table = Table("app", "module", "kind", "description")
    for column in table.columns[:3]:
        column.no_wrap = True
    for entry in catalogue:
        for module in entry["modules"]:
            table.add_row(entry["key"], module["key"], module["kind"], escape(module["description"]))
        for conn in entry["connection_types"]:
            table.add_row(entry["key"], conn["key"], "connection", escape(conn["label"]))
    return table


def _print_app(entry: dict[str, Any]) -> None:
    """The app, each module with its params, each connection type with its fields: one line per param."""
    out.print(f"[bold]{escape(entry['key'])}[/bold]: {escape(entry['label'])}. {escape(entry['description'])}")
    for module in entry["modules"]:
        out.print(f"\n[bold]{escape(module['key'])}[/bold] ({module['kind']}): {escape(module['label'])}. "
                  f"{escape(module['description'])}")
        if module["connection_types"]:
            out.print(f"  connection types: {', '.join(module['connection_types'])}")
        out.print("  params:" if module["params"].get("properties") else "  params: none")
        _print_fields(module["params"])
    out.print("\nconnection types:" + ("" if entry["connection_types"] else " none"))
    for conn in entry["connection_types"]:
        out.print(f"[bold]{escape(conn['key'])}[/bold]: {escape(conn['label'])}")
        out.print("  fields:")
        _print_fields(conn["fields"], secret=set(conn["secret_fields"]))


def _print_fields(schema: dict[str, Any], *, secret: set[str] | None = None) -> None:
    """``  - name (type, required|optional[, secret]): description [default: value]`` per property."""
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        traits = [schema_type(prop, schema.get("$defs", {})), "required" if name in required else "optional"]
        if secret and name in secret:
            traits.append("secret")
        default = f" [default: {json.dumps(prop['default'], ensure_ascii=False)}]" if "default" in prop else ""
        out.print(f"    - [bold]{escape(name)}[/bold] ({escape(', '.join(traits))}): "
                  f"{escape(prop.get('description', ''))}{escape(default)}")


def schema_type(prop: dict[str, Any], defs: dict[str, Any]) -> str:
    """A JSON Schema property's type in a few words: ``string``, ``integer | null``, ``array of string``,
    ``GET|POST`` (an enum), ``any``."""
    if "$ref" in prop:
        target = defs.get(str(prop["$ref"]).rsplit("/", 1)[-1], {})
        return schema_type(target, defs) if "type" in target or "enum" in target else "object"
    if "enum" in prop:
        return "|".join(json.dumps(v) if not isinstance(v, str) else v for v in prop["enum"])
    if "const" in prop:
        return json.dumps(prop["const"])
    options = prop.get("anyOf") or prop.get("oneOf")
    if options:
        return " | ".join(dict.fromkeys(schema_type(option, defs) for option in options))
    kind = prop.get("type")
    if isinstance(kind, list):
        return " | ".join(kind)
    if kind == "array" and isinstance(prop.get("items"), dict):
        return f"array of {schema_type(prop['items'], defs)}"
    return str(kind) if kind else "any"


@vault_app.command("rotate")
def vault_rotate() -> None:
    """Re-encrypt every stored credential under the newest key of SCENARIST_SECRET_KEYS."""
    try:
        count, key_id = asyncio.run(_rotate(Settings()))
    except VaultError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(EXIT_FAILED) from None
    out.print(f"re-encrypted {count} credential(s) under key {key_id!r}")


async def _rotate(settings: Settings) -> tuple[int, str]:
    """Safe while a server uses the same store: each row is swapped only if unchanged."""
    async with core_from_settings(settings) as core:
        return await core.connections.rotate(), core.vault.newest_key_id
