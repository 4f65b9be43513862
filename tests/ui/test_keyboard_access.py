"""Everything by keyboard, everything named: a walk through every view and dialog.

Fails on an interactive control nobody can name (no accessible name, buddy label or text of
its own), an action that is in no menu, two mnemonics that clash in one menu, one dialog or
between a window and its menu bar, and a toolbar button that Tab cannot reach.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMenuBar,
    QScrollBar,
    QTabBar,
    QToolBar,
    QToolButton,
    QWidget,
)

from app import questionnaires
from app.services import records, staff
from app.services.store import Store
from tests.ui.test_questionnaire_ui import make_city
from ui.questionnaire.editor import LETTER_STEP, REVIEW_STEP, STEP_KEY_ROLE
from ui.tab_list import TAB_NAMES

# Actions that are deliberately in no menu, each with the reason.
NOT_IN_A_MENU: dict[str, str] = {
    # QLineEdit's own clear button: the Escape/select-all-and-delete keys do the same.
    "_q_qlineeditclearaction": "the clear button inside a search field",
}


# ---------------------------------------------------------------------------- helpers


def mnemonic(text: str) -> str | None:
    """The letter after a single & (&& is a literal ampersand), lower case."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] == "&":
                i += 2
                continue
            return text[i + 1].lower()
        i += 1
    return None


def inside_composite(widget: QWidget) -> bool:
    """Parts of a composite control (a spin box's line edit, an item view's editor)."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return True
        if isinstance(parent, QAbstractItemView) and widget is not parent:
            return True
        parent = parent.parentWidget()
    return False


def tab_stops(root: QWidget) -> list[QWidget]:
    """Visible widgets of root's window that Tab stops at."""
    found = []
    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not root.window() or not widget.isVisible():
            continue
        if not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            continue
        if widget.focusProxy() is not None or inside_composite(widget):
            continue
        if isinstance(widget, (QScrollBar, QMenuBar, QMenu, QDialog, QMainWindow)):
            continue
        found.append(widget)
    return found


def buddies(root: QWidget) -> set[QWidget]:
    result = set()
    for label in [*root.window().findChildren(QLabel)]:
        buddy = label.buddy()
        if buddy is not None and label.text().strip():
            result.add(buddy)
    return result


def own_text(widget: QWidget) -> str:
    if isinstance(widget, QAbstractButton):
        return widget.text().replace("&", "").strip()
    if isinstance(widget, QTabBar):
        return " ".join(widget.tabText(i) for i in range(widget.count())).strip()
    if isinstance(widget, QGroupBox):
        return widget.title().strip()
    return ""


def unnamed(root: QWidget) -> list[str]:
    labelled = buddies(root)
    problems = []
    for widget in tab_stops(root):
        if widget.accessibleName().strip() or widget in labelled or own_text(widget):
            continue
        # A button showing only an icon is named by its action's text, as a screen reader reads.
        action = widget.defaultAction() if isinstance(widget, QToolButton) else None
        if action is not None and action.text().strip():
            continue
        problems.append(describe(widget))
    return problems


def describe(widget: QWidget) -> str:
    name = widget.objectName() or ""
    parents: list[str] = []
    parent = widget.parentWidget()
    while parent is not None and len(parents) < 3:
        parents.append(type(parent).__name__)
        parent = parent.parentWidget()
    return f"{type(widget).__name__}{'#' + name if name else ''} in {'/'.join(parents)}"


def widget_mnemonics(root: QWidget) -> dict[str, list[str]]:
    """Mnemonic letter → the visible labels and buttons of root's window that use it."""
    found: dict[str, list[str]] = {}

    def add(text: str) -> None:
        letter = mnemonic(text)
        if letter is not None:
            found.setdefault(letter, []).append(text)

    for widget in [root, *root.findChildren(QWidget)]:
        if widget.window() is not root.window() or not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            if widget.buddy().isVisible():
                add(widget.text())
        elif isinstance(widget, QAbstractButton) and not isinstance(widget, QToolButton):
            add(widget.text())
        elif isinstance(widget, QToolButton):
            action = widget.defaultAction()
            if action is None:
                add(widget.text())
            # A toolbar's action keeps its shortcut; its text's & is not a mnemonic there.
        elif isinstance(widget, QGroupBox):
            add(widget.title())
        elif isinstance(widget, QTabBar):
            for i in range(widget.count()):
                if widget.isTabVisible(i):
                    add(widget.tabText(i))
    return found


