"""The first start: with no database named and none at the default location, Jurisdesk asks
how to begin and creates nothing until the person chooses."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication

from app import paths
from app.cli import main
from app.services import jurisdictions
from ui import application, welcome
from ui.main_window import DEMO_NOTE, MainWindow


@dataclass
class Opened:
    title: str
    path: Path | None  # None: an office database
    jurisdictions: int
    demo_note: bool


@dataclass
class Start:
    """What one start of the desktop app showed and opened."""

    welcomes: list[welcome.WelcomeDialog] = field(default_factory=list)
    opened: list[Opened] = field(default_factory=list)
    seen_before_choice: list[list[Path]] = field(default_factory=list)


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A new user's data folder (not there yet), no JURISDESK_DB and no IT settings file."""
    folder = tmp_path / "data"
    monkeypatch.delenv(paths.DB_ENV_VAR, raising=False)
    monkeypatch.setenv("JURISDESK_MANAGED_SETTINGS", str(tmp_path / "no-such.ini"))
    monkeypatch.setattr(paths, "data_dir", lambda: folder)
    # The test process keeps its own logging and exception hook.
    monkeypatch.setattr(application.errors, "configure_logging", lambda: tmp_path / "log")
    monkeypatch.setattr(application, "_install_excepthook", lambda: None)
    return folder


def _files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*")) if folder.exists() else []


