"""Prometheus metrics of one server, on a registry of its own (no globals)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from scenarist.engine.executor import RunResult


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.intake = Counter("scenarist_webhook_requests", "Webhook requests by answer status.",
                              ["status"], registry=self.registry)
        self.queue_depth = Gauge("scenarist_queue_depth", "Runs waiting for a worker.", registry=self.registry)
        self.runs = Counter("scenarist_runs", "Finished runs by status.", ["status"], registry=self.registry)
        self.operations = Counter("scenarist_operations", "Module operations.", registry=self.registry)
        self.errors = Counter("scenarist_run_errors", "Runs ended by an error, by type.", ["type"],
                              registry=self.registry)
        self.duration = Histogram("scenarist_run_duration_seconds", "Run durations.", registry=self.registry,
                                  buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60))

    def observe_run(self, result: RunResult) -> None:
        execution = result.execution
        self.runs.labels(str(execution.status)).inc()
        self.operations.inc(execution.operations)
        if execution.error:
            self.errors.labels(str(execution.error.get("type"))).inc()
        if execution.started_at and execution.finished_at:
            self.duration.observe((execution.finished_at - execution.started_at).total_seconds())

    def render(self) -> bytes:
        return generate_latest(self.registry)