def duplicates(found: dict[str, list[str]]) -> list[str]:
    return [f"Alt+{k.upper()}: {' / '.join(v)}" for k, v in sorted(found.items()) if len(v) > 1]


def menu_clashes(menu: QMenu | QMenuBar, path: str) -> list[str]:
    """Duplicate mnemonics in menu and in each of its submenus."""
    found: dict[str, list[str]] = {}
    problems = []
    for action in menu.actions():
        if action.isSeparator() or not action.isVisible():
            continue
        letter = mnemonic(action.text())
        if letter is not None:
            found.setdefault(letter, []).append(action.text())
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            problems += menu_clashes(submenu, f"{path} ▸ {action.text()}")
    problems += [f"{path}: {d}" for d in duplicates(found)]
    return problems


def menu_actions(menu: QMenu | QMenuBar) -> set[QAction]:
    result: set[QAction] = set()
    for action in menu.actions():
        result.add(action)
        submenu = action.menu()
        if isinstance(submenu, QMenu):
            result |= menu_actions(submenu)
    return result


def window_menu_problems(window: QMainWindow) -> list[str]:
    """Actions of the window in no menu (or shortcut-less and menu-less), and menu clashes."""
    in_menus = menu_actions(window.menuBar())
    # A panel's context-menu entry is reachable when the menu bar has the same command.
    menu_texts = {a.text().replace("&", "") for a in in_menus}
    problems = menu_clashes(window.menuBar(), "Menu bar")
    for action in window.findChildren(QAction):
        if action.isSeparator() or not action.text().strip() or action in in_menus:
            continue
        if action.text().replace("&", "") in menu_texts:
            continue
        if action.objectName() in NOT_IN_A_MENU:
            continue
        owner = action.parent()
        if isinstance(owner, QMenu) and owner.menuAction() in in_menus:
            continue  # e.g. the recent list, rebuilt as it opens
        if isinstance(owner, QMenu):
            continue  # a context menu's own entries, see context_actions_in_menus
        if isinstance(owner, QToolBar) and action is owner.toggleViewAction():
            continue
        problems.append(f"not in any menu: {action.text()!r} of {type(owner).__name__}")
    return problems


def menubar_clashes(window: QMainWindow) -> list[str]:
    """A label or button of the window using a letter the menu bar opens a menu with."""
    bar = {
        mnemonic(a.text()): a.text()
        for a in window.menuBar().actions()
        if a.isVisible() and mnemonic(a.text())
    }
    problems = []
    for letter, texts in widget_mnemonics(window).items():
        if letter in bar:
            problems.append(f"Alt+{letter.upper()}: {' / '.join(texts)} and the {bar[letter]} menu")
    return problems


def unreachable_toolbar_buttons(root: QWidget) -> list[str]:
    problems = []
    for toolbar in root.findChildren(QToolBar):
        if not toolbar.isVisible() or toolbar.objectName() == "main-toolbar":
            # The main toolbar only repeats menu entries with the same shortcuts; Tab goes
            # from the jurisdiction list to the content without stopping at each of them.
            continue
        for button in toolbar.findChildren(QToolButton):
            if button.objectName() == "qt_toolbar_ext_button":
                continue  # the » of a narrow toolbar: what it holds is in the menus too
            if button.isVisible() and not button.focusPolicy() & Qt.FocusPolicy.TabFocus:
                problems.append(f"toolbar button not reachable by Tab: {button.text()!r}")
    return problems


def check_view(window: QMainWindow, where: str) -> list[str]:
    problems = [f"{where}: unnamed {p}" for p in unnamed(window)]
    problems += [f"{where}: {p}" for p in duplicates(widget_mnemonics(window))]
    problems += [f"{where}: {p}" for p in menubar_clashes(window)]
    problems += [f"{where}: {p}" for p in unreachable_toolbar_buttons(window)]
    return problems


