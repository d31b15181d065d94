"""Suite-wide guards: no network beyond loopback (pytest-socket, see pyproject addopts), warnings are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["tests.fakes.database"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
SAMPLES = REPO_ROOT / "samples"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.fail(f"the seed documents are expected at {SEEDS} (../shared/seeds beside the checkout)")
    return SEEDS


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
