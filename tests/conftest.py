"""Suite-wide guards: no network beyond loopback (pytest-socket, see pyproject addopts), warnings are errors.

Tests that read ../shared (the real seed documents and the planning office's evaluation corpus) run when it lies
beside the checkout and skip, saying why, when it does not: a contributor's clone stands on its own. CI sets
PLANBOT_REQUIRE_SHARED=1, which turns that skip into a failure, as PLANBOT_REQUIRE_POSTGRES does for PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest_plugins = ["tests.fakes.database"]

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
SAMPLES = REPO_ROOT / "samples"


def shared_path(relative: str) -> Path:
    """A path under ../shared, or a skip (a failure under PLANBOT_REQUIRE_SHARED) when it is not there."""
    path = SHARED / relative
    if not path.exists():
        reason = f"{path} is not there: these tests read the real documents in ../shared beside the checkout"
        if os.environ.get("PLANBOT_REQUIRE_SHARED") == "1":
            pytest.fail(f"{reason} (PLANBOT_REQUIRE_SHARED=1)")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture(scope="session")
def shared_eval_dir() -> Path:
    return shared_path("eval")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES
