"""Print and preview draw the exported PDF's own pages onto the printer."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from app.reports import exports
from app.services.store import Store
from tests.report_data import build_sample_data
from ui.printing import build_preview, page_count, render_to_printer


def pdf_printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setFullPage(True)
    # Page count is what is checked; a low resolution keeps the page bitmaps small and quick.
    printer.setResolution(96)
    return printer


@pytest.fixture
def report(store: Store, tmp_path: Path) -> Path:
    build_sample_data(store)
    return exports.export_report(store, 1, tmp_path / "report.pdf").path


def test_printing_draws_every_page(report: Path, tmp_path: Path, qtbot: QtBot) -> None:
    printed = tmp_path / "printed.pdf"
    drawn = render_to_printer(pdf_printer(printed), report)
    assert drawn == page_count(report) == len(pypdf.PdfReader(report).pages)
    assert len(pypdf.PdfReader(printed).pages) == drawn


def test_page_range_chosen_in_the_dialog_is_honoured(
    report: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    printer = pdf_printer(tmp_path / "range.pdf")
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(2, 3)
    assert render_to_printer(printer, report) == 2
    assert len(pypdf.PdfReader(tmp_path / "range.pdf").pages) == 2


def test_preview_paints_the_same_pages(report: Path, tmp_path: Path, qtbot: QtBot) -> None:
    dialog = build_preview(None, report)
    qtbot.addWidget(dialog)
    printed = tmp_path / "preview.pdf"
    dialog.paintRequested.emit(pdf_printer(printed))
    assert len(pypdf.PdfReader(printed).pages) == page_count(report)
