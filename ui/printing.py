"""Printing and print preview of exported PDFs: the paper shows exactly the PDF's pages.

Each page is rasterised with pdfium (the same renderer as the PDF export's checks) and drawn
onto the printer, so print, preview and the saved PDF can never disagree about layout.

Page by page, never the whole document: a page is rendered at the size it takes on the
printer's own device pixels (the printer's resolution, up to MAX_RENDER_DPI), drawn, and let
go before the next one is rendered, so one page image is held at a time and the print job
grows page by page as the printer takes it.

Printing runs on a pool thread (Qt supports QPainter on a QPrinter outside the GUI thread),
with "Printing page x of y" and a Cancel that stops drawing and aborts the job. The print
preview paints on the GUI thread, because QPrintPreviewDialog asks for its pages there and
expects them painted when paintRequested returns: each page image is rendered on a pool
thread and painted when it arrives, while the window keeps answering and Cancel works.

Vector output is not possible here: Qt can draw a PDF's pages only through QtPdf, which
rasterises too, and pdfium renders to bitmaps. A printer's own PDF handling (sending the file
to the spooler) would keep vectors, but is outside what QPrinter offers.

pypdfium2 is imported inside the functions, so nothing of printing loads at start-up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEventLoop, QObject, QRectF, QSizeF, Qt, QThreadPool, Signal
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from app.progress import CancelCheck, Cancellation, Cancelled, Progress, check

if TYPE_CHECKING:
    import pypdfium2 as pdfium

# A page bitmap at a 1200-dpi printer's full resolution would take about 0.5 GB; 300 dpi is
# already finer than the eye resolves on paper and keeps one page near 35 MB.
MAX_RENDER_DPI = 300
# pdfium keeps global state and is not thread-safe: every pdfium call holds this lock. It is
# held for one page at a time, so a print in progress never blocks others for long.
PDFIUM_LOCK = threading.RLock()


def _open(pdf: bytes | Path) -> pdfium.PdfDocument:
    import pypdfium2 as pdfium

    return pdfium.PdfDocument(pdf if isinstance(pdf, bytes) else str(pdf))


def page_count(pdf_path: Path) -> int:
    with PDFIUM_LOCK:
        document = _open(pdf_path)
        try:
            return len(document)
        finally:
            document.close()


def _bitmap_image(page: pdfium.PdfPage, scale: float) -> QImage:
    bitmap = page.render(scale=scale, prefer_bgrx=True)
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


def _page_image(page: pdfium.PdfPage, dpi: float) -> QImage:
    return _bitmap_image(page, dpi / 72)


def page_images(pdf: bytes | Path, dpi: float) -> list[QImage]:
    """Every page of the PDF as an image at dpi; QImage (not QPixmap), so it may be made off
    the GUI thread (pdfium itself is not thread-safe, so this holds PDFIUM_LOCK). For a few
    pages only (the letter preview): printing goes page by page (print_pages)."""
    with PDFIUM_LOCK:
        document = _open(pdf)
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


# == the page pipeline =====================================================================


@dataclass(frozen=True)
class Placement:
    """Where a PDF page lands on the printer, in the printer's device pixels."""

    target: QRectF
    scale: float  # pdfium's render scale: image pixels per PDF point


def placement(printer: QPrinter, width_pt: float, height_pt: float) -> Placement:
    """The page scaled to the printable area, keeping its proportions, and centred; rendered
    at the printer's resolution (up to MAX_RENDER_DPI), so the image is drawn pixel for
    pixel rather than resampled."""
    resolution = printer.resolution()
    area = printer.pageLayout().paintRectPixels(resolution)
    target_w = width_pt / 72 * resolution
    target_h = height_pt / 72 * resolution
    fit = min(area.width() / target_w, area.height() / target_h, 1.0)
    w, h = target_w * fit, target_h * fit
    x = (area.width() - w) / 2
    y = (area.height() - h) / 2
    dpi = min(resolution * fit, MAX_RENDER_DPI)
    return Placement(QRectF(x, y, w, h), dpi / 72)


def page_range(printer: QPrinter, total: int) -> range:
    """The pages to print: all, or the range chosen in the print dialog."""
    first, last = 1, total
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first = max(1, printer.fromPage())
        last = min(total, printer.toPage() or total)
    return range(first, last + 1)


