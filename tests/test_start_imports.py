"""A start loads only what a start needs: the libraries for upgrading, validating, exporting and
printing are imported when that is done, never to show the main window (see
benchmarks/bench_start.py for what they cost)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import app.db
from app.db import alembic_revisions, head_revision, read_revisions
from app.services import demo
from app.services.store import open_store
from tests.helpers import DATA, REPO, child_env

# Each costs from tens to hundreds of milliseconds to import.
NOT_AT_START = ("alembic", "pypdfium2", "reportlab", "openpyxl", "docx", "jsonschema")

_LOADED = f"""
import json, sys
print(json.dumps(sorted(
    m for m in sys.modules if m.split(".")[0] in {set(NOT_AT_START)!r}
)))
"""

# The desktop app as `jurisdesk --db PATH` starts it, quitting once its window is shown.
_START_GUI = (
    """
import sys
from app.cli import main

code = main(["--db", sys.argv[1]])
assert code == 0, code
"""
    + _LOADED
)

_OPEN_STORE = (
    """
import sys
from pathlib import Path
from app.services.store import open_store

store = open_store(Path(sys.argv[1]), actor="Start Test")
print(store.database.schema_revision)
store.close()
"""
    + _LOADED
)


def _run(code: str, *args: str, home: Path) -> list[str]:
    """Runs code in a fresh interpreter with its own user folders; its output lines."""
    env = child_env(
        QT_QPA_PLATFORM="offscreen",
        JURISDESK_SMOKE_TEST="1",
        JURISDESK_SMOKE_DELAY_MS="0",
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.splitlines()


def _loaded(lines: list[str]) -> list[str]:
    modules: list[str] = json.loads(lines[-1])
    return modules


def test_starting_the_desktop_app_imports_no_library_it_does_not_need(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    store = open_store(path, actor="Start Test")
    try:
        demo.load_demo(store)
    finally:
        store.close()
    home = tmp_path / "home"
    # The first start of all checks the questionnaire definitions against their schema (and
    # makes the day's backup copy); the next ones find both done.
    first = _run(_START_GUI, str(path), home=home)
    assert _said(first) == ["Jurisdesk main window shown", "Jurisdesk database shown"]
    again = _run(_START_GUI, str(path), home=home)
    assert _said(again) == ["Jurisdesk main window shown", "Jurisdesk database shown"]
    assert _loaded(again) == []


def _said(lines: list[str]) -> list[str]:
    return [line.partition(" after ")[0] for line in lines if line.startswith("Jurisdesk ")]


# The window shows before the database layer, the panels or the services are loaded: they
# load on a pool thread while it is on screen.
_SHOWN_FIRST = """
import sys
from ui import smoke

said = smoke.announce


def announce(message):
    said(message)
    if message == smoke.SHOWN_MESSAGE:
        print("loaded at show:", sorted(
            m for m in sys.modules
            if m.split(".")[0] == "sqlalchemy" or m in ("app.services.store", "ui.dashboard")
        ), flush=True)


smoke.announce = announce
from app.cli import main

sys.exit(main(["--db", sys.argv[1]]))
"""


def test_the_window_shows_before_the_database_is_opened(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite"
    store = open_store(path, actor="Start Test")
    try:
        demo.load_demo(store)
    finally:
        store.close()
    lines = _run(_SHOWN_FIRST, str(path), home=tmp_path / "home")
    assert lines[0].startswith("Jurisdesk main window shown after ")
    assert lines[1] == "loaded at show: []"
    assert lines[2].startswith("Jurisdesk database shown after ")


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    path = tmp_path / "current.sqlite"
    open_store(path, actor="Start Test").close()
    lines = _run(_OPEN_STORE, str(path), home=tmp_path / "home")
    assert lines[0] == head_revision()
    assert "alembic" not in _loaded(lines)


def test_opening_an_old_database_still_upgrades_it(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    shutil.copyfile(DATA / "schema-0001.sqlite", path)
    lines = _run(_OPEN_STORE, str(path), home=tmp_path / "home")
    assert lines[0] == head_revision() != "0001"
    assert "alembic" in _loaded(lines), "the upgrade runs through Alembic"
    assert any(
        p.name.startswith("old.before-upgrade-0001-") for p in (tmp_path / "backups").iterdir()
    )


def test_revisions_read_from_the_files_agree_with_alembic() -> None:
    assert read_revisions(app.db.MIGRATIONS_DIR) == alembic_revisions(app.db.MIGRATIONS_DIR)


def _migrations_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(app.db.MIGRATIONS_DIR, folder, ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def _add_migration(folder: Path, name: str, revision: str, down: str) -> None:
    (folder / "versions" / name).write_text(
        f'"""A test migration."""\n\nrevision = "{revision}"\ndown_revision = {down}\n'
        "branch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    pass\n",
        encoding="utf-8",
    )


def test_a_new_migration_is_the_new_head_without_alembic(tmp_path: Path) -> None:
    folder = _migrations_copy(tmp_path)
    _add_migration(folder, "9001_next.py", "9001", f'"{head_revision()}"')
    read = read_revisions(folder)
    assert read is not None
    assert read[0] == "9001"
    assert read == alembic_revisions(folder)


@pytest.mark.parametrize(
    "extra",
    [
        # Two heads: Alembic must say what that means.
        [("9001_a.py", "9001", '"0001"')],
        # Two branches from the head, neither merged.
        [("9001_a.py", "9001", '"0006"'), ("9002_b.py", "9002", '"0006"')],
        # Following a revision that is not there.
        [("9001_a.py", "9001", '"7777"')],
    ],
)
def test_anything_unusual_is_left_to_alembic(
    tmp_path: Path, extra: list[tuple[str, str, str]]
) -> None:
    folder = _migrations_copy(tmp_path)
    for name, revision, down in extra:
        _add_migration(folder, name, revision, down)
    assert read_revisions(folder) is None


def test_a_merge_migration_is_read_like_alembic_reads_it(tmp_path: Path) -> None:
    folder = _migrations_copy(tmp_path)
    _add_migration(folder, "9001_a.py", "9001", f'"{head_revision()}"')
    _add_migration(folder, "9002_b.py", "9002", f'"{head_revision()}"')
    _add_migration(folder, "9003_merge.py", "9003", '("9001", "9002")')
    read = read_revisions(folder)
    assert read is not None
    assert read[0] == "9003"
    assert read == alembic_revisions(folder)
