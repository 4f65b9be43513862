"""Writes a large, valid exchange file fast, without a database: for import benchmarks and tests.

Most of a big exchange file is evidence (scanned letters and PDFs, base64), the rest records
and their history; the text carries non-ASCII characters, as real narratives do.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import uuid
from pathlib import Path
from typing import Any

NARRATIVE = (
    "Per the facility's written policy, ICE requests are honored only with a judicial warrant; "
    "the jail administrator keeps the records — see the 2017 memo. Señora Núñez confirmed it 📄. "
)
FACILITY_QUESTIONS = ("access", "notice", "hold")


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def big_document(
    megabytes: float,
    *,
    facilities: int = 200,
    history: int = 2_000,
    evidence_megabytes: float = 4.0,
    seed: int = 2017,
) -> dict[str, Any]:
    """An exchange document of about `megabytes` once written, most of it evidence content."""
    rng = random.Random(seed)
    home = _uuid(rng)
    document: dict[str, Any] = {
        "format": "jurisdesk-exchange",
        "format_version": 2,
        "exported_at": "2017-08-18T15:02:11.482113+00:00",
        "exported_by": "benchmark",
        "application_version": "1.0.0",
        "jurisdiction": {
            "uuid": home,
            "version": 1,
            "name": "City of Benchmark",
            "kind": "city",
            "state": "NM",
            "police_agency": "Benchmark Police Department",
            "letterhead_address": "One Civic Plaza NW\nBenchmark, NM 87102",
        },
    }
    document["facilities"] = [
        {
            "uuid": _uuid(rng),
            "version": 1,
            "name": f"Facility {n:04d} — Área {n % 7}",
            "facility_type": "jail" if n % 2 else "holding",
            "operator_type": "county" if n % 2 else "city",
            "operator_name": "Benchmark County" if n % 2 else "City of Benchmark",
            "sets_policy": not n % 2,
            "control_basis": NARRATIVE,
        }
        for n in range(facilities)
    ]
    document["instruments"] = [
        {
            "uuid": _uuid(rng),
            "version": 1,
            "instrument_type": "ordinance",
            "number": f"O-2017-{n:03d}",
            "title": f"Ordinance {n} on detainers",
            "level": "local",
            "adopted_on": "2016-05-01",
            "summary": NARRATIVE * 4,
        }
        for n in range(50)
    ]
    document["evidence"] = []
    text_size = len(json.dumps(document, ensure_ascii=False, indent=2).encode())
    # Each answer and history entry takes about 700 bytes once indented.
    remaining = megabytes * 1_048_576 - text_size - (facilities * 3 + history) * 700
    piece = int(evidence_megabytes * 1_048_576 * 3 / 4)  # base64 adds a third
    number = 0
    while remaining > 1024:
        size = max(1, min(piece, int(remaining * 3 / 4)))
        content = rng.randbytes(size)
        document["evidence"].append(
            {
                "uuid": _uuid(rng),
                "version": 1,
                "filename": f"scan-{number:03d}.pdf",
                "description": "Scanned letter",
                "media_type": "application/pdf",
                "size": size,
                "sha256": hashlib.sha256(content).hexdigest(),
                "content_base64": base64.b64encode(content).decode("ascii"),
            }
        )
        remaining -= size * 4 / 3 + 400
        number += 1
    response = _uuid(rng)
    document["responses"] = [
        {
            "uuid": response,
            "version": 1,
            "questionnaire_key": "doj-psp-2017",
            "questionnaire_version": 1,
            "status": "draft",
            "prepared_by": "benchmark",
            "answers": [
                {
                    "uuid": _uuid(rng),
                    "question_key": key,
                    "facility": facility["uuid"],
                    "value": "no",
                    "basis": "written",
                    "narrative": NARRATIVE,
                    "as_of": "2017-08-10",
                    "instruments": [document["instruments"][0]["uuid"]],
                    "evidence": [document["evidence"][0]["uuid"]] if document["evidence"] else [],
                }
                for facility in document["facilities"]
                for key in FACILITY_QUESTIONS
            ],
        }
    ]
    document["audit"] = [
        {
            "at": f"2017-08-{1 + n % 28:02d}T12:00:{n % 60:02d}.{n:06d}+00:00",
            "actor": "benchmark",
            "action": "update",
            "entity_kind": "facility",
            "entity_uuid": document["facilities"][n % facilities]["uuid"],
            "entity_label": document["facilities"][n % facilities]["name"],
            "field": "control_basis",
            "old_value": NARRATIVE,
            "new_value": NARRATIVE + "Reviewed.",
        }
        for n in range(history)
    ]
    return document


def write_big_file(path: Path, megabytes: float, **options: Any) -> Path:
    """The document of big_document(), written as Jurisdesk's export writes it."""
    document = big_document(megabytes, **options)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        json.dump(document, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path
