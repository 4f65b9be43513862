"""How long the big exports take, and how much memory, against floors measured in the same run.

Cases:
- the full PDF report of a jurisdiction with 50 facilities and 20 responses (about 700 pages),
  the whole export (read the records, lay out, write the file), against reportlab alone
  building the same flowables with a plain SimpleDocTemplate in one pass (the flowables are
  made beforehand and not timed);
- the same export's peak memory against that of a report a tenth as long (2 responses, about
  70 pages), each in a child process of its own: memory must not grow with the page count;
- the comparison workbook of 1,000 jurisdictions against openpyxl alone writing the same rows
  (values only, write-only workbook), and against the csv module writing as many rows.

Runs are interleaved with their floor and the median of several is kept: on a shared machine
one run can be slow for reasons of its own. rows() gives the table's rows; main() prints them.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from app import models, questionnaires
from app.reports import exports
from app.services.store import Store, open_store
from benchmarks import memory

PSP = "doj-psp-2017"
QUESTIONS = ("access", "notice", "hold")
RESULTS = ("yes", "no", "partial", "outside_control")
NARRATIVE = (
    "The facility is operated under the county's written policy; ICE requests are reviewed "
    "case by case and honored only with a judicial warrant. Records of requests are kept by "
    "the jail administrator and were supplied in answer to a public-records request. "
)

FACILITIES = 50
RESPONSES = 20  # about 700 pages
SHORT_RESPONSES = 2  # about 70 pages
REPEATS = 3
GENERATED_AT = datetime(2017, 8, 18, tzinfo=UTC)


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
    store: Store, facilities: int = FACILITIES, responses: int = RESPONSES
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


# ------------------------------------------------------------------------------ measuring


def _seconds(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def _interleaved(
    case: Callable[[], object],
    floor: Callable[[], object],
    prepare_floor: Callable[[], None] = lambda: None,
    repeats: int = REPEATS,
) -> tuple[float, float]:
    """Median seconds of the case and of its floor, run alternately."""
    cases: list[float] = []
    floors: list[float] = []
    for _ in range(repeats):
        prepare_floor()
        floors.append(_seconds(floor))
        cases.append(_seconds(case))
    return statistics.median(cases), statistics.median(floors)


def _row(
    label: str,
    ms: float,
    floor_label: str,
    floor_ms: float,
    target: float | None,
    *,
    unit: str = "ms",
) -> dict[str, Any]:
    ratio = ms / floor_ms if floor_ms else float("inf")
    return {
        "label": label,
        "ms": ms,
        "floor_label": floor_label,
        "floor_ms": floor_ms,
        "ratio": ratio,
        "target": f"≤ {target:g}×" if target is not None else "—",
        "met": ratio <= target if target is not None else None,
        "unit": unit,
    }


# ------------------------------------------------------------------------------ the report


def _report_rows(store: Store, root: Path, jurisdiction_id: int) -> list[dict[str, Any]]:
    from reportlab.platypus import Flowable, NextPageTemplate, SimpleDocTemplate

    from app.reports import model
    from app.reports.pdf import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, page_size
    from app.reports.report_pdf import report_flowables

    pages: list[int] = []

    def export() -> None:
        result = exports.export_report(
            store, jurisdiction_id, root / "report.pdf", generated_at=GENERATED_AT
        )
        pages.append(result.pages or 0)

    report = model.jurisdiction_report(store, jurisdiction_id, generated_at=GENERATED_AT)
    story: list[Flowable] = []

    def prepare() -> None:
        # Flowables keep their layout state, and a build consumes its list: new ones each time.
        story[:] = [f for f in report_flowables(report) if not isinstance(f, NextPageTemplate)]

    def reportlab_alone() -> None:
        SimpleDocTemplate(
            io.BytesIO(),
            pagesize=page_size("letter"),
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=MARGIN_BOTTOM,
            invariant=1,
        ).build(story)

    print("  PDF report: the export and reportlab alone, alternately…", flush=True)
    case, floor = _interleaved(export, reportlab_alone, prepare)
    del story[:]
    return [
        _row(
            f"PDF report, {pages[-1]} pages (whole export)",
            case * 1000,
            "reportlab alone, same flowables",
            floor * 1000,
            2.0,
        )
    ]


def _memory_child(path: str, jurisdiction_id: int) -> None:
    """In a child process: the export's peak resident memory, printed as JSON."""
    from app.reports import fonts

    store = open_store(Path(path), actor="Benchmark")
    fonts.register()
    try:
        with tempfile.TemporaryDirectory() as folder:
            start = memory.start_peak()
            result = exports.export_report(
                store, jurisdiction_id, Path(folder) / "report.pdf", generated_at=GENERATED_AT
            )
            peak = memory.peak()
    finally:
        store.close()
    print(json.dumps({"start": start, "peak": peak, "pages": result.pages}))


