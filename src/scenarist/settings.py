"""Settings: ``SCENARIST_*`` environment variables and a ``.env`` file.

``scenarist config`` prints them under these names, lower-cased without the
prefix, secrets redacted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from scenarist.store.ports import DataStoreQuota, RetentionWindows


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCENARIST_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Where the embedded store and key file live.")
    database_url: str | None = Field(default=None, description="Default: SQLite in the data dir.")
    secret_keys: SecretStr | None = Field(default=None, description="Comma-separated id:base64key, newest first.")
    session_idle_seconds: int = 1200
    session_max_seconds: int = 43200
    public_url: str = "http://127.0.0.1:8000"
    webhook_max_bytes: int = 5 * 1024 * 1024
    force_https: bool = False
    metrics_token: SecretStr | None = Field(
        default=None, description="A bearer token that opens /metrics to clients beyond loopback.")
    trusted_proxies: str = Field(default="", description="Comma-separated CIDRs whose X-Forwarded-For is believed.")
    retention_gateway_logs_days: int = 30
    retention_incomplete_days: int = 30
    retention_notifications_days: int = 7
    retention_activity_days: int = 30
    retention_runs_days: int = 60
    egress_allow: str = ""
    egress_proxy: str | None = None
    egress_source_address: str | None = None
    expression_timeout_ms: float = 100
    expression_max_output_bytes: int = 1024 * 1024
    data_store_max_records: int = Field(
        default=10_000, ge=1, description="The most records a data store may hold, and the limit of a store "
        "created without max_records.")
    data_store_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="The most bytes of records (compact JSON) a data store may "
        "hold, and the limit of a store created without max_size_bytes.")
    data_stores_per_account: int = Field(
        default=100, ge=1, description="The most data stores an account may have.")
    data_store_account_max_bytes: int = Field(
        default=1024 * 1024 * 1024, ge=1, description="The most the limits (max_size_bytes) of an account's data "
        "stores may add up to: declared limits, not sizes, so that no write fails because of another store.")

    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'scenarist.db').resolve()}"

    def retention(self) -> RetentionWindows:
        return RetentionWindows(
            gateway_logs_days=self.retention_gateway_logs_days,
            incomplete_days=self.retention_incomplete_days,
            notifications_days=self.retention_notifications_days,
            activity_days=self.retention_activity_days,
            runs_days=self.retention_runs_days,
        )

    def data_store_quota(self) -> DataStoreQuota:
        return DataStoreQuota(max_stores=self.data_stores_per_account, max_bytes=self.data_store_account_max_bytes)

    def redacted(self) -> dict[str, Any]:
        """Every setting as JSON-ready values; secrets and URL passwords hidden."""
        out = self.model_dump(mode="json")
        out["secret_keys"] = "**********" if self.secret_keys else None
        out["metrics_token"] = "**********" if self.metrics_token else None
        out["database_url"] = _redact_url(self.effective_database_url())
        if self.egress_proxy:
            out["egress_proxy"] = _redact_url(self.egress_proxy)
        return out


def _redact_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    creds, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in creds:
        return url
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:**********@{host}"
