"""Printing and print preview of exported PDFs: the paper shows exactly the PDF's pages.

Each page is rasterised with pdfium (the same renderer as the PDF export's checks) and drawn
onto the printer, so print, preview and the saved PDF can never disagree about layout.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRectF, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

# A page bitmap at a 1200-dpi printer's full resolution would take about 0.5 GB; 300 dpi is
# already finer than the eye resolves on paper and keeps one page near 35 MB.
MAX_RENDER_DPI = 300
# pdfium keeps global state and is not thread-safe: one document is read at a time.
PDFIUM_LOCK = threading.RLock()


def page_count(pdf_path: Path) -> int:
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            return len(document)
        finally:
            document.close()


def _page_image(page: pdfium.PdfPage, dpi: float) -> QImage:
    bitmap = page.render(scale=dpi / 72, prefer_bgrx=True)
    try:
        # BGRx bytes are Qt's RGB32 on little-endian machines; copy() detaches from pdfium's
        # buffer, which is freed with the bitmap.
        image = QImage(
            bitmap.buffer,
            bitmap.width,
            bitmap.height,
            bitmap.stride,
            QImage.Format.Format_RGB32,
        ).copy()
    finally:
        bitmap.close()
    return image


def page_images(pdf: bytes | Path, dpi: float) -> list[QImage]:
    """Every page of the PDF as an image at dpi; QImage (not QPixmap), so it may be made off
    the GUI thread (pdfium itself is not thread-safe, so this holds PDFIUM_LOCK)."""
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))
        try:
            images = []
            for index in range(len(document)):
                page = document[index]
                try:
                    images.append(_page_image(page, dpi))
                finally:
                    page.close()
            return images
        finally:
            document.close()


def render_to_printer(printer: QPrinter, pdf_path: Path) -> int:
    """Draws the PDF's pages (or the range chosen in the print dialog) onto the printer.

    Returns the number of pages drawn. Each page is scaled to the printable area, keeping its
    proportions, and centred.
    """
    with PDFIUM_LOCK:  # a letter preview may be rendering on a pool thread meanwhile
        return _render_to_printer(printer, pdf_path)


def _render_to_printer(printer: QPrinter, pdf_path: Path) -> int:
    document = pdfium.PdfDocument(str(pdf_path))
    try:
        total = len(document)
        first, last = 1, total
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = max(1, printer.fromPage())
            last = min(total, printer.toPage() or total)
        dpi = min(float(printer.resolution()), MAX_RENDER_DPI)
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("The printer could not be started.")
        drawn = 0
        try:
            for number in range(first, last + 1):
                if drawn:
                    printer.newPage()
                page = document[number - 1]
                try:
                    width_pt, height_pt = page.get_size()
                    image = _page_image(page, dpi)
                finally:
                    page.close()
                area = printer.pageLayout().paintRectPixels(printer.resolution())
                target_w = width_pt / 72 * printer.resolution()
                target_h = height_pt / 72 * printer.resolution()
                scale = min(area.width() / target_w, area.height() / target_h, 1.0)
                w, h = target_w * scale, target_h * scale
                x = (area.width() - w) / 2
                y = (area.height() - h) / 2
                painter.drawImage(QRectF(x, y, w, h), image)
                drawn += 1
        finally:
            painter.end()
        return drawn
    finally:
        document.close()


def _printer_for(pdf_path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(pdf_path.stem)
    # Start on the PDF's own paper (Letter or A4); the user may still pick another in the dialog.
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(str(pdf_path))
        try:
            size = document.get_page_size(0) if len(document) else None
        finally:
            document.close()
    if size is not None:
        width, height = size
        printer.setPageSize(QPageSize(QSizeF(width, height), QPageSize.Unit.Point))
        landscape = width > height
        orientation = (
            QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
        )
        printer.setPageOrientation(orientation)
    # Full page: the PDF already has its margins; the printer's own are added by the driver.
    printer.setFullPage(True)
    return printer


def print_pdf(parent: QWidget | None, pdf_path: Path) -> bool:
    """Shows the print dialog and prints the PDF's pages; False when the user cancels."""
    printer = _printer_for(pdf_path)
    dialog = QPrintDialog(printer, parent)
    dialog.setMinMax(1, page_count(pdf_path))
    dialog.setWindowTitle(f"Print {pdf_path.name}")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    render_to_printer(printer, pdf_path)
    return True


def build_preview(parent: QWidget | None, pdf_path: Path) -> QPrintPreviewDialog:
    """The print preview dialog for the PDF, not yet shown (tests drive it directly)."""
    printer = _printer_for(pdf_path)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview — {pdf_path.name}")
    dialog.paintRequested.connect(lambda target: render_to_printer(target, pdf_path))
    # The printer must live as long as the dialog that paints on it.
    dialog._printer = printer  # type: ignore[attr-defined]  # keeps the wrapper alive
    return dialog


def preview_pdf(parent: QWidget | None, pdf_path: Path) -> None:
    """Shows the print preview; printing from it prints the same pages."""
    build_preview(parent, pdf_path).exec()