def _child_peak(path: Path, jurisdiction_id: int) -> dict[str, int]:
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_reports", "--memory", str(path),
         str(jurisdiction_id)],
        check=True,
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    ).stdout  # fmt: skip
    return dict(json.loads(out.strip().splitlines()[-1]))


def _memory_rows(long_path: Path, long_id: int, short_path: Path, short_id: int) -> list[dict]:
    print("  PDF report: peak memory, long and short, each in a child process…", flush=True)
    longs: list[dict[str, int]] = []
    shorts: list[dict[str, int]] = []
    for _ in range(2):
        shorts.append(_child_peak(short_path, short_id))
        longs.append(_child_peak(long_path, long_id))
    long_peak = statistics.median(m["peak"] for m in longs)
    short_peak = statistics.median(m["peak"] for m in shorts)
    long_growth = statistics.median(m["peak"] - m["start"] for m in longs)
    short_growth = statistics.median(m["peak"] - m["start"] for m in shorts)
    mb = 1e6
    return [
        _row(
            f"PDF report, {longs[0]['pages']} pages: peak RSS (MB)",
            long_peak / mb,
            f"{shorts[0]['pages']} pages",
            short_peak / mb,
            1.5,
            unit="MB",
        ),
        _row(
            f"PDF report, {longs[0]['pages']} pages: RSS growth in export (MB)",
            long_growth / mb,
            f"{shorts[0]['pages']} pages",
            short_growth / mb,
            None,
            unit="MB",
        ),
    ]


# ------------------------------------------------------------------------------ the workbook


def _workbook_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}
    finally:
        book.close()


def _openpyxl_alone(sheets: dict[str, list[tuple[Any, ...]]], path: Path) -> Callable[[], None]:
    def write() -> None:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        for title, values in sheets.items():
            sheet = book.create_sheet(title)
            for row in values:
                sheet.append(row)
        book.save(path)

    return write


def _csv_alone(path: Path, rows: int) -> Callable[[], None]:
    def write() -> None:
        with path.open("w", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            writer.writerow(["jurisdiction", "question", "facility", "result", "narrative"])
            for row in range(rows):
                writer.writerow(["City", QUESTIONS[row % 3], f"Facility {row}", "yes", NARRATIVE])

    return write


def _workbook_rows(store: Store, root: Path) -> list[dict[str, Any]]:
    print("  comparison workbook: building 1,000 jurisdictions…", flush=True)
    answers = build_many_jurisdictions(store)
    target = root / "comparison.xlsx"

    def export() -> None:
        exports.export_comparison(store, PSP, target)

    export()
    sheets = _workbook_values(target)
    rows = sum(len(values) for values in sheets.values())
    print("  comparison workbook: the export, openpyxl alone and csv, alternately…", flush=True)
    case, raw = _interleaved(export, _openpyxl_alone(sheets, root / "raw.xlsx"))
    _, plain = _interleaved(lambda: None, _csv_alone(root / "plain.csv", answers))
    label = f"comparison workbook, 1,000 jurisdictions ({rows:,} rows)"
    return [
        _row(label, case * 1000, "openpyxl alone, same rows, write-only", raw * 1000, None),
        _row(label, case * 1000, f"csv, {answers:,} rows", plain * 1000, None),
    ]


# ------------------------------------------------------------------------------ the table


def rows() -> list[dict[str, Any]]:
    """The rows of the benchmark table: label, ms, floor_label, floor_ms, ratio, target, met
    (and unit: "ms", or "MB" for the memory rows, whose ms and floor_ms are megabytes)."""
    out: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        long_path, short_path = root / "long.sqlite", root / "short.sqlite"
        short = open_store(short_path, actor="Benchmark")
        try:
            short_id, _ = build_big_jurisdiction(short, responses=SHORT_RESPONSES)
        finally:
            short.close()
        store = open_store(long_path, actor="Benchmark")
        try:
            long_id, _ = build_big_jurisdiction(store)
            out.extend(_report_rows(store, root, long_id))
            out.extend(_memory_rows(long_path, long_id, short_path, short_id))
            out.extend(_workbook_rows(store, root))
        finally:
            store.close()
    return out


def table(measured: list[dict[str, Any]]) -> str:
    lines = [
        f"{'case':<52} {'value':>9} {'floor':<40} {'floor':>9} {'ratio':>7} {'target':>7} met",
        "-" * 134,
    ]
    for row in measured:
        met = {True: "yes", False: "NO", None: ""}[row["met"]]
        unit = row.get("unit", "ms")
        lines.append(
            f"{row['label']:<52} {row['ms']:>6.0f} {unit:<2} {row['floor_label']:<40} "
            f"{row['floor_ms']:>6.0f} {unit:<2} {row['ratio']:>6.2f}× {row['target']:>7} {met}"
        )
    return "\n".join(lines)


def main() -> None:
    print(table(rows()))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--memory":
        _memory_child(sys.argv[2], int(sys.argv[3]))
    else:
        main()
