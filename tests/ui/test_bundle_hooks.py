"""The two start-up hooks of the installed app: the window icon and the bundle's smoke test."""

from __future__ import annotations

import re

import pytest
from PySide6.QtWidgets import QMainWindow
from pytestqt.qtbot import QtBot

from ui import smoke
from ui.icon import application_icon


class _App:
    def __init__(self) -> None:
        self.quits = 0

    def quit(self) -> None:
        self.quits += 1


def test_the_application_icon_is_the_jurisdesk_mark(qtbot: QtBot) -> None:
    icon = application_icon()
    assert not icon.isNull()
    assert icon.pixmap(64, 64).width() == 64


def test_the_smoke_test_says_the_window_is_shown_then_ready_then_quits(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(smoke.SMOKE_TEST_VAR, "1")
    monkeypatch.setattr(smoke, "QUIT_AFTER_MS", 10)
    app = _App()
    window = QMainWindow()
    qtbot.addWidget(window)
    smoke.announce_when_shown(window)
    assert capsys.readouterr().out == ""
    window.show()
    shown = capsys.readouterr().out
    assert re.fullmatch(rf"{smoke.SHOWN_MESSAGE} after \d+\.\d ms of CPU\n", shown), shown
    assert app.quits == 0
    smoke.quit_when_ready(app)  # type: ignore[arg-type]
    qtbot.waitUntil(lambda: app.quits == 1, timeout=5000)
    ready = capsys.readouterr().out
    assert re.fullmatch(rf"{smoke.READY_MESSAGE} after \d+\.\d ms of CPU\n", ready), ready


def test_without_the_variable_nothing_happens(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(smoke.SMOKE_TEST_VAR, raising=False)
    app = _App()
    window = QMainWindow()
    qtbot.addWidget(window)
    smoke.announce_when_shown(window)
    window.show()
    smoke.quit_when_ready(app)  # type: ignore[arg-type]
    qtbot.wait(50)
    assert app.quits == 0
    assert capsys.readouterr().out == ""
