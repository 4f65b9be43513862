"""Dialogs of the sign-off workflow: approve, mark submitted, and a reason for going back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
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

from app.services.staff import StaffEntry, same_person
from ui.common.colours import styled
from ui.common.dates import DateField, to_qdate

SUBMISSION_METHODS = ("E-mail", "Mail", "Portal", "Hand delivery", "Other")
NAME_LIMIT = 200


@dataclass(frozen=True)
class Approval:
    approver_id: int
    reviewer_id: int | None  # None: the person using Jurisdesk, not on the staff list


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
    """Layout: who approves (from the staff list), their title, who reviewed, the warnings."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Approve response")
        self.setMinimumWidth(520)
        self.intro = _intro(
            "Approving locks every answer exactly as shown. Nobody can change the response "
            "afterwards unless it is reopened with a reason, which is kept in the history.",
            self,
        )
        self.approver = QComboBox(self)
        self.approver.setAccessibleName("Approved by")
        self.approver_title = QLabel(self)
        self.approver_title.setAccessibleName("Approver's title")
        self.reviewed_by = QComboBox(self)
        self.reviewed_by.setAccessibleName("Reviewed by")
        self.rule_note = QLabel(self)
        self.rule_note.setWordWrap(True)
        styled(self.rule_note, "color: {muted};")
        form = QFormLayout()
        for caption, widget in (
            ("&Approved by:", self.approver),
            ("Title:", self.approver_title),
            ("&Reviewed by:", self.reviewed_by),
        ):
            label = QLabel(caption, self)
            label.setBuddy(widget)
            form.addRow(label, widget)
        # The checks' warnings: the approver reads them and says so before approving.
        self.warnings = QLabel(self)
        self.warnings.setWordWrap(True)
        self.warnings.setTextFormat(Qt.TextFormat.PlainText)
        styled(self.warnings, "color: {warning};")
        self.acknowledge = QCheckBox(
            "I have read these &warnings and approve the answers with them", self
        )
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        styled(self.problem, "color: {error};")
        self.buttons, self.ok = _buttons(self, "A&pprove and lock")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.rule_note)
        layout.addWidget(self.warnings)
        layout.addWidget(self.acknowledge)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)


class ApproveDialog(ApproveDialogView):
    """Behaviour: the approver is picked from the staff members who approve (without the
    preparer when the office's rule says so); OK once one is picked and any warnings are
    acknowledged; `approval()` after acceptance."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        approvers: Sequence[StaffEntry] = (),
        reviewers: Sequence[StaffEntry] = (),
        me: str = "",
        prepared_by: str | None = None,
        approver_must_differ: bool = True,
        warnings: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        excluded = [
            a for a in approvers if approver_must_differ and same_person(a.name, prepared_by)
        ]
        allowed = [a for a in approvers if a not in excluded]
        for member in allowed:
            self.approver.addItem(member.name, member.id)
        self._titles = {m.id: m.title for m in allowed}
        # The person at the keyboard approves in most offices: start with them if they may.
        mine = next((i for i, m in enumerate(allowed) if same_person(m.name, me)), 0)
        self.approver.setCurrentIndex(mine if allowed else -1)
        reviewer: int | None = None
        for member in reviewers:
            if reviewer is None and same_person(member.name, me):
                reviewer = self.reviewed_by.count()
            self.reviewed_by.addItem(f"{member.name}, {member.title}", member.id)
        if reviewer is None:
            # Whoever reviews in Jurisdesk, even if not (yet) on the staff list.
            reviewer = self.reviewed_by.count()
            self.reviewed_by.addItem(me or "Me", None)
        self.reviewed_by.setCurrentIndex(reviewer)
        notes = []
        if excluded:
            notes.append(
                f"{excluded[0].name} prepared this response, so another approver must approve "
                "it (the office's rule, set in File ▸ Staff list)."
            )
        if not approvers:
            notes.append("No one on the staff list may approve responses yet.")
        self.rule_note.setText(" ".join(notes))
        self.rule_note.setVisible(bool(notes))
        count = len(warnings)
        self.warnings.setText(
            f"{count} warning{'s' if count > 1 else ''} from the checks:\n"
            + "\n".join(f"• {w}" for w in warnings)
        )
        for widget in (self.warnings, self.acknowledge):
            widget.setVisible(bool(warnings))
        self.approver.currentIndexChanged.connect(self._check)
        self.acknowledge.toggled.connect(self._check)
        self._check()
        self.approver.setFocus()

    def _missing(self) -> list[str]:
        missing = []
        if self.approver.currentData() is None:
            missing.append("an approver from the staff list (add one in File ▸ Staff list)")
        if not self.acknowledge.isHidden() and not self.acknowledge.isChecked():
            missing.append("that you have read the warnings")
        return missing

    def _check(self) -> None:
        missing = self._missing()
        self.approver_title.setText(self._titles.get(self.approver.currentData(), "—"))
        self.ok.setEnabled(not missing)
        self.problem.setText(f"Give {' and '.join(missing)}." if missing else "")
        self.problem.setVisible(bool(missing))

    def accept(self) -> None:
        if self._missing():
            self._check()
            return
        super().accept()

    def approval(self) -> Approval:
        return Approval(self.approver.currentData(), self.reviewed_by.currentData())


# ----------------------------------------------------------------------------- submitted


class SubmittedDialogView(QDialog):
    """Layout: when and how the approved response was sent."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Mark as submitted")
        self.setMinimumWidth(420)
        self.intro = _intro("Record when and how the approved response was sent.", self)
        # The dialog says what is wrong with the date itself, beside the other problems.
        self.submitted_on = DateField(self, show_problems=False)
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
        styled(self.problem, "color: {error};")
        self.buttons, self.ok = _buttons(self, "Mar&k submitted")
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)


class SubmittedDialog(SubmittedDialogView):
    """Behaviour: a date that is not in the future is needed; "Other" needs words."""

    def __init__(self, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.today = today or date.today()
        self.submitted_on.calendar.setMaximumDate(to_qdate(self.today))
        self.submitted_on.set_date(self.today)
        self.submitted_on.textEdited.connect(self._check)
        self.submitted_on.changed.connect(self._check)
        self.method.currentIndexChanged.connect(self._check)
        self.other.textChanged.connect(self._check)
        self._check()
        self.submitted_on.setFocus()

    def method_text(self) -> str:
        if self.method.currentText() == "Other":
            return self.other.text().strip()
        return self.method.currentText()

    def _date_problem(self) -> str:
        # What is typed counts, not the date held from before, so a mistyped date is never
        # recorded as another one.
        try:
            when = self.submitted_on.typed_date()
        except ValueError:
            return "Submitted on: type the date as YYYY-MM-DD or MM/DD/YYYY, e.g. 2017-08-31."
        if when is None:
            return "Enter the date it was sent."
        if when > self.today:
            return "Submitted on: the date cannot be in the future."
        return ""

    def _check(self) -> None:
        other = self.method.currentText() == "Other"
        self.other.setVisible(other)
        if self.other_label is not None:
            self.other_label.setVisible(other)
        problem = self._date_problem() or ("" if self.method_text() else "Say how it was sent.")
        self.ok.setEnabled(not problem)
        self.problem.setText(problem)

    def accept(self) -> None:
        if self._date_problem() or not self.method_text():
            self._check()
            return
        super().accept()

    def submission(self) -> Submission:
        when = self.submitted_on.typed_date()
        assert when is not None, "accept() lets only a date through"
        return Submission(when, self.method_text())


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
        self.reason.setFocus()

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.reason_text()))

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()

    def accept(self) -> None:
        if not self.reason_text():
            return
        super().accept()
