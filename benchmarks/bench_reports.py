"""How long the big exports take, and how much memory, relative to writing the same rows as CSV.

Two cases: the full PDF report of a jurisdiction with 50 facilities and 20 responses, and the
comparison workbook of 1,000 jurisdictions. Each is timed once, then run again under tracemalloc
for its peak memory; the floor is writing the same number of plain rows with the csv module,
measured in the same run, so the ratios hold across machines.
"""

from __future__ import annotations

import csv
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from app import models, questionnaires
from app.reports import exports
from app.services.store import Store, open_store

PSP = "doj-psp-2017"
QUESTIONS = ("access", "notice", "hold")
RESULTS = ("yes", "no", "partial", "outside_control")
NARRATIVE = (
    "The facility is operated under the county's written policy; ICE requests are reviewed "
    "case by case and honored only with a judicial warrant. Records of requests are kept by "
    "the jail administrator and were supplied in answer to a public-records request. "
)


@dataclass(frozen=True)
class Measure:
    label: str
    rows: int
    seconds: float
    peak_bytes: int


def _jurisdiction(session: object, number: int, facilities: int) -> models.Jurisdiction:
    j = models.Jurisdiction(
        name=f"City {number:04d}",
        kind="city",
        state="NM",
        police_agency=f"City {number:04d} Police Department",
        letterhead_address="1 Main Street\nSomewhere, NM",
    )
    for f in range(facilities):
        j.facilities.append(
            models.Facility(
                name=f"Facility {f:02d} of city {number:04d}",
                facility_type="jail" if f % 2 else "holding",
                operator_type="county" if f % 2 else "city",
                operator_name="The County" if f % 2 else f"City {number:04d}",
                sets_policy=not f % 2,
                control_basis="Set by charter." if f % 3 == 0 else None,
            )
        )
    session.add(j)  # type: ignore[attr-defined]
    return j


def _response(session: object, j: models.Jurisdiction, index: int) -> int:
    definition = questionnaires.latest(PSP)
    response = models.Response(
        jurisdiction=j,
        questionnaire_key=PSP,
        questionnaire_version=definition.version,
        status="draft",
        prepared_by="Benchmark",
    )
    session.add(response)  # type: ignore[attr-defined]
    answers = 0
    for q, key in enumerate(QUESTIONS):
        for f, facility in enumerate(j.facilities):
            result = RESULTS[(index + q + f) % len(RESULTS)]
            response.answers.append(
                models.Answer(
                    question_key=key,
                    facility=facility,
                    slot=f"{key}@{facility.id}",
                    value=f'"{result}"',
                    result=result,
                    basis="written",
                    narrative=NARRATIVE,
                    as_of=date(2017, 8, 10),
                    information_source="Jail administrator",
                )
            )
            answers += 1
    return answers


def build_big_jurisdiction(
    store: Store, facilities: int = 50, responses: int = 20
) -> tuple[int, int]:
    with store.transaction() as session:
        j = _jurisdiction(session, 0, facilities)
        session.flush()
        answers = sum(_response(session, j, i) for i in range(responses))
        session.flush()
        return j.id, answers


def build_many_jurisdictions(store: Store, count: int = 1000, facilities: int = 2) -> int:
    answers = 0
    with store.transaction() as session:
        for number in range(1, count + 1):
            j = _jurisdiction(session, number, facilities)
            session.flush()
            answers += _response(session, j, number)
    return answers


def _measure(label: str, rows: int, run: Callable[[], object]) -> Measure:
    print(f"  {label}: timing, then peak memory under tracemalloc (slower)…", flush=True)
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    try:
        run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return Measure(label, rows, seconds, peak)


def _csv_floor(path: Path, rows: int) -> Callable[[], object]:
    def write() -> None:
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["jurisdiction", "question", "facility", "result", "narrative"])
            for row in range(rows):
                writer.writerow(["City", QUESTIONS[row % 3], f"Facility {row}", "yes", NARRATIVE])

    return write


def _table(pairs: list[tuple[Measure, Measure]]) -> str:
    lines = [
        f"{'case':<44} {'rows':>7} {'time s':>8} {'× csv':>7} {'peak MB':>8} {'× csv':>7}",
        "-" * 86,
    ]
    for case, floor in pairs:
        lines.append(
            f"{case.label:<44} {case.rows:>7,} {case.seconds:>8.2f} "
            f"{case.seconds / floor.seconds:>7.0f} {case.peak_bytes / 1e6:>8.1f} "
            f"{case.peak_bytes / max(floor.peak_bytes, 1):>7.0f}"
        )
        lines.append(
            f"{'  floor: ' + floor.label:<44} {floor.rows:>7,} {floor.seconds:>8.3f} "
            f"{'1':>7} {floor.peak_bytes / 1e6:>8.2f} {'1':>7}"
        )
    return "\n".join(lines)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        store = open_store(root / "bench.sqlite", actor="Benchmark")
        try:
            jurisdiction_id, report_rows = build_big_jurisdiction(store)
            pages: list[int] = []

            def report() -> None:
                result = exports.export_report(
                    store, jurisdiction_id, root / "report.pdf", generated_at=datetime.now(UTC)
                )
                pages.append(result.pages or 0)

            report_case = _measure("PDF report: 50 facilities, 20 responses", report_rows, report)
            report_floor = _measure("csv", report_rows, _csv_floor(root / "r.csv", report_rows))

            comparison_rows = build_many_jurisdictions(store)
            comparison_case = _measure(
                "comparison workbook: 1,000 jurisdictions",
                comparison_rows,
                lambda: exports.export_comparison(store, PSP, root / "comparison.xlsx"),
            )
            comparison_floor = _measure(
                "csv", comparison_rows, _csv_floor(root / "c.csv", comparison_rows)
            )
        finally:
            store.close()
    print(f"(the report has {pages[0]} pages; rows = answers written)")
    print(_table([(report_case, report_floor), (comparison_case, comparison_floor)]))


if __name__ == "__main__":
    main()
