"""Dialogs of the sign-off workflow: approve, mark submitted, and a reason for going back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SUBMISSION_METHODS = ("E-mail", "Mail", "Portal", "Hand delivery", "Other")
NAME_LIMIT = 200


@dataclass(frozen=True)
class Approval:
    approver: str
    approver_title: str
    reviewed_by: str


@dataclass(frozen=True)
class Submission:
    submitted_on: date
    method: str


def _intro(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    return label


def _buttons(parent: QDialog, ok_text: str) -> tuple[QDialogButtonBox, QPushButton]:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent
    )
    ok = box.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    box.accepted.connect(parent.accept)
    box.rejected.connect(parent.reject)
    return box, ok


# ----------------------------------------------------------------------------- approve


class ApproveDialogView(QDialog):
    """Layout: who approves, with what title, and who reviewed."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve response")
        self.setMinimumWidth(480)
        self.intro = _intro(
            "Approving locks every answer. Nobody can change the response afterwards unless "
            "it is reopened with a reason, which is kept in the history.",
            self,
        )
        self.approver = QLineEdit(self)
        self.approver.setMaxLength(NAME_LIMIT)
        self.approver.setAccessibleName("Approved by")
        self.approver_title = QLineEdit(self)
        self.approver_title.setMaxLength(NAME_LIMIT)
        self.approver_title.setAccessibleName("Approver's title")
        self.approver_title.setPlaceholderText("e.g. City Attorney")
        self.reviewed_by = QLineEdit(self)
        self.reviewed_by.setMaxLength(NAME_LIMIT)
        self.reviewed_by.setAccessibleName("Reviewed by")
        form = QFormLayout()
        for caption, widget in (
            ("&Approved by:", self.approver),
            ("&Title:", self.approver_title),
            ("&Reviewed by:", self.reviewed_by),
        ):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b00020;")
        self.buttons, self.ok = _buttons(self, "A&pprove and lock")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)


class ApproveDialog(ApproveDialogView):
    """Behaviour: OK only once name and title are given; `approval()` after acceptance."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        approver: str = "",
        approver_title: str = "",
        reviewed_by: str = "",
    ) -> None:
        super().__init__(parent)
        self.approver.setText(approver)
        self.approver_title.setText(approver_title)
        self.reviewed_by.setText(reviewed_by)
        for edit in (self.approver, self.approver_title):
            edit.textChanged.connect(self._check)
        self._check()

    def _missing(self) -> list[str]:
        missing = []
        if not self.approver.text().strip():
            missing.append("the approver's name")
        if not self.approver_title.text().strip():
            missing.append("the approver's title")
        return missing

    def _check(self) -> None:
        missing = self._missing()
        self.ok.setEnabled(not missing)
        self.problem.setText(f"Enter {' and '.join(missing)}." if missing else "")

    def accept(self) -> None:
        if self._missing():
            self._check()
            return
        super().accept()

    def approval(self) -> Approval:
        return Approval(
            self.approver.text().strip(),
            self.approver_title.text().strip(),
            self.reviewed_by.text().strip(),
        )


# ----------------------------------------------------------------------------- submitted


class SubmittedDialogView(QDialog):
    """Layout: when and how the approved response was sent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mark as submitted")
        self.setMinimumWidth(420)
        self.intro = _intro("Record when and how the approved response was sent.", self)
        self.submitted_on = QDateEdit(self)
        self.submitted_on.setCalendarPopup(True)
        self.submitted_on.setDisplayFormat("MMM d, yyyy")
        self.submitted_on.setAccessibleName("Submitted on")
        self.method = QComboBox(self)
        self.method.addItems(SUBMISSION_METHODS)
        self.method.setAccessibleName("Method")
        self.other = QLineEdit(self)
        self.other.setMaxLength(NAME_LIMIT)
        self.other.setPlaceholderText("How it was sent, e.g. fax")
        self.other.setAccessibleName("Other method")
        form = QFormLayout()
        for caption, widget in (
            ("&Submitted on:", self.submitted_on),
            ("&Method:", self.method),
            ("&Other method:", self.other),
        ):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        self.other_label = form.labelForField(self.other)
        self.problem = QLabel(self)
        self.problem.setStyleSheet("color: #b00020;")
        self.buttons, self.ok = _buttons(self, "&Mark submitted")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)


class SubmittedDialog(SubmittedDialogView):
    """Behaviour: the date cannot be in the future; "Other" needs words."""

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        today = today or date.today()
        self.submitted_on.setMaximumDate(QDate(today))
        self.submitted_on.setDate(QDate(today))
        self.method.currentIndexChanged.connect(self._check)
        self.other.textChanged.connect(self._check)
        self._check()

    def method_text(self) -> str:
        if self.method.currentText() == "Other":
            return self.other.text().strip()
        return self.method.currentText()

    def _check(self) -> None:
        other = self.method.currentText() == "Other"
        self.other.setVisible(other)
        if self.other_label is not None:
            self.other_label.setVisible(other)
        valid = bool(self.method_text())
        self.ok.setEnabled(valid)
        self.problem.setText("" if valid else "Say how it was sent.")

    def accept(self) -> None:
        if not self.method_text():
            self._check()
            return
        super().accept()

    def submission(self) -> Submission:
        return Submission(self.submitted_on.date().toPython(), self.method_text())  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- reason


class ReasonDialogView(QDialog):
    """Layout: an explanation and a box for the reason."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(440)
        self.prompt = _intro(prompt, self)
        self.reason_label = QLabel("&Reason:", self)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName("Reason")
        self.reason.setMinimumHeight(self.reason.fontMetrics().lineSpacing() * 4 + 14)
        self.reason_label.setBuddy(self.reason)
        self.buttons, self.ok = _buttons(self, "OK")
        layout = QVBoxLayout(self)
        layout.addWidget(self.prompt)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.reason)
        layout.addWidget(self.buttons)


class ReasonDialog(ReasonDialogView):
    """Behaviour: OK stays disabled until a reason is written (it goes into the history)."""

    def __init__(
        self, title: str, prompt: str, ok_text: str = "OK", parent: QWidget | None = None
    ) -> None:
        super().__init__(title, prompt, parent)
        self.ok.setText(ok_text)
        self.reason.textChanged.connect(self._check)
        self._check()

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.reason_text()))

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        if not self.reason_text():
            return
        super().accept()
