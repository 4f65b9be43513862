"""Layout of the response editor: header with progress, steps on the left, the step on the right."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QAction,
    QActionEvent,
    QColor,
    QIcon,
    QKeySequence,
    QPainter,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QToolBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.common.colours import Roles, roles, styled, tint
from ui.questionnaire.inputs import MUTED_COLOR

DONE, MISSING, OPTIONAL, UNSAVED, REVIEW = "done", "missing", "optional", "unsaved", "review"
LETTER = "letter"


def _round_pen(color: str, width: float) -> QPen:
    pen = QPen(QColor(color), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def marker_icon(kind: str) -> QIcon:
    """Step markers drawn here, so they look the same on every PC and at every scale; in the
    active palette's colours. The shape tells the state as well: tick, ring, "!", page."""
    return _marker_icon(kind, roles())


@cache
def _marker_icon(kind: str, colours: Roles) -> QIcon:
    size = 64
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    box = QRectF(8, 8, size - 16, size - 16)
    if kind == DONE:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colours.marker_done))
        painter.drawEllipse(box)
        painter.setPen(_round_pen(colours.marker_mark, 7))
        painter.drawPolyline([QPointF(20, 33), QPointF(29, 42), QPointF(45, 23)])
    elif kind == MISSING:
        painter.setPen(QPen(QColor(colours.marker_missing), 6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box.adjusted(3, 3, -3, -3))
    elif kind == UNSAVED:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(colours.marker_unsaved))
        painter.drawEllipse(box)
        painter.setPen(_round_pen(colours.marker_mark, 7))
        painter.drawLine(QPointF(32, 20), QPointF(32, 35))
        painter.drawPoint(QPointF(32, 45))
    elif kind == REVIEW:
        painter.setPen(QPen(QColor(colours.marker_ink), 5))
        painter.setBrush(QColor(colours.marker_paper))
        painter.drawRoundedRect(box.adjusted(6, 0, -6, 0), 4, 4)
        for y in (24, 33, 42):
            painter.drawLine(QPointF(22, y), QPointF(42, y))
    elif kind == LETTER:
        painter.setPen(_round_pen(colours.marker_ink, 5))
        painter.setBrush(QColor(colours.marker_paper))
        envelope = box.adjusted(0, 8, 0, -8)
        painter.drawRoundedRect(envelope, 4, 4)
        flap = [envelope.topLeft() + QPointF(3, 3), envelope.center()]
        painter.drawPolyline([*flap, envelope.topRight() + QPointF(-3, 3)])
    else:
        painter.setPen(QPen(QColor(colours.marker_optional), 5))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(box.adjusted(3, 3, -3, -3))
    painter.end()
    return QIcon(pixmap)


def _action(parent: QWidget, text: str, tip: str, *shortcuts: str) -> QAction:
    """An action of the editor: on its toolbar, and in the main window's Response menu (the
    & marks its letter there; buttons show the text without it)."""
    action = QAction(text, parent)
    action.setToolTip(tip)
    action.setStatusTip(tip)
    if shortcuts:
        action.setShortcuts([QKeySequence(key) for key in shortcuts])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    parent.addAction(action)
    return action


class TabToolBar(QToolBar):
    """A toolbar whose buttons are Tab stops, for actions added now or later (a plain
    QToolBar's buttons take no focus, so they can only be clicked)."""

    def actionEvent(self, event: QActionEvent) -> None:
        super().actionEvent(event)
        if event.type() == QEvent.Type.ActionAdded:
            button = self.widgetForAction(event.action())
            if isinstance(button, QToolButton):
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)


