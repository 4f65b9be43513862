"""Export use cases the GUI and the command line call: build, write whole or not at all, file.

Every file is written to a temporary file in the target folder and moved into place with
os.replace, so a failure never leaves a half-written report where the user expects one.

Each export takes an optional `progress(done, total, text)` and `cancelled()` pair (see
app.progress): progress is reported between stages (reading the records, laying out,
writing) and a cancel is honoured up to the moment the file is moved into place. A cancelled
export raises app.progress.Cancelled and leaves no file and, for a letter, no filing.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from app import models
from app.models.base import new_uuid, utcnow
from app.progress import CancelCheck, Progress, check
from app.reports import model
from app.services import audit
from app.services.errors import NotFound, UserError
from app.services.store import Store

LETTER_KIND = "letter"


@dataclass(frozen=True)
class Filing:
    """The filed record of an approved letter."""

    id: int
    response_id: int
    kind: str
    filename: str
    size: int
    sha256: str
    filed_at: datetime
    filed_by: str
    # The audit trail's head kept with the letter when it was filed (None: filed before the
    # trail was a chain); see app.services.audit.ChainHead.
    chain_head: audit.ChainHead | None = None
    # "pdf" or "docx": which file went out.
    format: str = "pdf"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    size: int
    sha256: str
    pages: int | None = None
    # Set for an approved letter: the filing this export was recorded as (new or earlier).
    filing: Filing | None = None
    # True when an earlier filing of the same approval has different bytes, i.e. the records
    # the letter prints (facility names, instruments…) were edited after it was filed. Only a
    # response approved before Jurisdesk kept its approved record can print differently: the
    # others print from that record (app.services.approved_record).
    differs_from_earlier_filing: bool = False


def write_atomically(
    path: Path,
    content: bytes | Callable[[Path], None],
    *,
    cancelled: CancelCheck | None = None,
) -> Path:
    """Writes bytes (or lets a writer fill a temporary path) and moves the result into place.

    cancelled is asked last, just before the move: a cancel until then leaves no file.
    """
    path = Path(path).expanduser()
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UserError(f"Cannot write {path}: the folder {folder} does not exist.")
    try:
        handle, temporary_name = tempfile.mkstemp(
            prefix=f".{path.name}.", suffix=".part", dir=folder
        )
    except OSError as exc:
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    temporary = Path(temporary_name)
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(content, bytes):
                stream.write(content)
        if not isinstance(content, bytes):
            content(temporary)
        # mkstemp creates the file private to the user; a report is an ordinary document.
        os.chmod(temporary, 0o644)
        check(cancelled)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UserError(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return path


class _Stages:
    """Reports each stage of an export and stops before it if the user cancelled."""

    def __init__(self, progress: Progress | None, cancelled: CancelCheck | None, total: int):
        self.progress = progress
        self.cancelled = cancelled
        self.total = total
        self.done = 0

    def next(self, text: str) -> None:
        check(self.cancelled)
        if self.progress is not None:
            self.progress(self.done, self.total, text)
        self.done += 1


def _digest(path: Path) -> tuple[int, str]:
    content = path.read_bytes()
    return len(content), hashlib.sha256(content).hexdigest()


def _paper(paper: str) -> str:
    from app.reports.pdf import PAPERS

    if paper.lower() not in PAPERS:
        raise UserError(f"Unknown paper size “{paper}”; choose {' or '.join(PAPERS)}.")
    return paper.lower()


def _to_filing(row: models.FiledDocument) -> Filing:
    return Filing(
        id=row.id,
        response_id=row.response_id,
        kind=row.kind,
        filename=row.filename,
        size=row.size,
        sha256=row.sha256,
        filed_at=row.filed_at,
        filed_by=row.filed_by,
        chain_head=None
        if row.chain_head_sequence is None or row.chain_head_hash is None
        else audit.ChainHead(row.chain_head_sequence, row.chain_head_hash),
        format=row.format,
    )


def list_filings(store: Store, response_id: int) -> list[Filing]:
    """Documents filed for a response, oldest first."""
    query = (
        select(models.FiledDocument)
        .where(models.FiledDocument.response_id == response_id)
        .order_by(models.FiledDocument.filed_at, models.FiledDocument.id)
    )
    with store.reading() as session:
        return [_to_filing(row) for row in session.scalars(query)]


def filed_content(store: Store, filing_id: int) -> bytes:
    """The exact bytes that were filed, to re-issue the as-filed copy."""
    with store.reading() as session:
        content = session.scalar(
            select(models.FiledDocument.content).where(models.FiledDocument.id == filing_id)
        )
    if content is None:
        raise NotFound(f"There is no filed document with id {filing_id}.")
    return content


def save_filed_copy(
    store: Store,
    filing_id: int,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> Path:
    stages = _Stages(progress, cancelled, 2)
    stages.next("Reading the filed copy…")
    content = filed_content(store, filing_id)
    stages.next("Writing the file…")
    return write_atomically(path, content, cancelled=cancelled)


def _record_filing(
    store: Store,
    response_id: int,
    approved_at: datetime | None,
    filename: str,
    content: bytes,
    format: str = "pdf",
) -> tuple[Filing, bool]:
    """Files the letter unless the same bytes are already filed for this response.

    Returns the filing and whether an earlier filing since the same approval differs.
    """
    sha256 = hashlib.sha256(content).hexdigest()
    with store.transaction() as session:
        response = session.get(models.Response, response_id)
        if response is None:
            raise NotFound(f"There is no response with id {response_id}.")
        earlier = session.scalars(
            select(models.FiledDocument)
            .where(
                models.FiledDocument.response_id == response_id,
                models.FiledDocument.kind == LETTER_KIND,
            )
            .order_by(models.FiledDocument.filed_at, models.FiledDocument.id)
        ).all()
        since_approval = [
            row for row in earlier if approved_at is None or row.filed_at >= approved_at
        ]
        differs = any(row.sha256 != sha256 for row in since_approval)
        for row in earlier:
            if row.sha256 == sha256:
                # The same document filed again is the same filing: keep the first time.
                return _to_filing(row), differs
        row = models.FiledDocument(
            uuid=new_uuid(),
            response=response,
            kind=LETTER_KIND,
            format=format,
            sha256=sha256,
            filed_at=utcnow(),
            filed_by=store.actor,
            filename=filename,
            size=len(content),
            content=content,
        )
        # Recorded before the row is written: the filing entry is the chain head the letter
        # keeps, and the letter is then written once, with it.
        audit.record_filing(session, store.actor, "file", row)
        session.add(row)
        session.flush()
        return _to_filing(row), differs


LETTER_FORMATS = ("pdf", "docx")


def export_letter(
    store: Store,
    response_id: int,
    path: Path,
    *,
    paper: str = "letter",
    today: date | None = None,
    format: str = "pdf",
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> ExportResult:
    """Writes the response letter as PDF or Word; an approved response's letter is recorded
    as filed, with the format that went out (the approved record stays the source of truth:
    a Word file edited afterwards is the office's copy, not the filed one)."""
    from app.services import letters, responses

    if format not in LETTER_FORMATS:
        raise UserError(f"Unknown letter format “{format}”; choose {' or '.join(LETTER_FORMATS)}.")
    paper = _paper(paper)
    stages = _Stages(progress, cancelled, 3)
    stages.next("Reading the response…")
    letter = letters.composed_letter(store, response_id, today=today)
    pages: int | None = None
    stages.next("Laying out the letter…")
    if format == "docx":
        from app.reports.letter_docx import render_letter_docx

        content = render_letter_docx(letter)
    else:
        from app.reports.pdf import render_letter

        rendered = render_letter(letter, paper)
        content, pages = rendered.content, rendered.pages
    stages.next("Writing the file…")
    # The last moment to cancel is before the move into place: once the letter is there, its
    # filing is recorded too, so a file and its filing never part.
    target = write_atomically(path, content, cancelled=cancelled)
    sha256 = hashlib.sha256(content).hexdigest()
    filing: Filing | None = None
    differs = False
    # A database open read-only cannot record the filing; the letter is still written.
    if not letter.draft and not store.read_only:
        approved_at = responses.get_response(store, response_id).summary.approved_at
        filing, differs = _record_filing(
            store, response_id, approved_at, target.name, content, format
        )
    return ExportResult(target, len(content), sha256, pages, filing, differs)


def _jurisdiction_of_response(store: Store, response_id: int) -> int:
    with store.reading() as session:
        jurisdiction_id = session.scalar(
            select(models.Response.jurisdiction_id).where(models.Response.id == response_id)
        )
    if jurisdiction_id is None:
        raise NotFound(f"There is no response with id {response_id}.")
    return int(jurisdiction_id)


def export_report(
    store: Store,
    jurisdiction_id: int,
    path: Path,
    *,
    paper: str = "letter",
    generated_at: datetime | None = None,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> ExportResult:
    """Writes the full report of a jurisdiction (every response, record and the audit trail)."""
    from app.reports.pdf import render_report

    paper = _paper(paper)
    stages = _Stages(progress, cancelled, 3)
    stages.next("Reading the records…")
    report = model.jurisdiction_report(
        store, jurisdiction_id, generated_at=generated_at or datetime.now(UTC)
    )
    stages.next("Laying out the pages…")
    rendered = render_report(report, paper)
    stages.next("Writing the file…")
    target = write_atomically(path, rendered.content, cancelled=cancelled)
    return ExportResult(
        target, len(rendered.content), hashlib.sha256(rendered.content).hexdigest(), rendered.pages
    )


def export_report_for_response(
    store: Store,
    response_id: int,
    path: Path,
    *,
    paper: str = "letter",
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> ExportResult:
    return export_report(
        store,
        _jurisdiction_of_response(store, response_id),
        path,
        paper=paper,
        progress=progress,
        cancelled=cancelled,
    )


def export_response_workbook(
    store: Store,
    response_id: int,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> ExportResult:
    """Writes the response workbook (Summary, Answers, Facilities, Instruments, Evidence,
    History)."""
    from app.reports.excel import write_response_workbook

    stages = _Stages(progress, cancelled, 2)
    stages.next("Reading the response…")
    book = model.letter(store, response_id)
    history = audit.history(store, response_uuid=book.response.uuid)
    stages.next("Writing the workbook…")
    target = write_atomically(path, lambda temporary: write_response_workbook(
        book, history, temporary), cancelled=cancelled)  # fmt: skip
    size, sha256 = _digest(target)
    return ExportResult(target, size, sha256)


def export_comparison(
    store: Store,
    questionnaire_key: str,
    path: Path,
    *,
    progress: Progress | None = None,
    cancelled: CancelCheck | None = None,
) -> ExportResult:
    """Writes the comparison workbook of every jurisdiction's answers to one questionnaire."""
    from app.reports.excel import write_comparison

    stages = _Stages(progress, cancelled, 1)
    stages.next("Writing the comparison…")
    target = write_atomically(
        path,
        lambda temporary: write_comparison(store, questionnaire_key, temporary),
        cancelled=cancelled,
    )
    size, sha256 = _digest(target)
    return ExportResult(target, size, sha256)