#: Renders page `number` (1-based) of the open document at `scale`; holds PDFIUM_LOCK.
PageRenderer = Callable[[Any, int, float], QImage]


def render_page(document: Any, number: int, scale: float) -> QImage:
    with PDFIUM_LOCK:
        page = document[number - 1]
        try:
            return _bitmap_image(page, scale)
        finally:
            page.close()


def _page_sizes(document: Any, numbers: range) -> dict[int, tuple[float, float]]:
    with PDFIUM_LOCK:
        return {n: document.get_page_size(n - 1) for n in numbers}


#: Yields (number, image) for each page asked for; the caller draws each before the next.
PageSource = Callable[[Any, list[tuple[int, float]], CancelCheck], Iterator[tuple[int, QImage]]]


def rendered_here(
    render: PageRenderer = render_page,
) -> PageSource:
    """Pages rendered in the thread that paints them (printing, on its worker)."""

    def source(
        document: Any, pages: list[tuple[int, float]], cancelled: CancelCheck
    ) -> Iterator[tuple[int, QImage]]:
        for number, scale in pages:
            check(cancelled)
            yield number, render(document, number, scale)

    return source


class _Delivery(QObject):
    arrived = Signal(object)


def rendered_on_pool(render: PageRenderer = render_page) -> PageSource:
    """Pages rendered on a pool thread, one at a time, for a painter on the GUI thread.

    While a page renders the GUI thread runs its events (the window answers, Cancel is
    heard); the next page is asked for only after the previous one has been drawn.
    """

    def source(
        document: Any, pages: list[tuple[int, float]], cancelled: CancelCheck
    ) -> Iterator[tuple[int, QImage]]:
        delivery = _Delivery()
        loop = QEventLoop()
        box: list[object] = []

        def arrived(item: object) -> None:
            box.append(item)
            loop.quit()

        delivery.arrived.connect(arrived)
        try:
            for number, scale in pages:
                check(cancelled)

                def work(number: int = number, scale: float = scale) -> None:
                    try:
                        item: object = render(document, number, scale)
                    except BaseException as exc:  # raised again on the GUI thread
                        item = exc
                    delivery.arrived.emit(item)

                QThreadPool.globalInstance().start(work)
                # Always waits for the page under way: the document stays open until then.
                while not box:
                    loop.exec()
                item = box.pop()
                if isinstance(item, BaseException):
                    raise item
                assert isinstance(item, QImage)
                yield number, item
                del item
        finally:
            delivery.arrived.disconnect(arrived)
            delivery.deleteLater()

    return source


def print_pages(
    printer: QPrinter,
    pdf_path: Path,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
    source: PageSource | None = None,
    abort_on_cancel: bool = True,
) -> int:
    """Draws the PDF's pages (or the range chosen in the print dialog) onto the printer,
    one page image at a time; returns the number of pages drawn.

    progress hears "Printing page x of y" before each page; when cancelled() turns true the
    drawing stops, the print job is aborted and Cancelled is raised.
    """
    source = source or rendered_here()
    is_cancelled = cancelled or (lambda: False)
    with PDFIUM_LOCK:
        document = _open(pdf_path)
    try:
        with PDFIUM_LOCK:
            total = len(document)
        numbers = page_range(printer, total)
        sizes = _page_sizes(document, numbers)
        places = {n: placement(printer, *sizes[n]) for n in numbers}
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("The printer could not be started.")
        drawn = 0
        aborted = False
        count = len(numbers)
        try:
            pages = [(n, places[n].scale) for n in numbers]
            if progress is not None:
                progress(0, count, f"Printing page 1 of {count}")
            for number, image in source(document, pages, is_cancelled):
                if drawn:
                    printer.newPage()
                painter.drawImage(places[number].target, image)
                del image  # one page image at a time: gone before the next is rendered
                drawn += 1
                if progress is not None and drawn < count:
                    progress(drawn, count, f"Printing page {drawn + 1} of {count}")
            if progress is not None:
                progress(drawn, count, f"Printed {drawn} of {count} pages")
        except Cancelled:
            if abort_on_cancel:
                aborted = True
                printer.abort()
            raise
        finally:
            if painter.isActive():
                painter.end()
            if aborted:
                _discard_output(printer)
        return drawn
    finally:
        with PDFIUM_LOCK:
            document.close()


