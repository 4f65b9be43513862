"""Shared test set-up: headless Qt, private user folders, and a fresh database per test."""

import os
import tempfile

# Qt aborts without a display unless this is set before anything imports it.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.setdefault("QT_SCALE_FACTOR", "1")
# Tests (and the subprocesses they start) must never read or write the user's own database,
# settings or logs: point every per-user folder at a private temporary one.
_private_home = tempfile.mkdtemp(prefix="jurisdesk-tests-")
for _variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
    os.environ[_variable] = os.path.join(_private_home, _variable.lower())
os.environ.pop("JURISDESK_DB", None)

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.services.store import Store, open_store  # noqa: E402


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jurisdesk.sqlite"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path, actor="Test Clerk")
    yield opened
    opened.close()
