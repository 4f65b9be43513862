"""File ▸ Export and Print: the chosen response or jurisdiction, written off the GUI thread."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pypdf
import pytest
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.reports import exports
from app.reports.exports import ExportResult
from app.services.store import Store
from tests.report_data import build_sample_data
from ui import printing
from ui.main_window import MainWindow
from ui.report_actions import NEEDS_JURISDICTION, NEEDS_RESPONSE
from ui.settings import Settings

Button = QMessageBox.StandardButton


@pytest.fixture
def samples(store: Store) -> list[int]:
    """Albuquerque's approved PSP response, then Baltimore's draft."""
    return build_sample_data(store)


@pytest.fixture
def loaded(qtbot, window: MainWindow, samples: list[int]) -> MainWindow:
    window.refresh()
    qtbot.waitUntil(lambda: window.dashboard.model.rowCount() > 0, timeout=10_000)
    return window


def pdf_text(path: Path) -> str:
    return " ".join((page.extract_text() or "") for page in pypdf.PdfReader(path).pages)


def wait_for_export(qtbot, window: MainWindow, path: Path, *, message: bool = True) -> None:
    def shown() -> bool:
        result = window.reports.last_result
        return result is not None and result.path == path

    qtbot.waitUntil(shown, timeout=20_000)
    if message:
        assert window.statusBar().currentMessage().startswith(f"Exported {path.name}")


def file_printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setFullPage(True)
    printer.setResolution(72)  # only pages are counted; small bitmaps keep the test quick
    return printer


def test_response_actions_say_what_to_select_until_there_is_a_response(
    window: MainWindow,
) -> None:
    reports = window.reports
    for action in reports.response_actions:
        assert not action.isEnabled()
        assert action.toolTip() == NEEDS_RESPONSE
    for action in reports.jurisdiction_actions:
        assert not action.isEnabled()
        assert action.toolTip() == NEEDS_JURISDICTION
    assert reports.export_comparison_action.isEnabled()
    assert reports.print_letter_action.shortcut().toString() == "Ctrl+P"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    menu_texts = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert "Export response &letter (PDF)…" in menu_texts
    assert "Print pre&view…" in menu_texts


def test_dashboard_selection_enables_the_letter(loaded: MainWindow) -> None:
    assert loaded.stack.currentWidget() is loaded.dashboard
    assert loaded.dashboard.selected() is not None
    assert loaded.reports.export_letter_action.isEnabled()
    # The full report follows the chosen response's jurisdiction.
    assert loaded.reports.export_report_action.isEnabled()
    loaded.dashboard.table.clearSelection()
    assert not loaded.reports.export_letter_action.isEnabled()


def test_export_letter_of_the_open_response(
    qtbot, loaded: MainWindow, samples: list[int], tmp_path: Path, choose_file
) -> None:
    editor = loaded.open_response(samples[0])
    assert editor is not None
    assert loaded.reports.export_letter_action in editor.toolbar.actions()
    target = tmp_path / "letter.pdf"
    choose_file("getSaveFileName", target)
    loaded.reports.export_letter_action.trigger()
    wait_for_export(qtbot, loaded, target)

    assert "City of Albuquerque" in pdf_text(target)
    pages = len(pypdf.PdfReader(target).pages)
    assert loaded.statusBar().currentMessage() == (
        f"Exported letter.pdf ({pages} page{'s' * (pages != 1)})"
    )
    assert loaded.reports.open_button.isVisible()
    assert loaded.reports.last_result is not None
    assert loaded.reports.last_result.filing is not None  # approved: filed


def test_full_report_on_a4_is_remembered(
    qtbot, loaded: MainWindow, samples: list[int], tmp_path: Path, choose_file, settings: Settings
) -> None:
    loaded.reports.paper_actions["a4"].trigger()
    assert settings.paper() == "a4"
    assert loaded.select_jurisdiction(1)
    target = tmp_path / "report"  # the suffix is added
    choose_file("getSaveFileName", target)
    loaded.reports.export_report_action.trigger()
    written = tmp_path / "report.pdf"
    wait_for_export(qtbot, loaded, written)

    first_page = pypdf.PdfReader(written).pages[0]
    assert round(float(first_page.mediabox.width)) == 595  # A4, not Letter's 612
    assert "City of Albuquerque" in pdf_text(written)
    again = MainWindow(loaded.store, settings)
    qtbot.addWidget(again)
    assert again.reports.paper_actions["a4"].isChecked()


def test_workbook_of_the_response_selected_in_the_responses_tab(
    qtbot, loaded: MainWindow, tmp_path: Path, choose_file
) -> None:
    assert loaded.select_jurisdiction(1)
    loaded.show_tab("responses")
    assert loaded.responses.selected() is not None
    assert loaded.reports.export_workbook_action.isEnabled()
    target = tmp_path / "answers.xlsx"
    choose_file("getSaveFileName", target)
    loaded.reports.export_workbook_action.trigger()
    wait_for_export(qtbot, loaded, target)

    book = openpyxl.load_workbook(target, read_only=True)
    assert "Answers" in book.sheetnames
    summary = " ".join(
        str(cell) for row in book["Summary"].iter_rows(values_only=True) for cell in row if cell
    )
    assert "City of Albuquerque" in summary


def test_comparison_asks_which_questionnaire(
    qtbot, loaded: MainWindow, tmp_path: Path, choose_file, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered: list[list[str]] = []

    def pick(_parent, _title, _label, items, *_args, **_kwargs):
        offered.append(list(items))
        return next(i for i in items if i.startswith("DOJ Public Safety")), True

    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(pick))
    target = tmp_path / "comparison.xlsx"
    choose_file("getSaveFileName", target)
    loaded.reports.export_comparison_action.trigger()
    wait_for_export(qtbot, loaded, target)

    assert len(offered[0]) >= 2
    book = openpyxl.load_workbook(target, read_only=True)
    cells = {
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell
    }
    assert any("Albuquerque" in c for c in cells)
    assert any("Baltimore" in c for c in cells)


def test_ctrl_p_prints_the_letter_pages(
    qtbot, loaded: MainWindow, samples: list[int], tmp_path: Path, monkeypatch
) -> None:
    printed = tmp_path / "printed.pdf"
    calls: list[Path] = []

    def print_to_file(parent, pdf_path: Path) -> bool:
        calls.append(pdf_path)
        assert printing.render_to_printer(file_printer(printed), pdf_path) >= 1
        return True

    monkeypatch.setattr(printing, "print_pdf", print_to_file)
    loaded.open_response(samples[0])
    loaded.activateWindow()
    qtbot.waitUntil(loaded.isActiveWindow)
    qtbot.keyClick(loaded, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(calls), timeout=20_000)

    assert len(pypdf.PdfReader(printed).pages) >= 1
    assert loaded.statusBar().currentMessage().startswith("Sent ")
    assert not calls[0].exists()  # the temporary PDF is gone after printing


def test_preview_and_full_report_print_render_first(
    qtbot, loaded: MainWindow, tmp_path: Path, monkeypatch
) -> None:
    seen: list[tuple[str, int]] = []

    def preview(parent, pdf_path: Path) -> None:
        dialog = printing.build_preview(parent, pdf_path)
        qtbot.addWidget(dialog)
        target = tmp_path / "preview.pdf"
        dialog.paintRequested.emit(file_printer(target))
        seen.append(("preview", len(pypdf.PdfReader(target).pages)))

    def print_pdf(parent, pdf_path: Path) -> bool:
        seen.append(("print", printing.page_count(pdf_path)))
        return False  # the user cancelled the print dialog

    monkeypatch.setattr(printing, "preview_pdf", preview)
    monkeypatch.setattr(printing, "print_pdf", print_pdf)
    assert loaded.select_jurisdiction(1)
    loaded.show_tab("responses")
    loaded.reports.print_preview_action.trigger()
    qtbot.waitUntil(lambda: len(seen) == 1, timeout=20_000)
    loaded.reports.print_report_action.trigger()
    qtbot.waitUntil(lambda: len(seen) == 2, timeout=20_000)

    assert [kind for kind, _pages in seen] == ["preview", "print"]
    assert seen[0][1] >= 1
    assert seen[1][1] > seen[0][1]  # the full report is longer than the letter


def test_letter_changed_after_filing_offers_the_filed_copy(
    qtbot,
    loaded: MainWindow,
    samples: list[int],
    tmp_path: Path,
    dialogs,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answers = iter([tmp_path / "first.pdf", tmp_path / "second.pdf", tmp_path / "filed.pdf"])
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(next(answers)), ""))
    )
    loaded.open_response(samples[0])
    loaded.reports.export_letter_action.trigger()
    wait_for_export(qtbot, loaded, tmp_path / "first.pdf")
    assert dialogs.titles == []

    # Only a response approved before Jurisdesk kept the approved record can print differently
    # after its records are edited; stand in for one by reporting other bytes than those filed.
    real_export = exports.export_letter

    def changed_since_filing(*args, **kwargs) -> ExportResult:
        result = real_export(*args, **kwargs)
        return dataclasses.replace(result, sha256="0" * 64, differs_from_earlier_filing=True)

    monkeypatch.setattr(exports, "export_letter", changed_since_filing)
    dialogs.answer(Button.Save)
    loaded.reports.export_letter_action.trigger()
    # Saving the filed copy follows at once, with its own message.
    wait_for_export(qtbot, loaded, tmp_path / "second.pdf", message=False)
    assert dialogs.titles == ["Letter differs from the filed copy"]
    assert "differs from the copy filed earlier" in dialogs.shown[0].text

    filed = tmp_path / "filed.pdf"
    qtbot.waitUntil(filed.exists, timeout=10_000)
    assert filed.read_bytes() == (tmp_path / "first.pdf").read_bytes()


def test_a_failed_export_says_why(
    qtbot, loaded: MainWindow, tmp_path: Path, choose_file, dialogs
) -> None:
    assert loaded.select_jurisdiction(1)
    choose_file("getSaveFileName", tmp_path / "missing-folder" / "report.pdf")
    loaded.reports.export_report_action.trigger()
    qtbot.waitUntil(lambda: bool(dialogs.shown), timeout=20_000)
    assert "does not exist" in dialogs.shown[0].text


def test_no_choice_no_export(loaded: MainWindow, choose_file: Callable[..., None]) -> None:
    loaded.dashboard.table.clearSelection()
    loaded.reports.export_letter()  # e.g. by a stale shortcut: says what to select instead
    assert loaded.statusBar().currentMessage() == NEEDS_RESPONSE + "."
