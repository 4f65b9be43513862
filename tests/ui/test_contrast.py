"""Contrast under light, dark and high-contrast palettes (WCAG 2.1 AA, Section 508).

The main views are shown with the demo data under each palette; every visible label, button,
rich-text line and item-view cell is then measured: its text colour (palette, style sheet or
the model's ForegroundRole) against the background it is drawn on (the pixels around it, or the
model's BackgroundRole), 4.5:1 for text, 3:1 for large text and for parts such as the status
stripes and the progress bar. The test lists every pair that falls short.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, QRect, Qt, QThreadPool
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QLabel,
    QRadioButton,
    QTextBrowser,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.services import demo, responses
from app.services.store import Store
from ui.common import colours
from ui.common.colours import (
    LARGE_TEXT_RATIO,
    PART_RATIO,
    TEXT_RATIO,
    contrast,
    dark_palette,
    high_contrast_palette,
)
from ui.main_window import MainWindow
from ui.questionnaire.editor import REVIEW_STEP

AS_OF = date(2017, 8, 14)  # as the screenshots: some rows due soon, some overdue


def light_palette(application: QApplication) -> QPalette:
    return application.style().standardPalette()


@dataclass(frozen=True)
class Finding:
    view: str
    what: str
    text: str
    foreground: str
    background: str
    ratio: float
    needed: float

    def __str__(self) -> str:
        return (
            f"{self.view}: {self.what} {self.text[:40]!r} {self.foreground} on "
            f"{self.background} = {self.ratio:.2f}:1 (needs {self.needed}:1)"
        )


def settle(application: QCoreApplication | None) -> None:
    assert application is not None
    for _ in range(3):
        QThreadPool.globalInstance().waitForDone(10_000)
        application.processEvents()
        application.sendPostedEvents()
        application.processEvents()


def is_large(font: QFont) -> bool:
    points = font.pointSizeF() if font.pointSizeF() > 0 else font.pixelSize() * 0.75
    bold = font.weight() >= QFont.Weight.Bold
    return points >= 18 or (bold and points >= 14)


def background_of(image: QImage, rect: QRect) -> QColor:
    """The commonest colour of rect in image: what the text is drawn on."""
    rect = rect.intersected(image.rect())
    counts: Counter[int] = Counter()
    step = 2 if rect.width() * rect.height() > 4000 else 1
    for y in range(rect.top(), rect.bottom() + 1, step):
        for x in range(rect.left(), rect.right() + 1, step):
            counts[image.pixel(x, y)] += 1
    return QColor.fromRgb(counts.most_common(1)[0][0]) if counts else QColor("white")


def visible_rect(widget: QWidget, window: QWidget) -> QRect:
    region = widget.visibleRegion().boundingRect()
    if region.isEmpty():
        return QRect()
    return QRect(widget.mapTo(window, region.topLeft()), region.size())


def colours_in(text: str, default: QColor, *, rich: bool = True) -> Iterator[tuple[str, QColor]]:
    """Each run of text with its colour, rich text read as Qt reads it."""
    if not rich or "<" not in text:
        yield text, default
        return
    document = QTextDocument()
    document.setHtml(text)
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.isValid() and fragment.text().strip():
                brush = fragment.charFormat().foreground()
                colour = brush.color() if brush.style() != Qt.BrushStyle.NoBrush else default
                yield fragment.text(), colour
            iterator += 1
        block = block.next()


def as_colour(value: object) -> QColor | None:
    if isinstance(value, QBrush):
        return value.color()
    if isinstance(value, QColor):
        return value
    return None


def measure(view: str, window: QWidget) -> list[Finding]:
    """Every text (and status stripe) in window that falls short."""
    image = window.grab().toImage()
    found: list[Finding] = []

    def check(what: str, text: str, fg: QColor, bg: QColor, needed: float) -> None:
        if fg.alpha() < 255:  # e.g. Fusion's placeholder text: the text colour at half strength
            fg = colours.blend(bg, QColor(fg.red(), fg.green(), fg.blue()), fg.alphaF())
        ratio = contrast(fg, bg)
        if ratio < needed:
            found.append(Finding(view, what, text, fg.name(), bg.name(), ratio, needed))

    for widget in window.findChildren(QWidget):
        if not widget.isVisible() or not widget.isEnabled():
            continue
        rect = visible_rect(widget, window)
        if rect.width() < 2 or rect.height() < 2:
            continue
        needed = LARGE_TEXT_RATIO if is_large(widget.font()) else TEXT_RATIO
        if isinstance(widget, QLabel) and widget.text().strip():
            bg = background_of(image, rect)
            default = widget.palette().color(widget.foregroundRole())
            rich = widget.textFormat() != Qt.TextFormat.PlainText
            for text, fg in colours_in(widget.text(), default, rich=rich):
                check(f"label {widget.objectName() or ''}".strip(), text, fg, bg, needed)
        elif isinstance(widget, QCheckBox | QRadioButton) and widget.text().strip():
            fg = widget.palette().color(QPalette.ColorRole.WindowText)
            check("option", widget.text(), fg, background_of(image, rect), needed)
        elif isinstance(widget, QAbstractButton) and widget.text().strip():
            fg = widget.palette().color(QPalette.ColorRole.ButtonText)
            check("button", widget.text(), fg, background_of(image, rect), needed)
        elif isinstance(widget, QTextBrowser):
            viewport = visible_rect(widget.viewport(), window)
            bg = background_of(image, viewport)
            default = widget.palette().color(QPalette.ColorRole.Text)
            for text, fg in colours_in(widget.toHtml(), default):
                check("rich text", text, fg, bg, needed)
        elif isinstance(widget, QAbstractItemView) and widget.model() is not None:
            found.extend(_cells(view, widget))
        if widget.objectName() == "statusTile":
            stripe = widget.property("stripe")
            if stripe:
                bg = background_of(image, rect.adjusted(4, 8, -4, -4))
                check("status stripe", widget.accessibleName(), QColor(stripe), bg, PART_RATIO)
    return found


def _cells(view: str, table: QAbstractItemView) -> list[Finding]:
    found = []
    model = table.model()
    palette = table.palette()
    shown = table.viewport().rect()
    selection = table.selectionModel()

    def columns(parent: QModelIndex) -> int:
        try:
            return model.columnCount(parent)
        except TypeError:  # a list model keeps columnCount to itself: one column
            return 1

    def walk(parent: QModelIndex) -> Iterator[QModelIndex]:
        for row in range(model.rowCount(parent)):
            for column in range(columns(parent)):
                index = model.index(row, column, parent)
                if table.visualRect(index).intersects(shown):
                    yield index
            first = model.index(row, 0, parent)
            expanded = getattr(table, "isExpanded", lambda _index: False)
            if columns(first) and model.rowCount(first) > 0 and expanded(first):
                yield from walk(first)

    for index in walk(QModelIndex()):
        text = index.data(Qt.ItemDataRole.DisplayRole)
        if text is None or not str(text).strip():
            continue
        selected = selection is not None and selection.isSelected(index)
        if selected:
            fg = palette.color(QPalette.ColorRole.HighlightedText)
            bg = palette.color(QPalette.ColorRole.Highlight)
        else:
            fg = as_colour(index.data(Qt.ItemDataRole.ForegroundRole)) or palette.color(
                QPalette.ColorRole.Text
            )
            bg = as_colour(index.data(Qt.ItemDataRole.BackgroundRole)) or palette.color(
                QPalette.ColorRole.Base
            )
        font = index.data(Qt.ItemDataRole.FontRole) or table.font()
        needed = LARGE_TEXT_RATIO if is_large(font) else TEXT_RATIO
        ratio = contrast(fg, bg)
        if ratio < needed:
            what = f"{'selected ' if selected else ''}cell of {table.accessibleName() or 'a list'}"
            found.append(Finding(view, what, str(text), fg.name(), bg.name(), ratio, needed))
    return found


def tour(qtbot, window) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """Shows each main view in turn; yields its name once it is painted."""
    application = QApplication.instance()
    window.show_dashboard()
    settle(application)
    table = window.dashboard.table
    table.setFocus()
    table.selectRow(0)
    settle(application)
    yield "dashboard"
    jurisdiction = next(
        item.id
        for row in range(window.navigator.model.rowCount())
        if (item := window.navigator.model.item_at(row)) is not None and "Albuquerque" in item.name
    )
    window.select_jurisdiction(jurisdiction)
    for tab in ("profile", "facilities", "responses", "history"):
        window.show_tab(tab)
        settle(application)
        yield f"jurisdiction {tab}"
    psp = next(
        s
        for s in responses.list_responses(window.store, jurisdiction)
        if s.questionnaire_key == demo.QUESTIONNAIRE
    )
    window.show_tab("responses")
    editor = window.open_response(psp.id)
    assert editor is not None
    editor.go_to(editor.visible_questions()[0].key)
    settle(application)
    yield "questionnaire"
    editor._set_save_state(problem="the database is busy")
    settle(application)
    yield "questionnaire with an error"
    editor.go_to(REVIEW_STEP)
    settle(application)
    yield "review"
    editor.close_editor()
    settle(application)


@pytest.fixture
def demo_window(qtbot, store: Store, settings):  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow

    demo.load_demo(store)
    main = MainWindow(store, settings)
    main.dashboard.today = lambda: AS_OF
    qtbot.addWidget(main)
    main.resize(1280, 800)
    main.show()
    qtbot.waitExposed(main)
    return main


@pytest.fixture
def palette_restored(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    before = QPalette(qapp.palette())
    yield
    qapp.setPalette(before)
    settle(qapp)


PALETTES = ("light", "dark", "high-contrast")


def palette_named(name: str, application: QApplication) -> QPalette:
    if name == "dark":
        return dark_palette()
    if name == "high-contrast":
        return high_contrast_palette()
    return light_palette(application)


@pytest.mark.parametrize("name", PALETTES)
def test_every_text_reads_under_the_palette(
    qtbot: QtBot, qapp: QApplication, demo_window: MainWindow, palette_restored: None, name: str
) -> None:
    colours.install(qapp)
    qapp.setPalette(palette_named(name, qapp))
    settle(qapp)
    findings: list[Finding] = []
    for view in tour(qtbot, demo_window):
        findings.extend(measure(view, demo_window))
    assert not findings, f"{len(findings)} colour pairs fall short under the {name} palette:\n" + (
        "\n".join(sorted({str(f) for f in findings}))
    )


@pytest.mark.parametrize("name", PALETTES)
def test_role_colours_reach_their_ratios(qapp: QApplication, name: str) -> None:
    palette = palette_named(name, qapp)
    roles = colours.roles(palette)
    assert roles.kind == {"light": "light", "dark": "dark"}.get(name, "high-contrast")
    text_pairs = {
        "muted on window": (roles.muted, roles.window),
        "muted on base": (roles.muted, roles.base),
        "error on window": (roles.error, roles.window),
        "error on base": (roles.error, roles.base),
        "warning on window": (roles.warning, roles.window),
        "success on window": (roles.success, roles.window),
        "overdue text on its row": (roles.overdue_text, roles.overdue_row),
        "due-soon text on its row": (roles.soon_text, roles.soon_row),
        "row text on overdue row": (roles.row_text, roles.overdue_row),
        "row text on due-soon row": (roles.row_text, roles.soon_row),
        "tile label": (roles.tile_label, roles.tile_background),
        "help title": (roles.help_title, roles.help_background),
        "help text": (roles.help_text, roles.help_background),
        "badge": (roles.badge_text, roles.badge_background),
        "notice": (roles.notice_text, roles.notice_background),
    }
    part_pairs = {
        f"{status} stripe": (roles.status(status), roles.tile_background)
        for status in ("draft", "in_review", "approved", "submitted")
    } | {
        "progress on groove": (roles.progress_fill, roles.progress_groove),
        "progress done on groove": (roles.progress_done, roles.progress_groove),
        "done marker": (roles.marker_done, roles.base),
        "missing marker": (roles.marker_missing, roles.base),
        "unsaved marker": (roles.marker_unsaved, roles.base),
        "review marker": (roles.marker_ink, roles.marker_paper),
        "optional marker": (roles.marker_optional, roles.base),
        "focus frame on window": (roles.focus, roles.window),
        "focus frame on base": (roles.focus, roles.base),
        "help box border": (roles.help_border, roles.help_background),
    }
    short = [
        f"{what}: {fg} on {bg} = {contrast(fg, bg):.2f}:1"
        for pairs, needed in ((text_pairs, TEXT_RATIO), (part_pairs, PART_RATIO))
        for what, (fg, bg) in pairs.items()
        if contrast(fg, bg) < needed
    ]
    assert not short, "\n".join(short)
    selection = colours.readable_selection(palette) or palette
    assert (
        contrast(
            selection.color(QPalette.ColorRole.Highlight),
            selection.color(QPalette.ColorRole.HighlightedText),
        )
        >= TEXT_RATIO
    )


def test_the_dark_palette_is_followed_when_it_changes(
    qtbot: QtBot, qapp: QApplication, palette_restored: None
) -> None:
    label = QLabel("hint")
    qtbot.addWidget(label)
    colours.tint(label, "muted")
    qapp.setPalette(light_palette(qapp))
    settle(qapp)
    light = label.palette().color(QPalette.ColorRole.WindowText).name()
    qapp.setPalette(dark_palette())
    settle(qapp)
    dark = label.palette().color(QPalette.ColorRole.WindowText).name()
    assert light != dark
    assert contrast(dark, dark_palette().color(QPalette.ColorRole.Window)) >= TEXT_RATIO
