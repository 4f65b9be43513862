"""Export: one jurisdiction and everything that belongs to it, as the exchange document."""

from __future__ import annotations

import base64
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

import app
from app import models
from app.letter import edits
from app.models.base import Entity, utcnow
from app.services.errors import InvalidInput, NotFound, UserError
from app.services.exchange.format import (
    COUNT_KEYS,
    FORMAT,
    FORMAT_VERSION,
    MAX_FILE_BYTES,
    SECTIONS,
    describe_size,
    member_name,
)
from app.services.exchange.results import ExportResult
from app.services.fields import RECORD_KINDS, FieldKind, RecordKind
from app.services.store import Store


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _record_out(kind: RecordKind, row: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {"uuid": row.uuid, "version": row.version}
    for spec in kind.fields:
        if spec.kind is FieldKind.REFERENCE:
            # The relationship is named like the member (evidence.instrument, statistic.facility).
            target = getattr(row, member_name(spec))
            out[member_name(spec)] = target.uuid if target is not None else None
        else:
            out[spec.name] = _plain(getattr(row, spec.name))
    return out


def _by_id(rows: Sequence[Any]) -> list[Any]:
    # Creation order reads naturally and survives a round trip (import creates in file order).
    return sorted(rows, key=lambda row: row.id)


def _answer_out(row: models.Answer) -> dict[str, Any]:
    return {
        "uuid": row.uuid,
        "version": row.version,
        "question_key": row.question_key,
        "facility": row.facility.uuid if row.facility is not None else None,
        "value": None if row.value is None else json.loads(row.value),
        "result": row.result,
        "basis": row.basis,
        "narrative": row.narrative,
        "conditions": row.conditions,
        "as_of": _plain(row.as_of),
        "information_source": row.information_source,
        "instruments": sorted(i.uuid for i in row.instruments),
        "evidence": sorted(e.uuid for e in row.evidence),
    }


def _filed_out(row: models.FiledDocument) -> dict[str, Any]:
    return {
        "uuid": row.uuid,
        "kind": row.kind,
        "sha256": row.sha256,
        "filed_at": _plain(row.filed_at),
        "filed_by": row.filed_by,
        "filename": row.filename,
        "format": row.format,
        "size": row.size,
        "content_base64": base64.b64encode(row.content).decode("ascii"),
    }


def _filings(session: Session, responses: Sequence[models.Response]) -> dict[int, list[Any]]:
    """The documents filed for each response, oldest first, with their bytes."""
    by_response: dict[int, list[Any]] = {row.id: [] for row in responses}
    if by_response:
        query = (
            select(models.FiledDocument)
            .where(models.FiledDocument.response_id.in_(list(by_response)))
            .options(undefer(models.FiledDocument.content))
            .order_by(models.FiledDocument.filed_at, models.FiledDocument.id)
        )
        for filed in session.scalars(query):
            by_response[filed.response_id].append(_filed_out(filed))
    return by_response


def _letter_out(row: models.Response) -> dict[str, Any] | None:
    """What the office changed in the response's letter, or None: the letter as drafted."""
    if row.letter_edits is None:
        return None
    try:
        changed = edits.from_text(row.letter_edits)
    except (InvalidInput, ValueError) as exc:
        raise UserError(
            f"The letter of the {row.questionnaire_key} response ({row.uuid}) cannot be read "
            f"from the database ({exc}); open it in Jurisdesk, correct the letter and export "
            "again."
        ) from exc
    return None if changed.empty else changed.to_json()


def _response_out(row: models.Response, filed: list[Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "uuid": row.uuid,
        "version": row.version,
        "questionnaire_key": row.questionnaire_key,
        "questionnaire_version": row.questionnaire_version,
        "status": row.status,
        "prepared_by": row.prepared_by,
        "reviewed_by": row.reviewed_by,
        "approved_by": row.approved_by,
        "approver_title": row.approver_title,
        "approved_at": _plain(row.approved_at),
        "submitted_on": _plain(row.submitted_on),
        "submission_method": row.submission_method,
        "notes": row.notes,
        "request": row.request.uuid if row.request is not None else None,
        "answers": [_answer_out(a) for a in _by_id(row.answers)],
    }
    # Only when the office changed something: left out, the letter is as Jurisdesk drafts it.
    letter = _letter_out(row)
    if letter is not None:
        out["letter"] = letter
    # The JSON text kept at approval, as stored: byte for byte what the letter prints from.
    out["approved_record"] = row.approved_snapshot
    out["filed"] = filed
    return out


def _audit_out(row: models.AuditEntry) -> dict[str, Any]:
    return {
        "at": _plain(row.at),
        "actor": row.actor,
        "action": row.action,
        "entity_kind": row.entity_kind,
        "entity_uuid": row.entity_uuid,
        "entity_label": row.entity_label,
        "response_uuid": row.response_uuid,
        "field": row.field,
        "old_value": row.old_value,
        "new_value": row.new_value,
    }


def export_document(store: Store, jurisdiction_id: int) -> dict[str, Any]:
    """The exchange document of one jurisdiction, ready for json.dumps."""
    with store.reading() as session:
        jurisdiction = session.get(models.Jurisdiction, jurisdiction_id)
        if jurisdiction is None:
            raise NotFound(f"There is no jurisdiction with id {jurisdiction_id}.")
        document: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "exported_at": utcnow().isoformat(),
            "exported_by": store.actor,
            "application_version": app.__version__,
            "jurisdiction": _record_out(RECORD_KINDS["jurisdiction"], jurisdiction),
        }
        for section, kind_key in SECTIONS:
            kind = RECORD_KINDS[kind_key]
            rows = _by_id(getattr(jurisdiction, section))
            document[section] = [_record_out(kind, row) for row in rows]
        for row, out in zip(_by_id(jurisdiction.evidence), document["evidence"], strict=True):
            out["media_type"] = row.media_type
            out["size"] = row.size
            out["sha256"] = row.sha256
            out["content_base64"] = base64.b64encode(row.content).decode("ascii")
        condition_kind = RECORD_KINDS["condition"]
        for row, out in zip(_by_id(jurisdiction.awards), document["awards"], strict=True):
            out["conditions"] = [_record_out(condition_kind, c) for c in _by_id(row.conditions)]
        kept = _by_id(jurisdiction.responses)
        filed = _filings(session, kept)
        document["responses"] = [_response_out(r, filed[r.id]) for r in kept]
        history = session.scalars(
            select(models.AuditEntry)
            .where(models.AuditEntry.jurisdiction_uuid == jurisdiction.uuid)
            .order_by(models.AuditEntry.at, models.AuditEntry.id)
        )
        document["audit"] = [_audit_out(entry) for entry in history]
    return document


def document_counts(document: Mapping[str, Any]) -> dict[str, int]:
    counts = {key: len(document.get(key) or ()) for key in COUNT_KEYS}
    counts["jurisdiction"] = 1
    counts["conditions"] = sum(len(a.get("conditions") or ()) for a in document["awards"])
    counts["answers"] = sum(len(r.get("answers") or ()) for r in document["responses"])
    counts["filed"] = sum(len(r.get("filed") or ()) for r in document["responses"])
    return counts


def _utf8_size(text: str) -> int:
    if text.isascii():
        return len(text)
    step = 1_048_576  # a piece at a time: encoding it whole would copy all of it at once
    return sum(len(text[at : at + step].encode("utf-8")) for at in range(0, len(text), step))


def export_jurisdiction(store: Store, jurisdiction_id: int, path: Path) -> ExportResult:
    """Writes the jurisdiction's exchange file, whole or not at all."""
    # Built before the file is opened, so a bad id leaves no file behind.
    document = export_document(store, jurisdiction_id)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    size = _utf8_size(text)
    if size > MAX_FILE_BYTES:
        # Refused rather than written: no Jurisdesk could import it.
        raise UserError(
            f"{document['jurisdiction']['name']} would make an exchange file of "
            f"{describe_size(size)}; Jurisdesk imports files of up to "
            f"{describe_size(MAX_FILE_BYTES)}. Its evidence files take most of it: keep the "
            "largest outside Jurisdesk (with a note of where) and export again."
        )
    temporary: Path | None = None
    try:
        with tempfile.NamedTemporaryFile(
            "w",
            encoding="utf-8",
            newline="\n",
            dir=path.parent,
            prefix=f".{path.name}.",
            suffix=".part",
            delete=False,
        ) as handle:
            temporary = Path(handle.name)
            handle.write(text)
            handle.flush()
            # On disk before the rename, so a power cut never leaves a truncated file behind.
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        raise UserError(
            f"Cannot write {path}: {exc.strerror or exc}. "
            "Choose a folder you can write to (and that exists) and export again."
        ) from exc
    return ExportResult(path=path, counts=document_counts(document))
