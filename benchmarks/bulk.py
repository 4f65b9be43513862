"""Builds large databases fast for benchmarks: bulk inserts of realistic rows."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

from sqlalchemy import insert, text

from app import models
from app.locations import Location
from app.models.base import utcnow
from app.services.store import Store, open_store

STATES = ["NM", "MD", "CA", "TX", "NY", "IL", "OH", "GA", "WA", "AZ"]
RESULT_CHOICES = ["yes", "partial", "no", "outside_control", "unknown"]


def _common() -> dict[str, object]:
    now = utcnow()
    return {"uuid": str(uuid.uuid4()), "version": 1, "created_at": now, "updated_at": now}


def populate(
    path: Location,
    *,
    jurisdictions: int = 1000,
    facilities_per_jurisdiction: int = 5,
    responses: int = 3000,
    seed: int = 2017,
) -> Store:
    """A database with the given counts; responses answer the PSP letter for every facility.
    path: a file, or an empty office database on a PostgreSQL server."""
    rng = random.Random(seed)
    store = open_store(path, actor="benchmark")
    with store.transaction() as session:
        session.execute(
            insert(models.Jurisdiction),
            [
                {
                    **_common(),
                    "id": j,
                    "name": f"City of Benchmark {j:04d}",
                    "kind": "city",
                    "state": STATES[j % len(STATES)],
                    "population": rng.randint(20_000, 900_000),
                    "police_agency": f"Benchmark {j:04d} Police Department",
                }
                for j in range(1, jurisdictions + 1)
            ],
        )
        facility_rows = []
        for j in range(1, jurisdictions + 1):
            for n in range(facilities_per_jurisdiction):
                county = n % 2 == 0
                facility_rows.append(
                    {
                        **_common(),
                        "id": len(facility_rows) + 1,
                        "jurisdiction_id": j,
                        "name": f"Facility {n + 1} of {j:04d}",
                        "facility_type": "jail" if county else "holding",
                        "operator_type": "county" if county else "city",
                        "operator_name": f"County {j:04d}" if county else f"City {j:04d}",
                        "sets_policy": not county,
                    }
                )
        session.execute(insert(models.Facility), facility_rows)
        request_rows = [
            {
                **_common(),
                "id": j,
                "jurisdiction_id": j,
                "program": "Public Safety Partnership (PSP)",
                "fiscal_year": 2017,
                "issuing_office": "U.S. Department of Justice, Office of Justice Programs",
                "letter_date": date(2017, 8, 3),
                "due_on": date(2017, 8, 18) + timedelta(days=j % 60),
            }
            for j in range(1, jurisdictions + 1)
        ]
        session.execute(insert(models.FederalRequest), request_rows)
        response_rows = []
        answer_rows = []
        statuses = ["draft", "draft", "in_review", "approved", "submitted"]
        for r in range(1, responses + 1):
            j = (r - 1) % jurisdictions + 1
            response_rows.append(
                {
                    **_common(),
                    "id": r,
                    "jurisdiction_id": j,
                    "request_id": j,
                    "questionnaire_key": "doj-psp-2017",
                    "questionnaire_version": 1,
                    "status": statuses[r % len(statuses)],
                    "prepared_by": "benchmark",
                }
            )
            first_facility = (j - 1) * facilities_per_jurisdiction + 1
            for question in ("access", "notice", "hold"):
                for f in range(first_facility, first_facility + facilities_per_jurisdiction):
                    if rng.random() < 0.1:
                        continue  # some answers missing, as in real drafts
                    result = rng.choice(RESULT_CHOICES)
                    answer_rows.append(
                        {
                            **_common(),
                            "response_id": r,
                            "question_key": question,
                            "facility_id": f,
                            "slot": f"{question}@{f}",
                            "value": f'"{result}"',
                            "result": result,
                            "narrative": "Per the facility's written policy. " * rng.randint(1, 8),
                        }
                    )
        session.execute(insert(models.Response), response_rows)
        session.execute(insert(models.Answer), answer_rows)
        if store.server is not None:
            # The rows above were given their ids: move PostgreSQL's sequences past them, as
            # SQLite's next rowid is, so what is created later gets the next free id.
            for model in (
                models.Jurisdiction,
                models.Facility,
                models.FederalRequest,
                models.Response,
            ):
                table = model.__tablename__
                session.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    return store
