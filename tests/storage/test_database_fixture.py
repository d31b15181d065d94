"""The PostgreSQL half of the engine fixture: skipped when no server answers, failed when one is required."""

from __future__ import annotations

import pytest

from tests.fakes.database import _server_or_skip

NOBODY = "postgresql+psycopg://postgres@127.0.0.1:9/planbot"  # the discard port: nothing listens there


def test_missing_server_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLANBOT_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception, match="does not answer"):
        _server_or_skip(NOBODY)


def test_missing_server_fails_when_postgres_is_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLANBOT_REQUIRE_POSTGRES", "1")
    with pytest.raises(pytest.fail.Exception, match="PLANBOT_REQUIRE_POSTGRES=1"):
        _server_or_skip(NOBODY)
