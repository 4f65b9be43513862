"""The window and its database: a bar says when it is read-only or on a network folder, and
File ▸ Restore from backup puts a checked copy in place and reopens it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox

from app.services import backup, records
from app.services.store import Store, open_store
from tests.helpers import start_psp
from tests.storage_helpers import IS_ROOT, city_database, names_in, remount, small_disk
from ui.jurisdiction_tabs import TAB_NAMES
from ui.settings import Settings

CITY = "City of Albuquerque"


def _window(qtbot, store: Store, settings: Settings):
    from ui.main_window import MainWindow

    main = MainWindow(store, settings)
    qtbot.addWidget(main)
    main.resize(1024, 768)
    main.show()
    qtbot.waitExposed(main)
    qtbot.waitUntil(lambda: not main.dashboard.loading)
    return main


def _city_with_response(db: Path) -> None:
    city_database(db)
    store = open_store(db, actor="Clerk")
    try:
        start_psp(store, 1)
    finally:
        store.close()


@pytest.fixture
def read_only_store(tmp_path: Path) -> Iterator[Store]:
    """A store on a database with one city and its response that this process cannot write."""
    if IS_ROOT:
        # root writes through file permissions; a disk mounted read-only stops it too.
        with small_disk(8192) as disk:
            _city_with_response(disk / "jurisdesk.sqlite")
            remount(disk, "ro")
            store = open_store(disk / "jurisdesk.sqlite", actor="Clerk")
            yield store
            store.close()
    else:
        db = tmp_path / "jurisdesk.sqlite"
        _city_with_response(db)
        db.chmod(0o444)
        store = open_store(db, actor="Clerk")
        yield store
        store.close()


def test_a_read_only_database_shows_a_bar_saying_so(
    qtbot, read_only_store: Store, settings: Settings, dialogs
) -> None:
    window = _window(qtbot, read_only_store, settings)
    assert window.banner.isVisible()
    text = window.banner.text()
    assert text.startswith(f"Opened read-only: {read_only_store.path}")
    assert "Changes cannot be saved." in text
    # The bar sits above the jurisdictions and the dashboard.
    assert window.banner.geometry().bottom() <= window.splitter.geometry().top()
    assert window.navigator.model.rowCount() == 1
    # Everything can still be read: every tab, and the response.
    assert window.select_jurisdiction(1)
    for tab in TAB_NAMES:
        window.show_tab(tab)
    editor = window.open_response(1)
    assert editor is not None
    assert dialogs.shown == [], "reading never tried to write"
    # The response reads, and offers nothing to type into.
    assert editor.read_only
    assert editor.banner.text() == (
        "This database is open read-only, so answers cannot be changed here."
    )
    assert not editor.save_action.isEnabled()


def test_a_writable_database_shows_no_bar(qtbot, window, store: Store) -> None:
    assert not store.notices
    assert window.banner.isHidden()


def test_a_database_on_a_network_folder_says_it_is_one_user_at_a_time(
    qtbot, tmp_path: Path, settings: Settings
) -> None:
    db = tmp_path / "shared.sqlite"
    city_database(db)
    store = open_store(db, actor="Clerk", network=True)
    try:
        window = _window(qtbot, store, settings)
        assert window.banner.isVisible()
        assert "network folder" in window.banner.text()
        assert "one person at a time" in window.banner.text()
    finally:
        store.close()


def test_restore_from_backup_replaces_the_database_and_reopens_it(
    qtbot, window, store: Store, tmp_path: Path, choose_file, dialogs
) -> None:
    records.create(store, "jurisdiction", {"name": CITY, "kind": "city", "state": "NM"})
    copy = tmp_path / "monday.sqlite"
    backup.backup_to(store, copy)
    records.create(
        store, "jurisdiction", {"name": "City of Stockton", "kind": "city", "state": "CA"}
    )
    window.refresh()
    qtbot.waitUntil(lambda: not window.dashboard.loading)
    assert window.navigator.model.rowCount() == 2

    choose_file("getOpenFileName", copy)
    dialogs.answer(QMessageBox.StandardButton.Yes)
    window.restore_action.trigger()

    assert dialogs.titles == ["Restore from backup"]
    assert window.store is not store
    assert window.store.path == store.path
    assert window.navigator.model.rowCount() == 1
    assert [r.title for r in records.list_records(window.store, "jurisdiction")] == [CITY]
    assert "Restored from monday.sqlite" in window.statusBar().currentMessage()
    kept = list((store.path.parent / "backups").glob("*.before-restore-*.sqlite"))
    assert len(kept) == 1
    assert names_in(kept[0]) == [CITY, "City of Stockton"]
    window.store.close()


def test_restore_of_a_file_that_fails_the_check_changes_nothing(
    qtbot, window, store: Store, tmp_path: Path, choose_file, dialogs
) -> None:
    records.create(store, "jurisdiction", {"name": CITY, "kind": "city", "state": "NM"})
    letter = tmp_path / "letter.sqlite"
    letter.write_text("Dear Chief, please answer by August 18.", encoding="utf-8")
    choose_file("getOpenFileName", letter)
    window.restore_action.trigger()

    assert dialogs.titles == ["Cannot restore this file"]
    assert "not an SQLite file" in dialogs.shown[0].text
    assert window.store is store
    assert names_in(store.path) == [CITY]
    assert not (store.path.parent / "backups").exists()


def test_declining_the_restore_changes_nothing(
    qtbot, window, store: Store, tmp_path: Path, choose_file, dialogs
) -> None:
    copy = tmp_path / "copy.sqlite"
    backup.backup_to(store, copy)
    records.create(store, "jurisdiction", {"name": CITY, "kind": "city", "state": "NM"})
    choose_file("getOpenFileName", copy)
    dialogs.answer(QMessageBox.StandardButton.No)
    window.restore_action.trigger()
    assert window.store is store
    assert names_in(store.path) == [CITY]
