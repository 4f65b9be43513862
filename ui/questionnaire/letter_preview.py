"""The letter as it will print, beside the Letter step's form: its PDF pages as images.

The PDF is written and rasterised on a pool thread, shortly after the last change, so typing
never waits for it. Each request is numbered; a result for an older request than the newest
is dropped, so a slow render never paints over a newer one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from app.letter.composed import ComposedLetter
from ui.common.colours import styled, tint
from ui.common.operations import run_in_background
from ui.questionnaire.inputs import MUTED_COLOR

log = logging.getLogger(__name__)

PREVIEW_DELAY_MS = 600
# Sharp enough to read on a high-density screen when the preview is widened, small enough to
# render a five-page letter in well under a second.
PREVIEW_DPI = 110
PAGE_MARGIN = 12


def render_pages(letter: ComposedLetter, paper: str) -> list[QImage]:
    """The letter's pages as images (runs on a pool thread: no widgets here)."""
    # Imported at the first preview, not at start: reportlab and pdfium take long to load.
    from app.reports.pdf import render_letter
    from ui.printing import page_images

    return page_images(render_letter(letter, paper).content, PREVIEW_DPI)


class _PageView(QScrollArea):
    """The pages one under the other, each as wide as the view."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # arrow keys and Page Down scroll it
        self.sheet = QWidget(self)
        self.sheet.setObjectName("previewSheet")
        styled(self.sheet, "#previewSheet {{ background: {desk}; }}")
        self.column = QVBoxLayout(self.sheet)
        self.column.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.column.setSpacing(PAGE_MARGIN)
        self.column.addStretch(1)
        self.setWidget(self.sheet)
        self.images: list[QImage] = []
        self.labels: list[QLabel] = []

    def show_pages(self, images: list[QImage]) -> None:
        self.images = images
        while len(self.labels) > len(images):
            label = self.labels.pop()
            self.column.removeWidget(label)
            label.deleteLater()
        while len(self.labels) < len(images):
            label = QLabel(self.sheet)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
            # The page itself is paper: white whatever the palette, as it will print.
            styled(label, "background: white; border: 1px solid {page_border};")
            self.column.insertWidget(len(self.labels), label)
            self.labels.append(label)
        total = len(images)
        for number, label in enumerate(self.labels, start=1):
            label.setAccessibleName(f"Letter preview, page {number} of {total}")
        self._scale()

    def _scale(self) -> None:
        width = max(120, self.viewport().width() - 2 * PAGE_MARGIN)
        for image, label in zip(self.images, self.labels, strict=True):
            pixmap = QPixmap.fromImage(image).scaledToWidth(
                width - 2, Qt.TransformationMode.SmoothTransformation
            )
            label.setPixmap(pixmap)
            label.setFixedHeight(pixmap.height() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self._scale()


class LetterPreview(QWidget):
    """Shows the letter a callable composes, re-drawn PREVIEW_DELAY_MS after the last request."""

    def __init__(self, parent: QWidget | None = None, *, paper: str = "letter") -> None:
        super().__init__(parent)
        self.paper = paper
        self._compose: Callable[[], ComposedLetter] | None = None
        self._asked = 0  # the newest request's number
        self._shown = 0  # the number of the request whose pages are on screen
        self._running = False
        self.title = QLabel("Preview", self)
        tint(self.title, semibold=True)
        self.state = QLabel(self)
        self.state.setAccessibleName("Preview state")
        tint(self.state, MUTED_COLOR)
        self.pages = _PageView(self)
        self.pages.setAccessibleName("Letter preview")
        self.pages.setAccessibleDescription("The letter's pages as they will print")
        self.title.setBuddy(self.pages)
        header = QVBoxLayout()
        header.setSpacing(0)
        header.addWidget(self.title)
        header.addWidget(self.state)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.pages, 1)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(PREVIEW_DELAY_MS)
        self.timer.timeout.connect(self._start)

    def set_paper(self, paper: str) -> None:
        """Shows the letter on other paper (Letter or A4), as it will now be exported."""
        if paper == self.paper:
            return
        self.paper = paper
        if self._compose is not None:
            self.request(self._compose, now=True)

    @property
    def page_count(self) -> int:
        return len(self.pages.labels)

    @property
    def busy(self) -> bool:
        """A render is waiting or running, or the pages shown are not the newest asked for."""
        return self.timer.isActive() or self._running or self._shown != self._asked

    def request(self, compose: Callable[[], ComposedLetter], *, now: bool = False) -> None:
        """Asks for the letter compose() gives (called on the pool thread) to be shown."""
        self._compose = compose
        self._asked += 1
        self.state.setText("Updating…")
        if now:
            self.timer.stop()
            self._start()
        else:
            self.timer.start()

    def _start(self) -> None:
        if self._running or self._compose is None:
            return  # the running render's end starts the newest request
        number, compose, paper = self._asked, self._compose, self.paper
        self._running = True
        run_in_background(
            self,
            "",
            lambda: render_pages(compose(), paper),
            lambda images: self._done(number, images),
            lambda error: self._failed(number, error),
            busy_dialog=False,
        )

    def _finish(self, number: int) -> bool:
        """True when the result of request `number` is still wanted."""
        if not shiboken6.isValid(self.pages):
            return False  # the step was closed while its letter rendered: nobody to show it
        self._running = False
        if number != self._asked:
            self.timer.start()  # changed while it rendered: render the newest
            return False
        return True

    def _done(self, number: int, images: list[QImage]) -> None:
        if not self._finish(number):
            return
        self._shown = number
        self.pages.show_pages(images)
        count = len(images)
        self.state.setText(f"{count} page{'s' * (count != 1)}, as it will print")

    def _failed(self, number: int, error: BaseException) -> None:
        if not self._finish(number):
            return
        self._shown = number
        log.error("The letter preview could not be drawn", exc_info=error)
        self.state.setText(f"The preview could not be drawn: {error}")