def _discard_output(printer: QPrinter) -> None:
    """A cancelled print to a file leaves no partial file (a printer drops the aborted job)."""
    name = printer.outputFileName()
    if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and name:
        Path(name).unlink(missing_ok=True)


def render_to_printer(printer: QPrinter, pdf_path: Path) -> int:
    """Draws the PDF's pages (or the chosen range) onto the printer, in this thread."""
    return print_pages(printer, pdf_path)


# == dialogs ===============================================================================


def _printer_for(pdf_path: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(pdf_path.stem)
    # Start on the PDF's own paper (Letter or A4); the user may still pick another in the dialog.
    with PDFIUM_LOCK:
        document = _open(pdf_path)
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


def choose_printer(parent: QWidget | None, pdf_path: Path) -> QPrinter | None:
    """The print dialog for the PDF; the printer as chosen, or None when the user cancels."""
    printer = _printer_for(pdf_path)
    dialog = QPrintDialog(printer, parent)
    dialog.setMinMax(1, page_count(pdf_path))
    dialog.setWindowTitle(f"Print {pdf_path.name}")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return None
    return printer


def start_printing(
    parent: QWidget | None,
    printer: QPrinter,
    pdf_path: Path,
    on_printed: Callable[[int], None],
    on_failure: Callable[[BaseException], None] | None = None,
    on_cancelled: Callable[[], None] | None = None,
) -> object:
    """Prints on a pool thread with "Printing page x of y" and Cancel; returns the job.

    The printer is used by that thread only until one of the callbacks runs.
    """
    from ui.common.operations import run_with_progress

    def work(progress: Progress, cancellation: Cancellation) -> int:
        return print_pages(printer, pdf_path, progress=progress, cancelled=cancellation)

    return run_with_progress(
        parent,
        f"Printing {pdf_path.stem}…",
        work,
        on_printed,
        on_failure,
        on_cancelled,
    )


def print_pdf(parent: QWidget | None, pdf_path: Path) -> bool:
    """Shows the print dialog and prints the PDF's pages, waiting for the end; False when
    the user cancels. The window keeps answering meanwhile (see start_printing)."""
    printer = choose_printer(parent, pdf_path)
    if printer is None:
        return False
    loop = QEventLoop()
    outcome: list[object] = []

    def done(result: object) -> None:
        outcome.append(result)
        loop.quit()

    start_printing(parent, printer, pdf_path, done, done, lambda: done(Cancelled()))
    while not outcome:
        loop.exec()
    if isinstance(outcome[0], Cancelled):
        return False
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return True


def paint_preview(
    parent: QWidget | None, printer: QPrinter, pdf_path: Path, *, source: PageSource | None = None
) -> int:
    """Paints the PDF's pages for the preview, in the GUI thread as the preview requires;
    each page is rendered on a pool thread, with a progress dialog and Cancel (a cancelled
    preview shows the pages painted so far)."""
    from ui.common.operations import ProgressDialog

    cancellation = Cancellation()
    dialog = ProgressDialog(f"Preparing the preview of {pdf_path.stem}…", parent, cancellation)
    # The preview's own buttons wait: it must not ask for its pages again meanwhile.
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    try:
        return print_pages(
            printer,
            pdf_path,
            progress=dialog.report,
            cancelled=cancellation,
            source=source or rendered_on_pool(),
            abort_on_cancel=False,
        )
    except Cancelled:
        return 0
    finally:
        dialog.finish()


def build_preview(parent: QWidget | None, pdf_path: Path) -> QPrintPreviewDialog:
    """The print preview dialog for the PDF, not yet shown (tests drive it directly)."""
    printer = _printer_for(pdf_path)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(f"Print preview — {pdf_path.name}")
    dialog.paintRequested.connect(lambda target: paint_preview(dialog, target, pdf_path))
    # The printer must live as long as the dialog that paints on it.
    dialog._printer = printer  # type: ignore[attr-defined]  # keeps the wrapper alive
    return dialog


def preview_pdf(parent: QWidget | None, pdf_path: Path) -> None:
    """Shows the print preview; printing from it prints the same pages."""
    build_preview(parent, pdf_path).exec()
