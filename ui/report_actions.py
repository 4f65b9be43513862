"""The File menu's letters, reports and workbooks: pick a file, export off the GUI thread, print.

The exports themselves are app.reports.exports functions; this module only chooses what to
export (the response or jurisdiction the user is looking at), where to write it, and shows the
result. Printing renders the same PDF to a temporary file and hands it to ui.printing, so the
paper matches the exported PDF page for page.

Every export and print runs on a pool thread with a progress dialog and a Cancel that stops
it: a cancelled export writes no file (and files no letter).
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QAction, QActionGroup, QDesktopServices, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMenu,
    QMessageBox,
    QStatusBar,
    QToolButton,
    QWidget,
)

from app.services.errors import UserError
from ui.common import errors
from ui.common.file_names import file_stem
from ui.common.operations import Cancellation, Progress, run_with_progress
from ui.settings import PAPERS, Settings

if TYPE_CHECKING:
    # Exporting and printing load reportlab, openpyxl and pypdfium2: on first use, not at start.
    from app import questionnaires
    from app.reports.exports import ExportResult
    from app.services.store import Store

Button = errors.Button
#: An export as run in the background: it hears progress and whether to stop.
Work = Callable[[Progress, Cancellation], "ExportResult"]
NEEDS_RESPONSE = "Open a response, or select one in the Responses tab or on the dashboard"
NEEDS_JURISDICTION = "Select a jurisdiction on the left, or open one of its responses"
EXPORTED_MESSAGE_MS = 20_000


@dataclass(frozen=True)
class ChosenResponse:
    """The response the letter, workbook and print actions act on."""

    id: int
    jurisdiction: str
    questionnaire: str


@dataclass(frozen=True)
class ChosenJurisdiction:
    """The jurisdiction of the full report: selected, or that of the chosen response."""

    name: str
    id: int | None = None
    response_id: int | None = None


def _exports() -> Any:
    """app.reports.exports, imported on the first export: it brings the database layer."""
    from app.reports import exports

    return exports


def _printing() -> Any:
    from ui import printing

    return printing


def pages_text(result: ExportResult) -> str:
    if result.pages is None:
        return ""
    return f" ({result.pages} page{'s' * (result.pages != 1)})"


class ReportActions(QObject):
    """Owns the report actions; the window tells it what is chosen and when that changes."""

    # The paper size chosen for exports (and so for the letter's preview).
    paperChanged = Signal(str)  # noqa: N815 - Qt's naming

    def __init__(
        self,
        window: QWidget,
        status_bar: QStatusBar,
        settings: Settings,
        store: Callable[[], Store],
        response: Callable[[], ChosenResponse | None],
        jurisdiction: Callable[[], ChosenJurisdiction | None],
        folder: Callable[[], str],
        remember_folder: Callable[[Path], None],
    ) -> None:
        super().__init__(window)
        self.window = window
        self.status_bar = status_bar
        self.settings = settings
        self._store = store
        self._response = response
        self._jurisdiction = jurisdiction
        self._folder = folder
        self._remember_folder = remember_folder
        self.last_result: ExportResult | None = None
        # A print (or preview) is on screen: printing waits in it, the window still answers.
        self._printing = False
        self._build_actions()
        self._build_open_button()

    # == layout ===========================================================================

    def _action(self, text: str, slot: Callable[[], object], tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        action.setData(tip)  # the tooltip to restore once the action is enabled again
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.export_letter_action = a(
            "Export response &letter (PDF)…",
            self.export_letter,
            "Write the response letter as a PDF, on the chosen paper size",
        )
        self.export_letter_docx_action = a(
            "Export letter as Wor&d (.docx)…",
            self.export_letter_docx,
            "Write the response letter as a Word document, to finish in a word processor",
        )
        self.export_report_action = a(
            "E&xport full report (PDF)…",
            self.export_report,
            "Write the jurisdiction's full report: every response, record and change",
        )
        self.export_workbook_action = a(
            "Export response &workbook (Excel)…",
            self.export_workbook,
            "Write the response's answers, facilities, instruments, evidence and history",
        )
        self.export_comparison_action = a(
            "Export &comparison (Excel)…",
            self.export_comparison,
            "Compare every jurisdiction's answers to one questionnaire",
        )
        self.print_letter_action = a(
            "&Print response letter…", self.print_letter, "Print the response letter"
        )
        self.print_letter_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.print_letter_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.print_preview_action = a(
            "Print pre&view…", self.preview_letter, "See the response letter as it will print"
        )
        self.print_report_action = a(
            "Print f&ull report…", self.print_report, "Print the jurisdiction's full report"
        )
        self.paper_menu = QMenu("Paper si&ze", self.window)
        self.paper_group = QActionGroup(self)
        self.paper_actions: dict[str, QAction] = {}
        chosen = self.settings.paper()
        for key, label in PAPERS.items():
            action = self.paper_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(key == chosen)
            action.triggered.connect(lambda _checked=False, k=key: self.set_paper(k))
            self.paper_group.addAction(action)
            self.paper_actions[key] = action
        self.response_actions = (
            self.export_letter_action,
            self.export_letter_docx_action,
            self.export_workbook_action,
            self.print_letter_action,
            self.print_preview_action,
        )
        self.jurisdiction_actions = (self.export_report_action, self.print_report_action)

    def _build_open_button(self) -> None:
        self.open_button = QToolButton(self.window)
        self.open_button.setText("Open")
        self.open_button.setAutoRaise(True)
        self.open_button.setToolTip("Open the exported file")
        self.open_button.clicked.connect(self.open_last)
        self.open_button.hide()
        self.status_bar.insertPermanentWidget(0, self.open_button)
        # The button belongs to the "Exported …" message; any other message hides it.
        self.status_bar.messageChanged.connect(self._message_changed)

    def add_to_menu(self, menu: QMenu) -> None:
        for action in (
            self.export_letter_action,
            self.export_letter_docx_action,
            self.export_report_action,
            self.export_workbook_action,
            self.export_comparison_action,
        ):
            menu.addAction(action)
        menu.addSeparator()
        for action in (self.print_letter_action, self.print_preview_action):
            menu.addAction(action)
        menu.addAction(self.print_report_action)
        menu.addMenu(self.paper_menu)

    # == state ============================================================================

    def paper(self) -> str:
        return self.settings.paper()

    def set_paper(self, paper: str) -> None:
        self.settings.set_paper(paper)
        self.paper_actions[self.settings.paper()].setChecked(True)
        self.paperChanged.emit(self.settings.paper())

    def update(self) -> None:
        """Enables what the current choice allows; a disabled action says what to choose."""
        has_response = self._response() is not None
        has_jurisdiction = self._jurisdiction() is not None
        for actions, enabled, reason in (
            (self.response_actions, has_response, NEEDS_RESPONSE),
            (self.jurisdiction_actions, has_jurisdiction, NEEDS_JURISDICTION),
        ):
            for action in actions:
                action.setEnabled(enabled)
                tip = str(action.data()) if enabled else reason
                action.setToolTip(tip)
                action.setStatusTip(tip)

    def _message_changed(self, text: str) -> None:
        if not text.startswith("Exported "):
            self.open_button.hide()

    def open_last(self) -> None:
        if self.last_result is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_result.path)))

    # == choosing =========================================================================

    def _save_name(self, title: str, suggested: str, file_filter: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self.window, title, str(Path(self._folder()) / suggested), file_filter
        )
        if not name:
            return None
        path = Path(name)
        wanted = next(
            (ext for ext in (".pdf", ".docx", ".xlsx") if f"*{ext}" in file_filter), ".xlsx"
        )
        if path.suffix.lower() != wanted:
            path = path.with_name(path.name + wanted)
        self._remember_folder(path)
        return path

    def _chosen_response(self) -> ChosenResponse | None:
        chosen = self._response()
        if chosen is None:
            self.status_bar.showMessage(NEEDS_RESPONSE + ".", 8000)
        return chosen

    def _chosen_jurisdiction(self) -> ChosenJurisdiction | None:
        chosen = self._jurisdiction()
        if chosen is None:
            self.status_bar.showMessage(NEEDS_JURISDICTION + ".", 8000)
        return chosen

    def _report_work(self, chosen: ChosenJurisdiction, path: Path) -> Work:
        store, paper = self._store(), self.paper()
        if chosen.id is not None:
            jurisdiction_id = chosen.id
            return lambda progress, cancelled: _exports().export_report(
                store, jurisdiction_id, path, paper=paper, progress=progress, cancelled=cancelled
            )
        response_id = chosen.response_id
        assert response_id is not None
        return lambda progress, cancelled: _exports().export_report_for_response(
            store, response_id, path, paper=paper, progress=progress, cancelled=cancelled
        )

    def _run(
        self,
        label: str,
        work: Callable[[Progress, Cancellation], Any],
        on_success: Callable[[Any], None],
    ) -> None:
        """Runs an export with progress and Cancel; a cancelled one says so and writes nothing."""
        run_with_progress(
            self.window,
            label,
            work,
            on_success,
            on_cancelled=lambda: self.status_bar.showMessage("Cancelled; nothing written.", 8000),
        )

    # == exports ==========================================================================

    def export_letter(self) -> None:
        chosen = self._chosen_response()
        if chosen is None:
            return
        path = self._save_name(
            "Export response letter",
            file_stem(chosen.jurisdiction, chosen.questionnaire, "letter") + ".pdf",
            "PDF documents (*.pdf)",
        )
        if path is None:
            return
        store, paper, response_id = self._store(), self.paper(), chosen.id
        self._run(
            "Writing the response letter…",
            lambda progress, cancelled: _exports().export_letter(
                store, response_id, path, paper=paper, progress=progress, cancelled=cancelled
            ),
            self._exported,
        )

    def export_letter_docx(self) -> None:
        chosen = self._chosen_response()
        if chosen is None:
            return
        path = self._save_name(
            "Export response letter as Word",
            file_stem(chosen.jurisdiction, chosen.questionnaire, "letter") + ".docx",
            "Word documents (*.docx)",
        )
        if path is None:
            return
        store, response_id = self._store(), chosen.id
        self._run(
            "Writing the response letter…",
            lambda progress, cancelled: _exports().export_letter(
                store, response_id, path, format="docx", progress=progress, cancelled=cancelled
            ),
            self._exported,
        )

    def export_report(self) -> None:
        chosen = self._chosen_jurisdiction()
        if chosen is None:
            return
        path = self._save_name(
            "Export full report",
            file_stem(chosen.name, "report") + ".pdf",
            "PDF documents (*.pdf)",
        )
        if path is not None:
            self._run("Writing the full report…", self._report_work(chosen, path), self._exported)

    def export_workbook(self) -> None:
        chosen = self._chosen_response()
        if chosen is None:
            return
        path = self._save_name(
            "Export response workbook",
            file_stem(chosen.jurisdiction, chosen.questionnaire) + ".xlsx",
            "Excel workbooks (*.xlsx)",
        )
        if path is None:
            return
        store, response_id = self._store(), chosen.id
        self._run(
            "Writing the response workbook…",
            lambda progress, cancelled: _exports().export_response_workbook(
                store, response_id, path, progress=progress, cancelled=cancelled
            ),
            self._exported,
        )

    def choose_questionnaire(self) -> questionnaires.Questionnaire | None:
        from app import questionnaires

        available = questionnaires.available()
        if len(available) <= 1:
            return available[0] if available else None
        labels = [f"{q.title} (version {q.version})" for q in available]
        label, ok = QInputDialog.getItem(
            self.window,
            "Export comparison",
            "Compare every jurisdiction's answers to:",
            labels,
            0,
            False,
        )
        if not ok or label not in labels:
            return None
        return available[labels.index(label)]

    def export_comparison(self) -> None:
        questionnaire = self.choose_questionnaire()
        if questionnaire is None:
            return
        path = self._save_name(
            "Export comparison",
            file_stem(questionnaire.title, "comparison") + ".xlsx",
            "Excel workbooks (*.xlsx)",
        )
        if path is None:
            return
        store, key = self._store(), questionnaire.key
        self._run(
            "Writing the comparison…",
            lambda progress, cancelled: _exports().export_comparison(
                store, key, path, progress=progress, cancelled=cancelled
            ),
            self._exported,
        )

    def _exported(self, result: ExportResult) -> None:
        self.last_result = result
        self.status_bar.showMessage(
            f"Exported {result.path.name}{pages_text(result)}", EXPORTED_MESSAGE_MS
        )
        self.open_button.setToolTip(f"Open {result.path}")
        self.open_button.show()
        self._warn_if_differs(result)

    def _warn_if_differs(self, result: ExportResult) -> None:
        """An approved letter whose records changed since filing is not what was filed."""
        if not result.differs_from_earlier_filing:
            return
        filing = result.filing
        filings = _exports().list_filings(self._store(), filing.response_id) if filing else []
        # The latest filing with other bytes is the copy that was sent.
        different = [f for f in filings if f.sha256 != result.sha256]
        filed = different[-1] if different else None
        when = f" on {filed.filed_at:%Y-%m-%d}" if filed else ""
        answer = errors.message(
            self.window,
            "Letter differs from the filed copy",
            f"This letter differs from the copy filed earlier{when}.",
            icon=QMessageBox.Icon.Warning,
            informative=(
                "Records it prints (facility names, instruments, contacts…) were changed after "
                "the approved letter was filed. Send the filed copy, or reopen the response "
                "and approve it again."
            ),
            buttons=Button.Save | Button.Ok,
            default=Button.Ok,
            labels={Button.Save: "Save the filed copy…", Button.Ok: "Keep this letter"},
        )
        if answer == Button.Save and filed is not None:
            self.save_filed_copy(filed.id, filed.filename)

    def save_filed_copy(self, filing_id: int, filename: str) -> None:
        stem = Path(filename).stem
        path = self._save_name(
            "Save the filed copy", f"{stem} (as filed).pdf", "PDF documents (*.pdf)"
        )
        if path is None:
            return
        store = self._store()
        self._run(
            "Writing the filed copy…",
            lambda progress, cancelled: _exports().save_filed_copy(
                store, filing_id, path, progress=progress, cancelled=cancelled
            ),
            lambda written: self.status_bar.showMessage(
                f"Saved the filed copy to {written}.", 8000
            ),
        )

    # == printing =========================================================================

    def print_letter(self) -> None:
        self._print_response(preview=False)

    def preview_letter(self) -> None:
        self._print_response(preview=True)

    def _print_response(self, *, preview: bool) -> None:
        chosen = self._chosen_response()
        if chosen is None:
            return
        store, paper, response_id = self._store(), self.paper(), chosen.id
        self._render_then_print(
            "Preparing the letter to print…",
            file_stem(chosen.jurisdiction, chosen.questionnaire, "letter"),
            lambda path, progress, cancelled: _exports().export_letter(
                store, response_id, path, paper=paper, progress=progress, cancelled=cancelled
            ),
            preview=preview,
        )

    def print_report(self) -> None:
        chosen = self._chosen_jurisdiction()
        if chosen is None:
            return
        stem = file_stem(chosen.name, "report")
        self._render_then_print(
            "Preparing the report to print…",
            stem,
            lambda path, progress, cancelled: self._report_work(chosen, path)(progress, cancelled),
            preview=False,
        )

    def _render_then_print(
        self,
        label: str,
        stem: str,
        render: Callable[[Path, Progress, Cancellation], ExportResult],
        *,
        preview: bool,
    ) -> None:
        folder = Path(tempfile.mkdtemp(prefix="jurisdesk-print-"))
        target = folder / f"{stem}.pdf"

        def rendered(result: ExportResult) -> None:
            if self._printing:
                shutil.rmtree(folder, ignore_errors=True)
                self.status_bar.showMessage(
                    "A print is under way; try again when it is done.", 8000
                )
                return
            self._printing = True
            try:
                self._warn_if_differs(result)
                if preview:
                    _printing().preview_pdf(self.window, result.path)
                elif _printing().print_pdf(self.window, result.path):
                    self.status_bar.showMessage(
                        f"Sent {result.path.stem}{pages_text(result)} to the printer.", 8000
                    )
            except OSError as exc:  # the printer refused: the user's to fix, not our bug
                errors.show_error(self.window, UserError(f"Could not print: {exc}"))
            finally:
                self._printing = False
                shutil.rmtree(folder, ignore_errors=True)

        def failed(error: BaseException) -> None:
            shutil.rmtree(folder, ignore_errors=True)
            errors.show_error(self.window, error)

        def cancelled() -> None:
            shutil.rmtree(folder, ignore_errors=True)
            self.status_bar.showMessage("Cancelled; nothing printed.", 8000)

        run_with_progress(
            self.window,
            label,
            lambda progress, cancellation: render(target, progress, cancellation),
            rendered,
            failed,
            cancelled,
        )
