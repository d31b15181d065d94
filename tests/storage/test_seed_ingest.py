"""The five seed documents through the real pipeline into the ledger, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from bot.cli import app
from ingest.load import load_source
from ingest.pipeline import extract_document
from ingest.units import default_alias_table
from storage.ingest import ingest_document
from storage.models import Department, Jurisdiction, ReviewEvent, Task
from storage.queries import find_tasks


def _extract_all(seeds_dir: Path) -> list:  # type: ignore[type-arg]
    paths = sorted(seeds_dir.glob("*.txt"))
    assert len(paths) == 5
    loaded = [load_source(str(path), max_bytes=20 * 2**20, allow_private=False, timeout=5) for path in paths]
    return [extract_document(document, aliases=default_alias_table()) for document in loaded]


def test_seeds_ingest_once_and_again_unchanged(session: Session, seeds_dir: Path) -> None:
    documents = _extract_all(seeds_dir)
    reports = [ingest_document(session=session, document=d, aliases=default_alias_table()) for d in documents]
    assert all(report.status in ("new", "revised") for report in reports)
    tasks = session.exec(select(func.count()).select_from(Task)).one()
    assert tasks == sum(len(report.added) for report in reports) > 0
    assert session.exec(select(func.count()).select_from(Department)).one() > 5
    names = {place.name for place in session.exec(select(Jurisdiction)).all()}
    assert names
    assert session.exec(select(func.count()).select_from(ReviewEvent)).one() > 0

    again = [ingest_document(session=session, document=d, aliases=default_alias_table()) for d in documents]
    assert {report.status for report in again} == {"unchanged"}
    assert session.exec(select(func.count()).select_from(Task)).one() == tasks
    assert find_tasks(session=session, limit=10)


def test_cli_ingest_prints_summary_and_is_idempotent(
    database_url: str, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    paths = [str(path) for path in sorted(seeds_dir.glob("*.txt"))]
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", *paths], catch_exceptions=False)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.count("✓") == 5 and "各单位任务汇总" in first.stdout
    second = runner.invoke(app, ["ingest", *paths], catch_exceptions=False)
    assert second.exit_code == 0 and second.stdout.count("无变化") == 5
    missing = runner.invoke(app, ["ingest", str(tmp_path / "nope.txt")], catch_exceptions=False)
    assert missing.exit_code == 2 and "✗" in missing.stderr
