"""The report commands of `jurisdesk`: export a letter, report or workbook, or a comparison.

`export --format xlsx` writes the response workbook for both kinds: it already holds the
response's facilities, cited instruments, evidence and history, so a separate "report"
workbook would repeat it. `export --format docx` writes the response letter as a Word document
(for the office to finish in its word processor); there is no Word form of the report.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.services.store import Store

FORMATS = ("pdf", "docx", "xlsx")
KINDS = ("letter", "report")
PAPERS = ("letter", "a4")


def add_commands(subparsers: Any, record_id: Callable[[str], int]) -> None:
    """Adds the report commands; record_id parses an id as the other commands do."""
    export = subparsers.add_parser(
        "export",
        help="write a response letter (PDF or Word), jurisdiction report (PDF) or the "
        "response workbook",
        description="Writes one export of a response. PDF: --kind letter is the response "
        "letter (recorded as filed once the response is approved), --kind report the full "
        "report of the response's jurisdiction. DOCX: the response letter as a Word document "
        "(--kind letter only; also recorded as filed once approved). XLSX: the response "
        "workbook for either kind.",
    )
    export.add_argument("--response", type=record_id, required=True, metavar="ID")
    export.add_argument(
        "--format",
        choices=FORMATS,
        required=True,
        help="pdf: letter or report; docx: the letter as a Word document; xlsx: the workbook",
    )
    export.add_argument(
        "--kind", choices=KINDS, default="letter", help="what to write (default: letter)"
    )
    export.add_argument("--out", type=Path, required=True, metavar="FILE")
    export.add_argument("--paper", choices=PAPERS, default="letter", help="PDF paper size")
    export.set_defaults(handler=cmd_export)

    comparison = subparsers.add_parser(
        "export-comparison",
        help="write the workbook comparing every jurisdiction's answers to one questionnaire",
    )
    comparison.add_argument("--questionnaire", required=True, metavar="KEY")
    comparison.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx")
    comparison.set_defaults(handler=cmd_export_comparison)


def cmd_export(store: Store, args: argparse.Namespace) -> int:
    from app.reports import exports
    from app.services.errors import UserError

    if args.format == "docx" and args.kind != "letter":
        raise UserError(
            f"--format docx writes the response letter only; export the {args.kind} as "
            "--format pdf, or use --kind letter."
        )
    if args.kind == "letter" and args.format in ("pdf", "docx"):
        result = exports.export_letter(
            store, args.response, args.out, paper=args.paper, format=args.format
        )
    elif args.format == "pdf":
        result = exports.export_report_for_response(
            store, args.response, args.out, paper=args.paper
        )
    else:
        result = exports.export_response_workbook(store, args.response, args.out)
    pages = f", {result.pages} pages" if result.pages else ""
    print(f"Exported to {result.path} ({result.size:,} bytes{pages})")
    if result.filing is not None:
        print(f"Filed: SHA-256 {result.filing.sha256}, {result.filing.filed_at:%Y-%m-%d %H:%M} UTC")
        if result.filing.chain_head is not None:
            # Worth writing on the paper copy: `jurisdesk check --head` holds the trail to it.
            print(f"Audit trail head when filed: {result.filing.chain_head}")
    if result.differs_from_earlier_filing:
        print(
            "Note: an earlier filed copy of this approved letter differs; records it prints "
            "were edited since. Both copies are kept."
        )
    return 0


def cmd_export_comparison(store: Store, args: argparse.Namespace) -> int:
    from app.reports import exports

    result = exports.export_comparison(store, args.questionnaire, args.out)
    print(f"Exported to {result.path} ({result.size:,} bytes)")
    return 0