def check_dialog(dialog: QWidget, where: str) -> list[str]:
    problems = [f"{where}: unnamed {p}" for p in unnamed(dialog)]
    problems += [f"{where}: {p}" for p in duplicates(widget_mnemonics(dialog))]
    problems += [f"{where}: {p}" for p in unreachable_toolbar_buttons(dialog)]
    return problems


def show(qtbot, dialog: QWidget) -> QWidget:
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def report(problems: Iterable[str]) -> str:
    return "\n".join(problems)


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture
def ids(store: Store) -> dict[str, int]:
    found = make_city(store)
    staff.create(
        store,
        staff.StaffInput("Ana Preparer", "Assistant City Attorney", prepares=True, approves=True),
    )
    return found


@pytest.fixture
def city_window(window, ids):
    window.navigator.refresh()
    assert window.select_jurisdiction(ids["city"])
    return window


# ---------------------------------------------------------------------------- tests


def test_menus_have_unique_mnemonics_and_hold_every_action(city_window, ids) -> None:
    problems = window_menu_problems(city_window)
    editor = city_window.open_response(ids["response"])
    assert editor is not None
    problems += window_menu_problems(city_window)
    assert not problems, report(problems)


def test_every_view_of_the_main_window(qtbot, city_window, ids) -> None:
    window = city_window
    problems = []
    window.show_dashboard()
    problems += check_view(window, "Dashboard")
    assert window.select_jurisdiction(ids["city"])
    for name in TAB_NAMES:
        window.show_tab(name)
        qtbot.wait(1)
        problems += check_view(window, f"Tab {name}")
    editor = window.open_response(ids["response"])
    assert editor is not None
    for row in range(editor.steps.count()):
        key = editor.steps.item(row).data(STEP_KEY_ROLE)
        editor.go_to(key)
        qtbot.wait(1)
        problems += check_view(window, f"Response step {key}")
    assert not sorted(set(problems)), report(sorted(set(problems)))


def test_step_list_says_each_state_in_words(qtbot, city_window, ids) -> None:
    editor = city_window.open_response(ids["response"])
    assert editor is not None
    words = ("answered", "missing an answer", "optional", "not saved")
    for row in range(editor.steps.count()):
        item = editor.steps.item(row)
        key = item.data(STEP_KEY_ROLE)
        if key in (LETTER_STEP, REVIEW_STEP):
            continue
        text = item.data(Qt.ItemDataRole.AccessibleTextRole) or ""
        assert any(text.endswith(f"— {w}") for w in words), (key, text)
        # Seen as well as heard: the tooltip says it in words too.
        assert any(w in item.toolTip().lower() for w in words), (key, item.toolTip())


def test_question_page_is_named(qtbot, city_window, ids) -> None:
    editor = city_window.open_response(ids["response"])
    assert editor is not None
    for key, page in editor.pages.items():
        if page.focusPolicy() & Qt.FocusPolicy.TabFocus:
            name = page.accessibleName()
            number = page.question.number
            assert name.startswith((f"Question {number}", f"Jurisdesk follow-up {number}")), (
                key,
                name,
            )


