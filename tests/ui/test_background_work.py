"""Saves, exports and printing run off the GUI thread, report progress and can be cancelled."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

import pypdf
import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from app.progress import Cancellation, Cancelled
from app.reports import exports
from app.services import records, responses
from app.services.store import Store
from tests.helpers import make_jurisdiction
from tests.report_data import build_sample_data
from tests.ui.test_questionnaire_ui import make_city
from tests.ui.test_records_ui import choose
from ui import printing
from ui.common.operations import CANCELLING, run_with_progress, wait_for
from ui.questionnaire import ResponseEditor
from ui.questionnaire.editor import WAITING_TEXT
from ui.records.dialog import RecordDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def pdf_printer(target: Path) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    printer.setFullPage(True)
    printer.setResolution(72)  # small page images: the count is what is checked
    return printer


@pytest.fixture
def samples(store: Store) -> list[int]:
    return build_sample_data(store)


@pytest.fixture
def report(store: Store, samples: list[int], tmp_path: Path) -> Path:
    return exports.export_report(store, 1, tmp_path / "report.pdf").path


# == progress and cancel ===================================================================


def test_cancel_asks_the_work_to_stop_and_says_so_until_it_has(qtbot: QtBot) -> None:
    started, release = threading.Event(), threading.Event()
    ended: list[str] = []

    def work(progress: Any, cancellation: Cancellation) -> str:
        progress(1, 3, "Step one…")
        started.set()
        while not cancellation():
            threading.Event().wait(0.01)
        release.wait(5)  # still stopping: the dialog must keep saying so
        cancellation.check()
        return "finished"

    job = run_with_progress(
        None,
        "Working…",
        work,
        lambda result: ended.append(result),
        lambda error: ended.append(repr(error)),
        lambda: ended.append("cancelled"),
    )
    dialog = job.dialog  # type: ignore[attr-defined]
    qtbot.waitUntil(started.is_set)
    qtbot.waitUntil(lambda: dialog.labelText() == "Step one…")
    assert dialog.maximum() == 3
    dialog.cancel_button.click()
    assert dialog.labelText() == CANCELLING
    assert not dialog.cancel_button.isEnabled()
    assert ended == []
    release.set()
    qtbot.waitUntil(lambda: ended == ["cancelled"])


# == exports ===============================================================================


@pytest.mark.parametrize("format", ["pdf", "docx"])
def test_a_cancelled_letter_export_writes_no_file_and_files_nothing(
    store: Store, samples: list[int], tmp_path: Path, format: str
) -> None:
    approved = samples[0]
    before = exports.list_filings(store, approved)
    target = tmp_path / f"letter.{format}"
    cancel = Cancellation()
    stages: list[str] = []

    def progress(done: int, total: int, text: str) -> None:
        stages.append(text)
        if text.startswith("Writing"):
            cancel.cancel()  # at the last stage, before the file is moved into place

    with pytest.raises(Cancelled):
        exports.export_letter(
            store, approved, target, format=format, progress=progress, cancelled=cancel
        )
    assert stages[-1] == "Writing the file…"
    assert not target.exists()
    assert list(tmp_path.glob(".letter*")) == []  # no temporary left either
    assert exports.list_filings(store, approved) == before


def test_a_cancelled_report_export_stops_between_stages(
    store: Store, samples: list[int], tmp_path: Path
) -> None:
    cancel = Cancellation()
    stages: list[str] = []

    def progress(done: int, total: int, text: str) -> None:
        stages.append(text)
        cancel.cancel()

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(Cancelled):
        exports.export_report(store, 1, folder / "r.pdf", progress=progress, cancelled=cancel)
    assert stages == ["Reading the records…"]  # nothing laid out after the cancel
    assert list(folder.iterdir()) == []


def test_an_export_not_cancelled_reports_each_stage(
    store: Store, samples: list[int], tmp_path: Path
) -> None:
    seen: list[tuple[int, int, str]] = []
    result = exports.export_response_workbook(
        store, samples[0], tmp_path / "book.xlsx", progress=lambda *a: seen.append(a)
    )
    assert result.path.exists()
    assert [done for done, _total, _text in seen] == [0, 1]
    assert {total for _done, total, _text in seen} == {2}


# == printing ==============================================================================


class _CountedImage(QImage):
    """A page image that counts how many exist at once."""

    live = 0
    most = 0

    def __init__(self, image: QImage) -> None:
        super().__init__(image)
        type(self).live += 1
        type(self).most = max(type(self).most, type(self).live)

    def __del__(self) -> None:
        type(self).live -= 1


def counted_render(document: Any, number: int, scale: float) -> QImage:
    return _CountedImage(printing.render_page(document, number, scale))


def test_printing_sends_every_page_holding_one_image_at_a_time(
    report: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    _CountedImage.live = _CountedImage.most = 0
    printed = tmp_path / "printed.pdf"
    heard: list[str] = []
    drawn = printing.print_pages(
        pdf_printer(printed),
        report,
        progress=lambda done, total, text: heard.append(text),
        source=printing.rendered_here(counted_render),
    )
    total = len(pypdf.PdfReader(report).pages)
    assert total > 2
    assert drawn == total
    assert len(pypdf.PdfReader(printed).pages) == total
    assert _CountedImage.most == 1
    assert heard[0] == f"Printing page 1 of {total}"
    assert f"Printing page {total} of {total}" in heard


def test_printing_on_a_worker_with_progress(report: Path, tmp_path: Path, qtbot: QtBot) -> None:
    printed = tmp_path / "worker.pdf"
    done: list[int] = []
    printing.start_printing(None, pdf_printer(printed), report, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=30_000)
    assert done == [len(pypdf.PdfReader(report).pages)]
    assert len(pypdf.PdfReader(printed).pages) == done[0]


def test_cancelling_a_print_after_the_first_page_stops_it(
    report: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    rendered: list[int] = []
    cancel = Cancellation()

    def render(document: Any, number: int, scale: float) -> QImage:
        rendered.append(number)
        return printing.render_page(document, number, scale)

    def progress(done: int, total: int, text: str) -> None:
        if done == 1:
            cancel.cancel()

    printed = tmp_path / "cancelled.pdf"
    with pytest.raises(Cancelled):
        printing.print_pages(
            pdf_printer(printed),
            report,
            progress=progress,
            cancelled=cancel,
            source=printing.rendered_here(render),
        )
    assert rendered == [1]
    assert not printed.exists()  # the aborted job leaves no partial file


def test_preview_renders_on_the_pool_and_paints_page_by_page(
    report: Path, tmp_path: Path, qtbot: QtBot
) -> None:
    _CountedImage.live = _CountedImage.most = 0
    threads: set[int] = set()

    def render(document: Any, number: int, scale: float) -> QImage:
        threads.add(threading.get_ident())
        return counted_render(document, number, scale)

    printed = tmp_path / "preview.pdf"
    drawn = printing.paint_preview(
        None, pdf_printer(printed), report, source=printing.rendered_on_pool(render)
    )
    assert drawn == len(pypdf.PdfReader(printed).pages) == printing.page_count(report)
    assert threading.get_ident() not in threads
    assert _CountedImage.most == 1


# == autosave ==============================================================================


def test_autosave_waits_for_a_busy_database_without_freezing(
    qtbot: QtBot, store: Store, db_path: Path
) -> None:
    response_id = make_city(store)["response"]
    editor = ResponseEditor(store, response_id)
    qtbot.addWidget(editor)
    editor.resize(1024, 768)
    editor.show()
    qtbot.waitExposed(editor)
    key = "statement"
    editor.go_to(key)
    form = editor.pages[key].form
    assert form is not None
    assert form.value_input.text is not None

    ticks = [0]
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        qtbot.keyClicks(form.value_input.text, "Held up")
        qtbot.waitUntil(lambda: editor.save_state.text() == WAITING_TEXT, timeout=5000)
        assert editor.background_save is not None
        counted = ticks[0]
        qtbot.waitUntil(lambda: ticks[0] >= counted + 5, timeout=5000)
        qtbot.keyClicks(form.value_input.text, " and typed on")  # typing goes on meanwhile
        assert editor.save_state.text() == WAITING_TEXT
        assert editor.has_unsaved_changes()
    finally:
        holder.rollback()
        holder.close()
    # The rest typed while the first save waited is saved by the round after it.
    qtbot.waitUntil(
        lambda: (
            not editor.has_unsaved_changes()
            and editor.background_save is None
            and editor.save_state.text().startswith("Saved")
        ),
        timeout=15_000,
    )
    timer.stop()
    stored = responses.get_response(store, response_id).answer(key)
    assert stored is not None
    assert stored.value == "Held up and typed on"


# == saves the next step waits for =========================================================


def test_wait_for_returns_the_result_and_the_window_answers_meanwhile(qtbot: QtBot) -> None:
    release = threading.Event()
    ticks = [0]
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.__setitem__(0, ticks[0] + 1))
    timer.start()
    QTimer.singleShot(300, release.set)
    told: list[int] = []

    def work() -> int:
        assert release.wait(10)
        return threading.get_ident()

    worker = wait_for(work, waiting=lambda: told.append(ticks[0]), after_ms=50)
    timer.stop()
    assert worker != threading.get_ident()
    assert ticks[0] >= 5, "timers kept firing while the work ran"
    assert len(told) == 1


def test_wait_for_raises_what_the_work_raised(qtbot: QtBot) -> None:
    told: list[bool] = []

    def work() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        wait_for(work, waiting=lambda: told.append(True), after_ms=10_000)
    assert told == []  # quick work never says it waits


def test_saving_before_closing_or_a_workflow_step_waits_without_freezing(
    qtbot: QtBot, store: Store, db_path: Path
) -> None:
    """Typing not yet autosaved is saved before the editor closes or a step such as "Submit
    for review" runs (save_now): on a busy database the
    window says it waits and keeps answering, then the save and the step go through."""
    response_id = make_city(store)["response"]
    editor = ResponseEditor(store, response_id)
    qtbot.addWidget(editor)
    editor.resize(1024, 768)
    editor.show()
    qtbot.waitExposed(editor)
    key = "statement"
    editor.go_to(key)
    form = editor.pages[key].form
    assert form is not None
    assert form.value_input.text is not None
    editor.autosave.setInterval(60_000)  # the typing below is still unsaved at the save
    qtbot.keyClicks(form.value_input.text, "Typed just before saving")
    assert editor.has_unsaved_changes()

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    seen: list[str] = []
    ticks = [0]

    def tick() -> None:
        ticks[0] += 1
        seen.append(editor.save_state.text())
        if ticks[0] == 40:  # about 0.8 s later the other program lets go
            holder.rollback()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    try:
        assert editor.save_now()
    finally:
        timer.stop()
        if holder.in_transaction:
            holder.rollback()
        holder.close()
    assert ticks[0] >= 40, "the window kept answering while the save waited"
    assert WAITING_TEXT in seen
    assert not editor.has_unsaved_changes()
    stored = responses.get_response(store, response_id).answer(key)
    assert stored is not None
    assert stored.value == "Typed just before saving"


def test_a_record_dialog_saved_on_a_busy_database_waits_disabled_then_saves(
    qtbot: QtBot, store: Store, db_path: Path
) -> None:
    city = make_jurisdiction(store)
    dialog = RecordDialog(store, "instrument", parent_id=city.id)
    qtbot.addWidget(dialog)
    dialog.show()
    choose(qtbot, dialog.form.editor("instrument_type"), "Ordinance")
    choose(qtbot, dialog.form.editor("level"), "Local")
    qtbot.keyClicks(dialog.form.editor("title"), "Sanctuary Policy Ordinance")
    assert dialog.save_button.isEnabled(), dialog.form.error_text("title")

    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    disabled: list[bool] = []
    ticks = [0]

    def tick() -> None:
        ticks[0] += 1
        disabled.append(not dialog.isEnabled())
        if ticks[0] == 40:  # about 0.8 s later the other program lets go
            holder.rollback()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(tick)
    timer.start()
    saved: list[Any] = []
    dialog.saved.connect(saved.append)
    try:
        dialog.accept()
    finally:
        timer.stop()
        if holder.in_transaction:
            holder.rollback()
        holder.close()
    assert ticks[0] >= 40, "the window kept answering while the save waited"
    assert True in disabled, "the dialog could not be saved twice while it waited"
    assert dialog.isEnabled()
    assert len(saved) == 1
    stored = records.list_records(store, "instrument", city.id)
    assert [r.title for r in stored] == ["Sanctuary Policy Ordinance"]
