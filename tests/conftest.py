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

import uuid  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import TYPE_CHECKING  # noqa: E402

import pytest  # noqa: E402

from app.services.store import Store, open_store  # noqa: E402

if TYPE_CHECKING:
    from tests.postgres_server import PostgresServer


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "jurisdesk.sqlite"


# ----------------------------------------------------------------------------- both stores
#
# The service and concurrency tests run on a SQLite file and on PostgreSQL: a module (or a
# test) marked `both_stores` runs each of its tests that use `store` (or `db_location`) twice,
# with the ids [sqlite] and [postgresql]. A test stays on SQLite alone when it asks for
# `db_path` (it does something to the file itself) or is marked `sqlite_only`; one marked
# `postgresql_only` runs on the server alone. Everywhere else `store` is a SQLite file, as it
# always was.

STORE_KINDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_stores: run the tests using `store` or `db_location` on a SQLite file and on "
        "PostgreSQL (ids [sqlite] and [postgresql])",
    )
    config.addinivalue_line(
        "markers", "sqlite_only(reason): in a both_stores module, run this test on SQLite alone"
    )
    config.addinivalue_line(
        "markers",
        "postgresql_only(reason): in a both_stores module, run this test on PostgreSQL alone",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "store_kind" not in metafunc.fixturenames:
        return
    definition = metafunc.definition
    if definition.get_closest_marker("both_stores") is None:
        return
    if definition.get_closest_marker("sqlite_only") is not None:
        return
    if "db_path" in metafunc.fixturenames:
        return
    if definition.get_closest_marker("postgresql_only") is not None:
        metafunc.parametrize("store_kind", ["postgresql"], indirect=True)
        return
    metafunc.parametrize("store_kind", STORE_KINDS, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """ "sqlite" or "postgresql": which store this test runs on (see pytest_generate_tests)."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_location(request: pytest.FixtureRequest, store_kind: str) -> Iterator[Path | str]:
    """Where this test's database goes, not created yet: the file `db_path`, or the URL of a
    database on this test process's PostgreSQL server (dropped afterwards)."""
    if store_kind == "sqlite":
        yield request.getfixturevalue("db_path")
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{uuid.uuid4().hex[:16]}"
    yield server.url(name)
    # With the test's own database, those it made beside it (tests.stores.another_location).
    for made in [name, *server.databases(prefix=f"{name}_")]:
        server.drop_database(made)


@pytest.fixture
def store(db_location: Path | str) -> Iterator[Store]:
    if isinstance(db_location, Path):
        opened = open_store(db_location, actor="Test Clerk")
        yield opened
        opened.close()
        return
    from tests.stores import fresh_store

    yield from fresh_store(db_location)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator["PostgresServer"]:
    """One throwaway PostgreSQL server per test process (each pytest-xdist worker has its own),
    started only when a test first asks for it."""
    from tests.postgres_server import PostgresServer, memory_folder

    # Every service test on PostgreSQL copies a template database: in memory where there is
    # room, as on most machines, that costs a tenth of what it does on a busy disk.
    with PostgresServer(memory_folder()) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: "PostgresServer") -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, as a SQLAlchemy URL."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    yield url
    postgres_server.drop_database(name)
