"""GUI test set-up: private QSettings, and dialogs answered by the test instead of a person."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.services.store import Store
from ui.common import errors
from ui.common.garbage import collect_on_gui_thread, stop_collecting_on_gui_thread
from ui.common.wheel_guard import install_wheel_guard
from ui.settings import APPLICATION, ORGANIZATION, Settings

# The offscreen platform cannot raise windows, grab the keyboard for popups or resize
# top-level windows by size hint; it says so as warnings that are not bugs in Jurisdesk.
OFFSCREEN_LIMITS = r"This plugin does not support (propagateSizeHints|raise|grabbing)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_LIMITS))


@dataclass
class Shown:
    title: str
    text: str
    informative: str
    detailed: str


@dataclass
class DialogRecorder:
    """Every message box shown; each is answered by the next queued reply or its default."""

    shown: list[Shown] = field(default_factory=list)
    replies: list[QMessageBox.StandardButton] = field(default_factory=list)

    def answer(self, *buttons: QMessageBox.StandardButton) -> None:
        self.replies.extend(buttons)

    def __call__(self, box: QMessageBox) -> int:
        self.shown.append(
            Shown(box.windowTitle(), box.text(), box.informativeText(), box.detailedText())
        )
        if self.replies:
            return int(self.replies.pop(0).value)
        default = box.defaultButton()
        if default is not None:
            return int(box.standardButton(default).value)
        return int(QMessageBox.StandardButton.Ok.value)

    @property
    def titles(self) -> list[str]:
        return [item.title for item in self.shown]


@pytest.fixture(scope="session", autouse=True)
def wheel_guard(qapp) -> None:
    """The app's guard against changing inputs by scrolling, as `make_application` installs it."""
    install_wheel_guard(qapp)


@pytest.fixture(autouse=True)
def gui_thread_collector(qapp) -> Iterator[None]:
    """As the application does: cycles holding widgets are never collected on a pool thread.
    Per test, so that the other tests of the same process keep Python's own collection."""
    collect_on_gui_thread(qapp)
    yield
    stop_collecting_on_gui_thread()


@pytest.fixture(autouse=True)
def private_settings(tmp_path: Path, qapp) -> Path:
    """QSettings in a temporary folder, so tests never read or change the user's settings."""
    folder = tmp_path / "settings"
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    return folder


@pytest.fixture
def settings(private_settings: Path) -> Settings:
    return Settings(QSettings())


@pytest.fixture(autouse=True)
def dialogs(monkeypatch: pytest.MonkeyPatch) -> DialogRecorder:
    """No message box ever blocks a test; tests read what was shown and queue answers."""
    recorder = DialogRecorder()
    monkeypatch.setattr(errors, "present", recorder)
    return recorder


@pytest.fixture(autouse=True)
def no_file_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """File and input dialogs answer "cancel" unless a test chooses a file itself."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("", False)))


@pytest.fixture(autouse=True)
def no_office_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The connect and password dialogs answer "cancel" unless a test fills them itself."""
    from ui import office_database

    monkeypatch.setattr(office_database, "present", lambda dialog: 0)


@pytest.fixture
def choose_file(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, Path | list[Path]], None]:
    """choose_file("getSaveFileName", path): the next such file dialog picks path."""

    def choose(method: str, path: Path | list[Path]) -> None:
        if isinstance(path, list):
            reply: object = ([str(p) for p in path], "")
        else:
            reply = (str(path), "")
        monkeypatch.setattr(QFileDialog, method, staticmethod(lambda *a, **k: reply))

    return choose


@pytest.fixture
def window(qtbot, store: Store, settings: Settings):
    from ui.main_window import MainWindow

    main = MainWindow(store, settings)
    qtbot.addWidget(main)
    main.resize(1024, 768)
    main.show()
    qtbot.waitExposed(main)
    return main
