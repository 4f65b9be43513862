"""The user manual: F1 opens it at the page for what is showing; every page, link and picture
is a shipped file; `make screenshots` writes the pictures it shows."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QByteArray, Qt, QUrl
from PySide6.QtGui import QImage, QKeySequence, QTextDocument
from PySide6.QtWidgets import QApplication

from app.paths import resource_path
from app.services import demo, fields, responses
from app.services.store import Store
from tests.helpers import REPO
from ui import help as manual
from ui import screenshots
from ui.questionnaire.editor import LETTER_STEP, REVIEW_STEP
from ui.tab_list import TAB_NAMES

MANUAL = REPO / "resources" / "manual"


class Page(HTMLParser):
    """The title, first heading, links, anchors and pictures of one manual page."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.title = ""
        self.heading = ""
        self.links: list[str] = []
        self.anchors: set[str] = set()
        self.images: list[str] = []
        self.alts: list[str | None] = []
        self._in: str | None = None
        self.feed(path.read_text(encoding="utf-8"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("title", "h1") and not (self.title if tag == "title" else self.heading):
            self._in = tag
        if tag == "a" and values.get("href"):
            self.links.append(str(values["href"]))
        if tag == "a" and values.get("name"):
            self.anchors.add(str(values["name"]))
        if values.get("id"):
            self.anchors.add(str(values["id"]))
        if tag == "img":
            self.images.append(str(values.get("src")))
            self.alts.append(values.get("alt"))

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "title":
            self.title += data
        elif self._in == "h1":
            self.heading += data


def parsed() -> dict[str, Page]:
    return {name: Page(MANUAL / name) for name, _title in manual.PAGES}


def resolve(page: str) -> tuple[Path, str]:
    name, _, anchor = page.partition("#")
    return MANUAL / name, anchor


@pytest.fixture(autouse=True)
def close_help():
    yield
    window = manual._help_window
    if window is not None and shiboken6.isValid(window):
        window.close()
        window.deleteLater()
    manual._help_window = None


@pytest.fixture
def demo_store(store: Store) -> Store:
    demo.load_demo(store)
    return store


@pytest.fixture
def demo_window(qtbot, demo_store: Store, settings):
    from ui.main_window import MainWindow

    main = MainWindow(demo_store, settings)
    qtbot.addWidget(main)
    main.resize(1024, 768)
    main.show()
    qtbot.waitExposed(main)
    return main


def press_f1(qtbot, widget) -> manual.HelpWindow:
    widget.window().activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget.window())
    qtbot.keyClick(widget, Qt.Key.Key_F1)
    window = manual._help_window
    assert window is not None
    assert window.isVisible()
    return window


def albuquerque(window) -> int:
    return screenshots.jurisdiction_id(window, "Albuquerque")


# == the manual's files ===================================================================


def test_the_manual_is_inside_resources_so_it_ships() -> None:
    # setup.py copies resources/ into the wheel and build_installer.spec bundles the
    # installed resources/: both carry everything under resources/manual.
    assert manual.manual_folder().resolve() == MANUAL.resolve()
    assert resource_path("manual", "index.html").is_file()
    assert "resources" in (REPO / "setup.py").read_text(encoding="utf-8")
    assert '(str(installed / "resources"), "resources")' in (
        REPO / "build_installer.spec"
    ).read_text(encoding="utf-8")
    for name, _title in manual.PAGES:
        assert (MANUAL / name).is_file(), name


def test_every_page_has_its_title_and_heading() -> None:
    for name, page in parsed().items():
        assert page.title == manual.TITLES[name], name
        assert page.heading == manual.TITLES[name], name


def test_every_link_and_picture_resolves_to_a_shipped_file() -> None:
    pages = parsed()
    for name, page in pages.items():
        for link in page.links:
            if link.startswith(("http:", "https:", "mailto:")):
                continue
            target, anchor = resolve(link if not link.startswith("#") else name + link)
            assert target.is_file(), f"{name}: {link}"
            assert MANUAL.resolve() in target.resolve().parents, f"{name}: {link} leaves the manual"
            if anchor:
                assert anchor in pages[target.name].anchors, f"{name}: {link}"
        for image, alt in zip(page.images, page.alts, strict=True):
            path = MANUAL / image
            assert path.is_file(), f"{name}: {image}"
            assert MANUAL.resolve() in path.resolve().parents
            assert alt, f"{name}: {image} has no alt text"
            assert not QImage(str(path)).isNull(), image


def test_every_page_is_reachable_from_the_contents_page() -> None:
    linked = {link.partition("#")[0] for link in parsed()["index.html"].links}
    assert linked >= {name for name, _title in manual.PAGES} - {"index.html"}


def test_the_manual_uses_the_users_words() -> None:
    internal = ("tab:", "record:", "Store", "jurisdiction_id", "sqlite3", "JURISDESK_", "--db")
    for name, _title in manual.PAGES:
        text = (MANUAL / name).read_text(encoding="utf-8")
        for word in internal:
            assert word not in text, f"{name} says {word!r}"


def test_the_pictures_are_modest() -> None:
    total = 0
    for name in screenshots.manual_images():
        path = MANUAL / "images" / name
        image = QImage(str(path))
        assert image.width() <= 1000, name
        total += path.stat().st_size
    assert total < 600_000


# == views and pages ======================================================================


def test_every_view_has_a_page() -> None:
    pages = parsed()
    expected = (
        {"dashboard", "opening", "question", "question:facilities", "letter", "review", "staff"}
        | {f"tab:{name}" for name in TAB_NAMES}
        | {f"record:{kind}" for kind in fields.RECORD_KINDS}
    )
    assert expected <= set(manual.VIEW_PAGES)
    for view, page in manual.VIEW_PAGES.items():
        target, anchor = resolve(page)
        assert target.name in manual.TITLES, view
        if anchor:
            assert anchor in pages[target.name].anchors, view


def test_help_menu_has_the_user_manual_at_f1(demo_window) -> None:
    action = demo_window.main_menu.help_action
    assert action.shortcut() == QKeySequence(QKeySequence.StandardKey.HelpContents)
    help_menu = next(
        a.menu() for a in demo_window.menuBar().actions() if a.text().replace("&", "") == "Help"
    )
    assert action in help_menu.actions()
    action.trigger()
    assert manual._help_window is not None
    assert manual._help_window.title() == "The dashboard"


def test_f1_on_each_main_view_opens_its_page(qtbot, demo_window, demo_store) -> None:
    window = demo_window
    window.show_dashboard()
    assert press_f1(qtbot, window.dashboard).title() == "The dashboard"

    city = albuquerque(window)
    assert window.select_jurisdiction(city)
    for tab in TAB_NAMES:
        window.show_tab(tab)
        page = manual.page_for(f"tab:{tab}")
        help_window = press_f1(qtbot, window.tab_widgets[tab])
        assert help_window.page() == page
        assert help_window.title() == manual.TITLES[page], tab

    psp = next(
        s
        for s in responses.list_responses(demo_store, city)
        if s.questionnaire_key == demo.QUESTIONNAIRE
    )
    window.show_tab("responses")
    editor = window.open_response(psp.id)
    assert editor is not None
    facility_question = next(q for q in editor.visible_questions() if q.is_facility_scope)
    editor.go_to(facility_question.key)
    help_window = press_f1(qtbot, editor)
    assert help_window.title() == "Answering a questionnaire"
    assert help_window.browser.source().fragment() == "facility-grid"
    other = [q for q in editor.visible_questions() if not q.is_facility_scope]
    if other:
        editor.go_to(other[0].key)
        assert press_f1(qtbot, editor).title() == "Answering a questionnaire"
    editor.go_to(LETTER_STEP)
    assert press_f1(qtbot, editor).title() == "The response letter"
    editor.go_to(REVIEW_STEP)
    assert press_f1(qtbot, editor).title() == "Review and approval"


def test_the_manual_opens_while_the_database_is_still_opening(qtbot, settings) -> None:
    from ui.main_window import MainWindow

    window = MainWindow(None, settings)
    qtbot.addWidget(window)
    assert window.main_menu.help_action.isEnabled()
    window.main_menu.help_action.trigger()
    assert manual._help_window is not None
    assert manual._help_window.title() == "Getting started"


def test_f1_in_a_record_dialog_opens_that_records_page(qtbot, demo_window) -> None:
    window = demo_window
    assert window.select_jurisdiction(albuquerque(window))
    window.show_tab("facilities")
    dialog = window.facilities.add_record()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    assert manual.current_view(window, dialog) == "record:facility"
    help_window = press_f1(qtbot, dialog)
    assert help_window.title() == "Facilities and who runs them"
    dialog.reject()


def test_f1_in_the_staff_list_opens_its_page(qtbot, demo_window) -> None:
    staff_window = demo_window.show_staff_list()
    qtbot.waitExposed(staff_window)
    assert press_f1(qtbot, staff_window).title() == "The staff list"
    staff_window.close()


def test_f1_in_a_dialog_that_blocks_every_window_opens_a_manual_that_can_be_used(
    qtbot, demo_window
) -> None:
    from ui.workflow_dialogs import ReasonDialog

    dialog = ReasonDialog("Send back to draft", "Say what the preparer should change.")
    qtbot.addWidget(dialog)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.show()
    qtbot.waitExposed(dialog)
    help_window = press_f1(qtbot, dialog.reason)
    assert help_window.title() == "Review and approval"
    assert help_window.browser.source().fragment() == "send-back"
    # A child of the modal dialog, so the dialog does not block it.
    assert help_window.parentWidget() is dialog
    dialog.setWindowTitle("Reopen response")
    assert manual.current_view(demo_window, dialog) == "reopen"
    dialog.reject()


# == the window ===========================================================================


def test_links_pictures_back_forward_and_escape(qtbot) -> None:
    window = manual.show_help("index.html")
    qtbot.addWidget(window)
    assert window.title() == "Jurisdesk user manual"
    assert window.accessibleName() == "User manual"
    for widget in (window.contents, window.browser, window.back_button, window.forward_button):
        assert widget.accessibleName()

    # As a click on a link does: relative to the page showing.
    window.browser.setSource(window.browser.source().resolved(QUrl("answering.html")))
    assert window.title() == "Answering a questionnaire"
    assert window.contents.currentItem().text() == "Answering a questionnaire"
    # Its picture is loaded from the shipped images folder.
    picture = window.browser.loadResource(
        QTextDocument.ResourceType.ImageResource.value,
        QUrl("images/questionnaire-facility-grid.png"),
    )
    if isinstance(picture, bytes | bytearray | QByteArray):
        picture = QImage.fromData(picture)
    assert picture is not None
    assert not picture.isNull()

    assert window.back_button.isEnabled()
    qtbot.mouseClick(window.back_button, Qt.MouseButton.LeftButton)
    assert window.title() == "Jurisdesk user manual"
    qtbot.keyClick(window, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert window.title() == "Answering a questionnaire"

    window.contents.setCurrentRow(0)
    window.contents.itemActivated.emit(window.contents.item(5))
    assert window.title() == manual.PAGES[5][1]

    qtbot.keyClick(window.browser, Qt.Key.Key_Escape)
    assert not window.isVisible()


# == the pictures come from `make screenshots` ==============================================


def test_make_screenshots_writes_the_manuals_pictures(tmp_path: Path) -> None:
    shown = {image.removeprefix("images/") for page in parsed().values() for image in page.images}
    assert shown == set(screenshots.manual_images())
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ui.screenshots",
            str(tmp_path / "docs"),
            "--manual",
            str(tmp_path / "manual"),
        ],
        cwd=REPO,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    written = {path.name for path in (tmp_path / "manual").iterdir()}
    assert written == set(screenshots.manual_images())
    for name in written:
        image = QImage(str(tmp_path / "manual" / name))
        assert image.width() == screenshots.MANUAL_WIDTH
        assert (MANUAL / "images" / name).is_file()
    assert screenshots.MANUAL_FOLDER.resolve() == (MANUAL / "images").resolve()
