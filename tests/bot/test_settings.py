"""Settings come from the environment and .env, and .env.example documents every one of them."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def env_names(field: str) -> set[str]:
    info = Settings.model_fields[field]
    alias = info.validation_alias
    names = {f"PLANBOT_{field.upper()}"}
    if alias is not None:
        names = {str(choice) for choice in getattr(alias, "choices", [alias])}
    return names


def test_env_example_documents_every_setting():
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(encoding="utf-8"), re.M))
    missing = [field for field in Settings.model_fields if not env_names(field) & documented]
    assert missing == []


def test_env_example_names_only_real_settings():
    documented = set(re.findall(r"^([A-Z][A-Z0-9_]+)=", EXAMPLE.read_text(encoding="utf-8"), re.M))
    known = set().union(*(env_names(field) for field in Settings.model_fields))
    assert documented <= known


def test_environment_and_dotenv(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("PLANBOT_MAX_DOCUMENT_MB=5\nDATABASE_URL=sqlite:///x.db\n", encoding="utf-8")
    monkeypatch.setenv("PLANBOT_COORDINATORS", "U1, U2")
    settings = load_settings()
    assert settings.max_document_bytes == 5 * 1024 * 1024
    assert settings.database_url == "sqlite:///x.db"
    assert settings.coordinator_ids == {"U1", "U2"}


def test_a_copied_example_file_means_the_defaults(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = load_settings()
    assert settings.database_url.startswith("sqlite:///")
    assert settings.alias_file is None and settings.slack_bot_token is None
    assert settings.max_document_mb == 20


def test_reply_processes_come_from_dotenv_and_are_bounded(tmp_path: Path, monkeypatch):
    import pytest
    from pydantic import ValidationError

    monkeypatch.chdir(tmp_path)
    assert load_settings().reply_processes == 2
    (tmp_path / ".env").write_text("PLANBOT_REPLY_PROCESSES=0\n", encoding="utf-8")
    assert load_settings().reply_processes == 0
    monkeypatch.setenv("PLANBOT_REPLY_PROCESSES", "-1")
    with pytest.raises(ValidationError):
        load_settings()