class ReviewPage(QWidget):
    """The last step: the workflow buttons and every answer in prose."""

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel("Review and sign-off", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        title.setFont(font)
        self.approval_note = QLabel(self)
        self.approval_note.setWordWrap(True)
        tint(self.approval_note, "warning")
        bar = QHBoxLayout()
        self.buttons: list[QToolButton] = []
        for action in actions:
            button = QToolButton(self)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setMinimumHeight(button.sizeHint().height() + 6)
            self.buttons.append(button)
            bar.addWidget(button)
        bar.addStretch(1)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Review of all answers")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 8)
        layout.addWidget(title)
        layout.addLayout(bar)
        layout.addWidget(self.approval_note)
        layout.addWidget(self.browser, 1)


class SentBackBanner(QFrame):
    """The reviewer's reason for sending the response back, shown to the preparer until
    dismissed (it shows again the next time the response is opened, while still a draft)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sentBackBanner")
        styled(
            self,
            "#sentBackBanner {{ background: {notice_background};"
            " border: 1px solid {notice_border}; "
            "border-radius: 4px; }}",
        )
        self.setAccessibleName("Sent back by the reviewer")
        self.heading = QLabel(self)
        tint(self.heading, "notice_text", semibold=True)
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.reason = QLabel(self)
        self.reason.setWordWrap(True)
        # The reviewer's words exactly as typed: never read as markup.
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.dismiss_button = QToolButton(self)
        self.dismiss_button.setText("Dismiss")
        self.dismiss_button.setAutoRaise(True)
        self.dismiss_button.setToolTip("Hide this note; the reason stays in the history")
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.heading)
        text.addWidget(self.reason)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addLayout(text, 1)
        layout.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.dismiss_button.clicked.connect(self.hide)
        self.hide()


class ResponseEditorView(QWidget):
    """Layout only; ResponseEditor adds the behaviour."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # --- header: what this is, how far along, whether it is saved
        self.title = QLabel(self)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self)
        tint(self.subtitle, MUTED_COLOR)
        self.subtitle.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setObjectName("statusChip")
        styled(
            self.status,
            "#statusChip {{ background: {badge_background}; color: {badge_text};"
            " border: 1px solid {tile_border}; border-radius: 8px; padding: 2px 10px;"
            " font-weight: 600; }}",
        )
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Required answers given")
        self.progress.setFixedWidth(160)
        self.progress.setTextVisible(True)
        self.completeness_label = QLabel(self)
        self.save_state = QLabel(self)
        self.save_state.setObjectName("saveState")
        self.save_state.setAccessibleName("Save state")
        self.save_state.setWordWrap(True)

        title_box = QVBoxLayout()
        title_box.setSpacing(2)
        title_box.addWidget(self.title)
        title_box.addWidget(self.subtitle)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.status)
        progress_row.addSpacing(8)
        progress_row.addWidget(self.progress)
        progress_row.addWidget(self.completeness_label)
        progress_row.addStretch(1)
        progress_row.addWidget(self.save_state)
        title_box.addLayout(progress_row)

        self.banner = QLabel(self)
        self.banner.setObjectName("readOnlyBanner")
        self.banner.setWordWrap(True)
        styled(
            self.banner,
            "#readOnlyBanner {{ background: {notice_background}; color: {notice_text};"
            " border: 1px solid {notice_border}; "
            "border-radius: 4px; padding: 6px 10px; }}",
        )
        self.banner.hide()
        self.sent_back = SentBackBanner(self)

        # --- actions (toolbar and review page share them)
        self.submit_action = _action(
            self, "Su&bmit for review", "Send the response to the reviewer"
        )
        self.return_action = _action(
            self, "Send bac&k to draft…", "Return the response to its preparer with a reason"
        )
        self.approve_action = _action(self, "&Approve…", "Approve and lock the response")
        self.submitted_action = _action(
            self, "&Mark submitted…", "Record when and how the approved response was sent"
        )
        self.reopen_action = _action(
            self, "Re&open…", "Unlock an approved or submitted response (a reason is required)"
        )
        self.history_action = _action(
            self, "&History…", "Who changed what in this response (Ctrl+H)", "Ctrl+H"
        )
        self.save_action = _action(self, "&Save now", "Save every answer now (Ctrl+S)", "Ctrl+S")
        self.close_action = _action(
            self, "&Close", "Save and close this response (Ctrl+W)", "Ctrl+W"
        )
        self.previous_action = _action(
            self, "Pre&vious step", "Previous step (Alt+Left or Page Up)", "Alt+Left", "PgUp"
        )
        self.next_action = _action(
            self, "&Next step", "Next step (Alt+Right or Page Down)", "Alt+Right", "PgDown"
        )
        self.workflow_actions = [
            self.submit_action,
            self.return_action,
            self.approve_action,
            self.submitted_action,
            self.reopen_action,
        ]
        self.toolbar = TabToolBar(self)
        self.toolbar.setAccessibleName("Response actions")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.setIconSize(QSize(16, 16))
        for action in self.workflow_actions:
            self.toolbar.addAction(action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.history_action)
        self.toolbar.addAction(self.save_action)
        self.toolbar.addAction(self.close_action)

        # --- body: steps | current step
        self.steps = QListWidget(self)
        self.steps.setAccessibleName("Steps")
        self.steps.setWordWrap(True)
        self.steps.setSpacing(2)
        self.steps.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.steps.setIconSize(QSize(16, 16))
        self.steps.setMinimumWidth(220)
        self.steps_label = QLabel("Ste&ps", self)
        self.steps_label.setBuddy(self.steps)
        tint(self.steps_label, semibold=True)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.steps_label)
        left_layout.addWidget(self.steps)

        self.stack = QStackedWidget(self)
        self.review = ReviewPage(self.workflow_actions, self)
        self.stack.addWidget(self.review)

        self.previous_button = QPushButton("‹  Previous", self)
        self.previous_button.setToolTip("Previous step (Alt+Left or Page Up)")
        self.next_button = QPushButton("Next  ›", self)
        self.next_button.setToolTip("Next step (Alt+Right or Page Down)")
        self.step_position = QLabel(self)
        tint(self.step_position, MUTED_COLOR)
        nav = QHBoxLayout()
        nav.setContentsMargins(18, 4, 18, 8)
        nav.addWidget(self.previous_button)
        nav.addStretch(1)
        nav.addWidget(self.step_position)
        nav.addStretch(1)
        nav.addWidget(self.next_button)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.stack, 1)
        line = QFrame(right)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        right_layout.addWidget(line)
        right_layout.addLayout(nav)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([260, 760])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 4)
        layout.addLayout(title_box)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.sent_back)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