def test_response_actions_are_in_a_menu_with_shortcuts(qtbot, city_window, ids) -> None:
    editor = city_window.open_response(ids["response"])
    assert editor is not None
    in_menus = menu_actions(city_window.menuBar())
    for button in editor.toolbar.findChildren(QToolButton):
        action = button.defaultAction()
        if action is not None and button.isVisible():
            assert action in in_menus, action.text()
    for action, key in (
        (editor.save_action, "Ctrl+S"),
        (editor.history_action, "Ctrl+H"),
        (editor.close_action, "Ctrl+W"),
    ):
        assert action.shortcut().toString() == key, action.text()
    # The keys work from anywhere in the response, the menu only shows them.
    editor.steps.setFocus()
    qtbot.keyClick(editor.steps, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    assert editor.history_dialog is not None
    assert editor.history_dialog.isVisible()
    editor.history_dialog.close()
    first = editor.current_key
    qtbot.keyClick(editor.steps, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.current_key != first
    menu = city_window.main_menu.response_menu
    assert menu.menuAction().isVisible()
    assert editor.next_action in menu.actions()
    assert editor.previous_action in menu.actions()
    editor.close_action.trigger()
    assert city_window.editor is None
    assert not menu.menuAction().isVisible()
    assert not menu.actions()


def test_the_keyboard_follows_a_response_in_and_out(qtbot, city_window, ids) -> None:
    """Opened from a list, the response has the keyboard: its keys work at once, without a
    click; closed, the keyboard is back on the list."""
    city_window.show_tab("responses")
    table = city_window.responses.table
    table.setFocus()
    table.selectRow(0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    editor = city_window.editor
    assert editor is not None
    focused = QApplication.focusWidget()
    assert focused is not None
    assert editor.isAncestorOf(focused), focused
    first = editor.current_key
    qtbot.keyClick(focused, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert editor.current_key != first
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert city_window.editor is None
    assert QApplication.focusWidget() is table


def test_every_dialog_the_menus_open(qtbot, city_window, store, ids, tmp_path) -> None:
    from app.locations import OfficeServer
    from app.services.fields import RECORD_KINDS
    from ui.history_panel import RecordHistoryDialog
    from ui.office_database import ConnectDialog, PasswordDialog
    from ui.questionnaire.conflict import ConflictDialog, ConflictFacts
    from ui.records import RecordDialog
    from ui.responses_panel import NewResponseDialog
    from ui.staff_window import StaffDialog
    from ui.welcome import WelcomeDialog
    from ui.workflow_dialogs import ApproveDialog, ReasonDialog, SubmittedDialog

    window = city_window
    problems = []
    for kind in RECORD_KINDS:
        parent_id = None if kind == "jurisdiction" else ids["city"]
        try:
            dialog = RecordDialog(store, kind, parent_id=parent_id, parent=window)
        except Exception:  # a kind only made through another record
            continue
        problems += check_dialog(show(qtbot, dialog), f"New {kind} dialog")
        dialog.close()
    problems += check_dialog(window.show_staff_list(), "Staff list")
    problems += check_dialog(show(qtbot, StaffDialog(store, parent=window)), "Staff person")
    problems += check_dialog(show(qtbot, ConnectDialog(parent=window)), "Connect to office")
    server = OfficeServer("jurisdesk", user="ana", host="db.example", port=5432)
    problems += check_dialog(
        show(qtbot, PasswordDialog(server, wrong=False, parent=window)), "Password"
    )
    people = staff.list_staff(store)
    problems += check_dialog(
        show(qtbot, ApproveDialog(window, approvers=people, reviewers=people, me="Ana")),
        "Approve",
    )
    problems += check_dialog(show(qtbot, SubmittedDialog(window)), "Mark submitted")
    problems += check_dialog(
        show(qtbot, ReasonDialog("Send back", "Why?", "&Send back", window)), "Reason"
    )
    definitions = questionnaires.available()
    requests = records.list_records(store, "request", ids["city"])
    problems += check_dialog(
        show(qtbot, NewResponseDialog(definitions, requests, window)), "New response"
    )
    editor = window.open_response(ids["response"])
    assert editor is not None
    problems += check_dialog(editor.show_history(), "Response history")
    problems += check_dialog(
        show(qtbot, RecordHistoryDialog(store, editor.summary.uuid, "City", window)),
        "Record history",
    )
    question = editor.detail.questionnaire.questions[0]
    draft = next(d for (k, _f), d in editor.drafts.items() if k == question.key)
    facts = ConflictFacts(question, None, draft, None, "Someone else", {}, {})
    problems += check_dialog(show(qtbot, ConflictDialog(facts, window)), "Conflict")
    problems += check_dialog(show(qtbot, WelcomeDialog(tmp_path / "new.sqlite")), "Welcome")
    assert not problems, report(problems)
