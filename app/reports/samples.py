"""Writes sample letters, reports and workbooks from a temporary demo database.

Usage: ``python -m app.reports.samples docs/samples`` (``make samples``): the demo cities,
one of them reviewed and approved so a signed letter is among the samples.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.services import demo, letters, responses, staff
from app.services.store import Store, open_store


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "jurisdiction"


def _load(store: Store) -> list[int]:
    demo.load_demo(store)
    summaries = responses.list_responses(store)
    # One signed letter beside the drafts: the first demo response with nothing missing goes
    # through review and approval, as a city attorney would.
    ready = (
        s
        for s in summaries
        if s.completeness.complete and not responses.get_response(store, s.id).errors
    )
    complete = next(ready, None)
    approvers = staff.list_staff(store, role=staff.StaffRole.APPROVES, active_only=True)
    if complete is not None and approvers:
        responses.submit_for_review(store, complete.id)
        read = responses.get_response(store, complete.id)
        letters.approve(
            store,
            complete.id,
            approvers[0].id,
            seen_state=read.review_state,
            acknowledged=[w.key for w in read.warnings],
        )
    return [s.id for s in summaries]


def write_samples(out: Path) -> list[Path]:
    from app.reports import exports

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Path(folder) / "samples.sqlite", actor="Jurisdesk samples")
        try:
            response_ids = _load(store)
            jurisdictions: dict[int, str] = {}
            keys: set[str] = set()
            for response_id in response_ids:
                detail = responses.get_response(store, response_id)
                s = detail.summary
                slug = f"{_slug(s.jurisdiction_name)}-{s.questionnaire_key}-{response_id}"
                written.append(exports.export_letter(store, response_id,
                                                     out / f"{slug}-letter.pdf").path)  # fmt: skip
                # The same letter as the office would finish it in Word.
                written.append(exports.export_letter(store, response_id,
                                                     out / f"{slug}-letter.docx",
                                                     format="docx").path)  # fmt: skip
                written.append(
                    exports.export_response_workbook(store, response_id, out / f"{slug}.xlsx").path
                )
                jurisdictions[s.jurisdiction_id] = s.jurisdiction_name
                keys.add(s.questionnaire_key)
            for jurisdiction_id, name in sorted(jurisdictions.items()):
                written.append(
                    exports.export_report(
                        store, jurisdiction_id, out / f"{_slug(name)}-report.pdf"
                    ).path
                )
            for key in sorted(keys):
                written.append(
                    exports.export_comparison(store, key, out / f"comparison-{key}.xlsx").path
                )
        finally:
            store.close()
    return written


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print("usage: python -m app.reports.samples FOLDER", file=sys.stderr)
        return 2
    for path in write_samples(Path(args[0])):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