@pytest.fixture
def start(
    qtbot, data: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[[Callable[[welcome.WelcomeDialog], None] | None], tuple[int, Start]]:
    """start(answer): runs `jurisdesk` without arguments; answer clicks in the welcome dialog.
    The event loop is not entered: the window is read as it is shown, then closed."""

    def run(answer: Callable[[welcome.WelcomeDialog], None] | None) -> tuple[int, Start]:
        seen = Start()

        def present(dialog: welcome.WelcomeDialog) -> None:
            seen.welcomes.append(dialog)
            seen.seen_before_choice.append(_files(data))
            assert answer is not None, "the welcome dialog was not expected"
            answer(dialog)

        def exec_(_application: QApplication) -> int:
            windows = [
                w
                for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()
            ]
            assert len(windows) == 1
            window = windows[0]
            # The window shows first; the database opens on a pool thread.
            deadline = time.monotonic() + 30
            while not window.workspace_ready and time.monotonic() < deadline:
                QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
            assert window.workspace_ready, "the database was not shown"
            seen.opened.append(
                Opened(
                    window.windowTitle(),
                    window.store.path,
                    len(jurisdictions.overview(window.store)),
                    window.demo_label.isVisibleTo(window),
                )
            )
            window.hide()
            window.deleteLater()
            return 0

        monkeypatch.setattr(welcome, "present", present)
        monkeypatch.setattr(QApplication, "exec", exec_)
        code = main([])
        QApplication.processEvents()
        return code, seen

    return run


def test_first_start_shows_the_welcome_and_quit_creates_nothing(start, data: Path) -> None:
    code, seen = start(lambda dialog: dialog.quit_button.click())
    assert code == 0
    assert len(seen.welcomes) == 1
    assert seen.seen_before_choice == [[]]
    assert seen.opened == []
    assert _files(data) == []


def test_create_makes_an_empty_database_at_the_shown_path(start, data: Path) -> None:
    default = data / "jurisdesk.sqlite"

    def create(dialog: welcome.WelcomeDialog) -> None:
        assert str(default) in dialog.location_label.text()
        dialog.create_button.click()

    code, seen = start(create)
    assert code == 0
    assert seen.seen_before_choice == [[]]
    assert seen.opened == [Opened("Jurisdesk — jurisdesk.sqlite", default, 0, False)]
    assert default.is_file()
    assert not paths.demo_database_path().exists()

    # The next start goes straight to it.
    code, again = start(None)
    assert code == 0
    assert again.welcomes == []
    assert [o.path for o in again.opened] == [default]


def test_another_location_is_remembered_for_the_next_start(
    start, data: Path, tmp_path: Path, choose_file
) -> None:
    chosen = tmp_path / "office" / "city-attorney"

    def elsewhere(dialog: welcome.WelcomeDialog) -> None:
        choose_file("getSaveFileName", chosen)
        dialog.location_button.click()
        assert str(chosen.with_suffix(".sqlite")) in dialog.location_label.text()
        assert not chosen.with_suffix(".sqlite").exists()
        dialog.create_button.click()

    code, seen = start(elsewhere)
    assert code == 0
    assert [o.path for o in seen.opened] == [chosen.with_suffix(".sqlite")]
    assert seen.opened[0].jurisdictions == 0
    assert not (data / "jurisdesk.sqlite").exists()

    _code, again = start(None)
    assert again.welcomes == []
    assert [o.path for o in again.opened] == [chosen.with_suffix(".sqlite")]


def test_explore_the_demo_opens_the_demo_file_and_leaves_the_default_absent(
    start, data: Path
) -> None:
    code, seen = start(lambda dialog: dialog.demo_button.click())
    assert code == 0
    demo = paths.demo_database_path()
    assert demo.parent == data
    assert seen.opened == [Opened("Jurisdesk — Demo database", demo, 4, True)]
    assert not (data / "jurisdesk.sqlite").exists()

    # The demo is no database of one's own: the next start asks again.
    code, again = start(lambda dialog: dialog.quit_button.click())
    assert len(again.welcomes) == 1
    assert again.opened == []


def test_open_an_existing_database(start, data: Path, tmp_path: Path, choose_file) -> None:
    from app.services.store import open_store

    existing = tmp_path / "shared" / "legal.sqlite"
    open_store(existing).close()

    def open_existing(dialog: welcome.WelcomeDialog) -> None:
        choose_file("getOpenFileName", existing)
        dialog.open_button.click()

    _code, seen = start(open_existing)
    assert [o.title for o in seen.opened] == ["Jurisdesk — legal.sqlite"]
    assert _files(data) == []


def test_connect_to_an_office_database(
    start, data: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch, dialogs
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app.locations import OfficeServer, parse_location
    from ui import office_database

    server = parse_location(postgres_url)
    assert isinstance(server, OfficeServer)

    def fill(dialog: office_database.ConnectDialog) -> int:
        dialog.address_edit.setText(str(server))
        dialog.address_edit.textEdited.emit(str(server))
        dialog.connect_button.click()
        return dialog.result()

    monkeypatch.setattr(office_database, "present", fill)
    dialogs.answer(QMessageBox.StandardButton.Yes)  # set up the empty office database
    _code, seen = start(lambda dialog: dialog.connect_button.click())
    title = f"Jurisdesk — {server.database} on this PC"
    assert seen.opened == [Opened(title, None, 0, False)]
    assert dialogs.titles == ["Set up the office database"]
    assert _files(data) == []

    # The next start connects to it again, asking nothing.
    _code, again = start(None)
    assert [o.title for o in again.opened] == [title]
    assert dialogs.titles == ["Set up the office database"]


def test_welcome_keyboard_and_accessible_names(qtbot, tmp_path: Path) -> None:
    dialog = welcome.WelcomeDialog(tmp_path / "jurisdesk.sqlite")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    buttons = [
        dialog.create_button,
        dialog.location_button,
        dialog.open_button,
        dialog.connect_button,
        dialog.demo_button,
        dialog.quit_button,
    ]
    mnemonics = []
    for button in buttons:
        text = button.text()
        assert "&" in text, text
        mnemonics.append(text[text.index("&") + 1].lower())
        assert button.accessibleName()
    assert len(set(mnemonics)) == len(mnemonics)
    assert dialog.create_button.isDefault()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.choice is welcome.Choice.QUIT
    assert not dialog.isVisible()
    assert not (tmp_path / "jurisdesk.sqlite").exists()


def test_demo_window_says_it_is_the_demo(qtbot, data: Path, settings) -> None:
    from app.services.demo import prepare_demo_database
    from app.services.store import open_store

    store = open_store(prepare_demo_database(), actor="Test Clerk")
    window = MainWindow(store, settings)
    qtbot.addWidget(window)
    window.show()
    try:
        assert window.windowTitle() == "Jurisdesk — Demo database"
        assert window.demo_label.isVisible()
        assert window.demo_label.text() == DEMO_NOTE
    finally:
        window.store.close()
