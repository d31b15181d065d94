"""All settings, from the environment or a `.env` file (pydantic-settings).

`.env.example` documents every field; keep the two in step. Settings are built by `load_settings()` in the
composition root and passed down, never read at import.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    data_dir = Path(user_data_dir("planbot", appauthor=False))
    return f"sqlite:///{data_dir / 'planbot.sqlite3'}"


class Settings(BaseSettings):
    # env_ignore_empty: a .env copied from .env.example leaves blank lines that must mean "the default"
    model_config = SettingsConfigDict(env_prefix="PLANBOT_", env_file=".env", extra="ignore", env_ignore_empty=True)

    # storage
    database_url: str = Field(
        default_factory=default_database_url,
        validation_alias=AliasChoices("DATABASE_URL", "PLANBOT_DATABASE_URL"),
    )

    # documents
    max_document_mb: float = 20.0
    allow_private_urls: bool = False  # intranet document servers need it; the public default refuses them
    url_timeout_seconds: float = 20.0
    alias_file: Path | None = None  # extra department aliases (TSV: canonical<TAB>alias...), added to the shipped table

    # review-calendar conventions, MM-DD
    annual_report_date: str = "01-31"
    mid_term_review_date: str = "06-30"
    final_review_date: str = "12-31"
    timezone: str = "Asia/Shanghai"

    # Slack. Tokens, secrets and robot webhooks (their URLs hold keys) are SecretStr: a repr of the settings, a
    # traceback's locals or a log line shows ********** instead; `reveal` reads one where it is used.
    slack_bot_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    slack_app_token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_API_URL"))
    coordinators: str = ""  # comma-separated Slack user ids allowed to do everything
    coordinator_usergroup: str | None = None  # a Slack user group id whose members are coordinators
    port: int = 3000
    # processes of `planbot serve` that build replies after the ack (0: threads of the serving process); two
    # keep replies flowing on a two-core server while the serving process acks, each with its own connections
    reply_processes: int = Field(default=2, ge=0, le=32)

    # reminders
    deadline_reminder_days: str = "30,7,1,0"
    review_reminder_days: str = "60,30,7"
    annual_monitoring_reminder_days: str = "30,7"
    digest_weekday: int = 0  # Monday
    digest_time: str = "09:00"
    reminder_time: str = "09:00"
    # after this many overdue reminders a task goes into the weekly digest and the coordinators' 督办 list
    overdue_reminder_limit: int = Field(default=3, ge=0, le=52)
    # tasks already this many days overdue when imported are historic: never nagged
    historic_after_days: int = Field(default=30, ge=0)
    # tasks of a plan whose period ended this many days ago are no longer reminded (-1: never archive)
    archive_after_period_days: int = 365
    # a 预期性 indicator behind its path by at most this share of the change planned to date is yellow, not red
    indicator_tolerance: float = Field(default=0.1, ge=0, le=1)
    # an updated official holiday table (放假安排), read over the one planbot ships (handlers.holiday_calendar)
    holiday_file: str | None = None

    # group robots for units without Slack
    dingtalk_webhook: SecretStr | None = None
    dingtalk_secret: SecretStr | None = None
    feishu_webhook: SecretStr | None = None
    feishu_secret: SecretStr | None = None
    wecom_webhook: SecretStr | None = None

    @property
    def max_document_bytes(self) -> int:
        return int(self.max_document_mb * 1024 * 1024)

    def source_limits(self) -> dict[str, object]:
        """The keyword arguments of ingest.load.load_source that come from these settings."""
        return {
            "max_bytes": self.max_document_bytes,
            "allow_private": self.allow_private_urls,
            "timeout": self.url_timeout_seconds,
        }

    @property
    def coordinator_ids(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.coordinators.split(",") if part.strip())


def reveal(secret: SecretStr | None) -> str | None:
    """The secret's text, or None when unset (or set to an empty string)."""
    if secret is None:
        return None
    return secret.get_secret_value() or None


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)  # type: ignore[arg-type]
