"""Evidence files: attached into the database with their SHA-256, read back, and verified."""

from __future__ import annotations

import hashlib
import mimetypes
import secrets
from datetime import date
from pathlib import Path

from sqlalchemy import func, select

from app import models
from app.models import MAX_EVIDENCE_BYTES
from app.services import audit
from app.services.errors import FieldProblem, InvalidInput, NotFound, UserError
from app.services.fields import record_kind
from app.services.records import Record, to_record
from app.services.safe_files import (
    HEAD_BYTES,
    OPEN_NAME_LIMIT,
    Verdict,
    may_open,
    safe_file_name,
)
from app.services.store import Store

EVIDENCE = record_kind("evidence")
MEDIA_TYPE_LIMIT = 100  # characters of a file's type, such as application/pdf

OPEN_REFUSED = (
    "This file could run a program on this PC, so Jurisdesk does not open it. "
    "Save a copy to look at it with care."
)


class WouldRunProgram(UserError):
    """The file could run a program, so it is not opened; saving a copy remains possible."""

    def __init__(self, filename: str, verdict: Verdict) -> None:
        self.filename = filename
        self.verdict = verdict
        super().__init__(OPEN_REFUSED)


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def attach_bytes(
    store: Store,
    jurisdiction_id: int,
    filename: str,
    content: bytes,
    *,
    media_type: str | None = None,
    description: str | None = None,
    obtained_from: str | None = None,
    obtained_on: date | str | None = None,
    instrument_id: int | None = None,
) -> Record:
    values = EVIDENCE.validate(
        {
            "filename": filename,
            "description": description,
            "obtained_from": obtained_from,
            "obtained_on": obtained_on,
            "instrument_id": instrument_id,
        }
    )
    if len(content) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(
            [
                FieldProblem(
                    "content",
                    "File",
                    f"{filename} is {len(content) / 1_048_576:.1f} MB; the limit is "
                    f"{MAX_EVIDENCE_BYTES // 1_048_576} MB. Attach a smaller copy or an excerpt.",
                )
            ]
        )
    if media_type is not None and len(media_type) > MEDIA_TYPE_LIMIT:
        # What the column holds: a server refuses more, where a file would keep it.
        raise InvalidInput(
            [
                FieldProblem(
                    "media_type",
                    "Type",
                    f"is {len(media_type):,} characters long; the limit is {MEDIA_TYPE_LIMIT}.",
                )
            ]
        )
    guessed = mimetypes.guess_type(filename)[0]
    with store.transaction() as session:
        if session.get(models.Jurisdiction, jurisdiction_id) is None:
            raise NotFound(f"There is no jurisdiction with id {jurisdiction_id}.")
        if instrument_id is not None:
            instrument = session.get(models.LegalInstrument, instrument_id)
            if instrument is None or instrument.jurisdiction_id != jurisdiction_id:
                raise InvalidInput(
                    [FieldProblem("instrument_id", "Document of", "must be one of ours.")]
                )
        row = models.Evidence(
            jurisdiction_id=jurisdiction_id,
            media_type=media_type or guessed or "application/octet-stream",
            size=len(content),
            sha256=sha256_of(content),
            content=content,
            **values,
        )
        session.add(row)
        session.flush()
        audit.record(session, store.actor, "create", row, label=filename,
                     field="sha256", new=row.sha256)  # fmt: skip
        return to_record(EVIDENCE, row)


def attach_file(store: Store, jurisdiction_id: int, path: Path, **details: object) -> Record:
    """Reads a file from disk and attaches it; a missing or unreadable file is the user's to fix."""
    try:
        size = path.stat().st_size
        if size > MAX_EVIDENCE_BYTES:
            raise InvalidInput(
                [
                    FieldProblem(
                        "content",
                        "File",
                        f"{path.name} is {size / 1_048_576:.1f} MB; the limit is "
                        f"{MAX_EVIDENCE_BYTES // 1_048_576} MB.",
                    )
                ]
            )
        content = path.read_bytes()
    except OSError as exc:
        raise UserError(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return attach_bytes(store, jurisdiction_id, path.name, content, **details)  # type: ignore[arg-type]


def content_of(store: Store, evidence_id: int) -> bytes:
    with store.reading() as session:
        content = session.scalar(
            select(models.Evidence.content).where(models.Evidence.id == evidence_id)
        )
    if content is None:
        raise NotFound(f"There is no evidence with id {evidence_id}.")
    return content


def verify(store: Store, evidence_id: int) -> bool:
    """True when the stored bytes still match the SHA-256 recorded when they were attached."""
    with store.reading() as session:
        row = session.get(models.Evidence, evidence_id)
        if row is None:
            raise NotFound(f"There is no evidence with id {evidence_id}.")
        return sha256_of(row.content) == row.sha256 and len(row.content) == row.size


def verdicts(store: Store, jurisdiction_id: int) -> dict[int, Verdict]:
    """Whether each file of a jurisdiction may be opened, judged from its name and first bytes.

    Only the start of each file is read, so lists stay quick; opening judges the whole file,
    which also finds macros further inside an Office document.
    """
    e = models.Evidence
    query = select(e.id, e.filename, func.substr(e.content, 1, HEAD_BYTES)).where(
        e.jurisdiction_id == jurisdiction_id
    )
    with store.reading() as session:
        rows = session.execute(query).all()
    return {evidence_id: may_open(name, bytes(head or b"")) for evidence_id, name, head in rows}


def copy_for_opening(store: Store, evidence_id: int, folder: Path) -> Path:
    """Writes the file into folder, under a name safe on disk, for the system's viewer.

    A file that could run a program raises WouldRunProgram and nothing is written: the
    system picks the program by the copy's name, or on some systems by its content.
    """
    with store.reading() as session:
        row = session.get(models.Evidence, evidence_id)
        if row is None:
            raise NotFound(f"There is no evidence with id {evidence_id}.")
        filename, content = row.filename, row.content
    verdict = may_open(filename, content)
    if not verdict.allowed:
        raise WouldRunProgram(filename, verdict)
    name = safe_file_name(filename, limit=OPEN_NAME_LIMIT, fallback=f"evidence-{evidence_id}")
    return _write_whole(folder / name, content)


def copy_name(filename: str, evidence_id: int) -> str:
    """The name suggested when saving a copy: the attached name, made safe on disk."""
    return safe_file_name(filename, fallback=f"evidence-{evidence_id}")


def save_copy(store: Store, evidence_id: int, target: Path) -> Path:
    """Writes the stored file out, whole or not at all."""
    return _write_whole(target, content_of(store, evidence_id))


def _write_whole(target: Path, content: bytes) -> Path:
    # A short name for the part file: the target's own name may already be as long as the
    # file system allows.
    temporary = target.with_name(f".jurisdesk-{secrets.token_hex(6)}.part")
    try:
        temporary.write_bytes(content)
        temporary.replace(target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise UserError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    return target
