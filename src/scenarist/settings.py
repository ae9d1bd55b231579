"""Settings: ``SCENARIST_*`` environment variables and a ``.env`` file.

``scenarist config`` prints them under these names, lower-cased without the
prefix, secrets redacted.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from scenarist.access_log import AccessLog
from scenarist.store.ports import DataStoreQuota, RetentionWindows


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCENARIST_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default=Path("./data"), description="Where the embedded store and key file live.")
    database_url: str | None = Field(default=None, description="Default: SQLite in the data dir.")
    secret_keys: SecretStr | None = Field(default=None, description="Comma-separated id:base64key, newest first.")
    session_idle_seconds: int = 1200
    session_max_seconds: int = 43200
    public_url: str = Field(default="http://127.0.0.1:8000", description="Where users reach the server: webhook "
                            "URLs, OAuth callbacks and e-mailed links start with it. Default for serve: "
                            "http://{--host}:{--port}.")
    log_level: str = Field(default="info", description="Logs below this level (debug, info, warning, error, "
                           "critical) are not written; every log goes to stderr.")
    hooks_url: str | None = Field(
        default=None, description="The origin webhook URLs start with (a host of their own, apart from the app's: "
        "the production setting); default: public_url.")
    webhook_max_bytes: int = 5 * 1024 * 1024
    api_max_bytes: int = Field(
        default=10 * 1024 * 1024, ge=1, description="The most bytes of a /api/v1 request body (64 KiB at most "
        "under /api/v1/auth/); over it, 413 before the body is read whole.")
    force_https: bool = False
    metrics_token: SecretStr | None = Field(
        default=None, description="A bearer token that opens /metrics to clients beyond loopback.")
    trusted_proxies: str = Field(default="", description="Comma-separated CIDRs whose X-Forwarded-For is believed.")
    retention_gateway_logs_days: int = 30
    retention_incomplete_days: int = 30
    retention_notifications_days: int = 7
    retention_activity_days: int = 30
    retention_runs_days: int = 60
    retention_access_log_days: int = Field(default=30, description="Access log entries older than this are "
                                           "deleted (by serve's hourly purge and by scenarist purge).")
    access_log_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024, description="The access log rotates "
                                      "(access.log becomes access.log.1) once it would grow past this size.")
    access_log_files: int = Field(default=5, ge=1, description="How many rotated access logs are kept.")
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
    smtp_url: SecretStr | None = Field(
        default=None, description="The SMTP server the e-mail queue sends through: smtp://, smtps:// (TLS from the "
        "start) or smtp+starttls://, with user:password (URL-encoded) when it needs a login, e.g. "
        "smtp+starttls://user:pass@mail.example.com:587. Unset: e-mails wait in the queue.")
    smtp_ca_file: Path | None = Field(
        default=None, description="A PEM file of the certificate authorities the SMTP server's certificate is "
        "checked against (default: the system's).")
    mail_from: str | None = Field(
        default=None, description="The From of every e-mail; default: Scenarist <noreply@{the host of public_url}>.")
    mail_retry_seconds: float = Field(
        default=30, gt=0, description="The wait after an e-mail's first failed attempt; it doubles with each "
        "further failure, up to mail_retry_max_seconds.")
    mail_retry_max_seconds: float = Field(
        default=3600, gt=0, description="The longest wait between two attempts at an e-mail.")

    def served_at(self, host: str, port: int, *, tls: bool = False) -> Settings:
        """These settings for ``serve --host host --port port``: ``public_url``, unless set explicitly,
        becomes ``http://{host}:{port}`` (``https://`` when serving TLS; an IPv6 address in brackets)."""
        if "public_url" in self.model_fields_set:
            return self
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return self.model_copy(update={"public_url": f"{'https' if tls else 'http'}://{shown}:{port}"})

    def prepare_data_dir(self) -> None:
        """Create the data dir (0700) and, for the embedded store, its SQLite file (0600); fix the modes of
        what is in it (``scenarist.datadir``)."""
        from scenarist.datadir import prepare

        prepare(self.data_dir, database=None if self.database_url else self.data_dir / "scenarist.db")

    def access_log(self) -> AccessLog:
        """The access log of the data dir, rotating and kept as configured."""
        return AccessLog(self.data_dir / "access.log", max_bytes=self.access_log_max_bytes,
                         backups=self.access_log_files)

    def access_log_cutoff(self, now: datetime) -> datetime:
        """The time before which access log entries are purged."""
        return now - timedelta(days=self.retention_access_log_days)

    def effective_mail_from(self) -> str:
        """``mail_from``, else ``Scenarist <noreply@{host of public_url}>``."""
        if self.mail_from:
            return self.mail_from
        from urllib.parse import urlsplit

        host = urlsplit(self.public_url).hostname or "localhost"
        return f"Scenarist <noreply@{host}>"

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
        out["smtp_url"] = _redact_url(self.smtp_url.get_secret_value()) if self.smtp_url else None
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
