"""Tagged, accessible PDFs: the letter and the report read back by poppler (pdfinfo, pdffonts),
qpdf and pypdf, none of which share code with reportlab."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdf
import pytest
from pypdf.generic import DictionaryObject

from app.reports import exports
from app.reports.pdf import render_letter
from app.services import letters
from app.services.store import Store, open_store
from tests.test_reports_pdf import World, build_world, qpdf_check, squash

pytestmark = pytest.mark.skipif(
    shutil.which("pdfinfo") is None or shutil.which("pdffonts") is None,
    reason="poppler-utils (pdfinfo, pdffonts) is not installed",
)


@dataclass(frozen=True)
class Files:
    store: Store
    world: World
    letter: Path
    report: Path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Files]:
    folder = tmp_path_factory.mktemp("accessible")
    store = open_store(folder / "jurisdesk.sqlite", actor="Test Clerk")
    try:
        # The long narrative makes a letter of many pages, with paragraphs split across them.
        world = build_world(store)
        letter = exports.export_letter(store, world.response_id, folder / "letter.pdf").path
        report = exports.export_report(store, world.jurisdiction_id, folder / "report.pdf").path
        yield Files(store, world, letter, report)
    finally:
        store.close()


def run(*args: str | Path) -> str:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=True)
    return result.stdout


def info(path: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in run("pdfinfo", path).splitlines():
        key, _, value = line.partition(":")
        out[key.strip()] = value.strip()
    return out


def structure_text(path: Path) -> str:
    """pdfinfo's structure tree with its text; content outside it (artifacts) is not there."""
    return run("pdfinfo", "-struct-text", path)


def struct_elements(path: Path) -> Iterator[DictionaryObject]:
    root = pypdf.PdfReader(path).trailer["/Root"]["/StructTreeRoot"]
    stack: list[Any] = [root["/K"]]
    while stack:
        node = stack.pop()
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, list):
            stack.extend(reversed(node))
        elif isinstance(node, DictionaryObject) and node.get("/Type") != "/MCR":
            if "/S" in node:
                yield node
            if "/K" in node:
                stack.append(node["/K"])


def roles(path: Path) -> list[str]:
    return [str(element["/S"]).removeprefix("/") for element in struct_elements(path)]


def test_letter_is_tagged_with_title_language_and_real_dates(files: Files) -> None:
    details = info(files.letter)
    composed = letters.composed_letter(files.store, files.world.response_id)
    assert details["Tagged"] == "yes"
    assert details["Title"] == f"Response of {composed.jurisdiction} to the {composed.title}"
    assert details["Metadata Stream"] == "yes"
    # A draft is made now: not reportlab's fixed 2000-01-01.
    assert str(datetime.now(UTC).year) in details["CreationDate"]
    assert "2000" not in details["CreationDate"]

    catalog = pypdf.PdfReader(files.letter).trailer["/Root"]
    assert catalog["/Lang"] == "en-US"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712  # a pypdf BooleanObject
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    xmp = pypdf.PdfReader(files.letter).xmp_metadata
    assert xmp is not None
    assert xmp.dc_title == {"x-default": details["Title"]}
    assert xmp.xmp_create_date.year == datetime.now(UTC).year
    assert "en-US" in (xmp.dc_language or [])
    qpdf_check(files.letter)


def test_letter_structure_reads_in_order_without_page_furniture(files: Files) -> None:
    tree = structure_text(files.letter)
    text = squash(tree)
    assert tree.splitlines()[0] == "Document"
    expected = [
        "CityofTestburg",  # letterhead
        "Re:",
        "Dear",
        "Question1",
        "Question2",
        "Authoritiescited",
        "Sincerely,",
    ]
    positions = [text.find(piece) for piece in expected]
    assert all(p >= 0 for p in positions), dict(zip(expected, positions, strict=True))
    assert positions == sorted(positions)
    # Headings are headings, answers paragraphs, the authorities a list.
    assert re.search(r'H2 \(block\)\n    "Question 1 ?"', tree)
    # A line break is a space to whoever reads the structure: words never run together.
    quoted = " ".join(tree.split())
    assert (
        "Does your jurisdiction have a statute, rule, regulation, policy, or practice that is "
        "designed to ensure that U.S. Department of Homeland Security (DHS) personnel have "
        "access to any correctional or detention facility in order to meet with an alien"
    ) in quoted  # the question as issued, over several lines
    for role in ("P", "H2", "L", "LI", "LBody"):
        assert role in roles(files.letter), role
    # Running headers, page footers and the DRAFT mark are artifacts, outside the structure,
    # though they are on the pages.
    pages = run("pdftotext", files.letter, "-")
    assert "DRAFT" in pages
    assert "Page 2 of" in pages
    assert "DRAFT" not in text
    assert "Page1of" not in text
    assert "Page2of" not in text


def test_a_paragraph_split_across_pages_is_one_element(files: Files) -> None:
    reader = pypdf.PdfReader(files.letter)
    assert len(reader.pages) > 10
    spanning = 0
    for element in struct_elements(files.letter):
        kids = element["/K"]
        kids = kids if isinstance(kids, list) else [kids]
        for kid in kids:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/MCR":
                # Marked content on another page than the element's first.
                assert kid["/Pg"] != element["/Pg"]
                spanning += 1
    assert spanning > 0


def test_every_font_is_embedded(files: Files) -> None:
    for path in (files.letter, files.report):
        lines = run("pdffonts", path).splitlines()[2:]
        assert lines
        for line in lines:
            assert "Helvetica" not in line, line
            # name, type (one or two words), encoding, then emb sub uni.
            assert line.split()[-5:-2] == ["yes", "yes", "yes"], line


def test_report_tables_have_header_cells_and_contents_entries(files: Files) -> None:
    found = roles(files.report)
    for role in ("Document", "H1", "H2", "P", "Table", "TR", "TH", "TD", "TOC", "TOCI"):
        assert role in found, role
    tree = structure_text(files.report)
    assert "/Scope /Column" in tree
    assert "/Scope /Row" in tree
    # Footers ("Generated … · Page x of y") and running headers are not content.
    text = squash(tree)
    assert "Pagex" not in text
    assert "Page1of" not in text
    assert "Jurisdictionreport" not in text
    # A table continued on the next page repeats its header row there as an artifact: each
    # Table element has one header row in its structure.
    for element in struct_elements(files.report):
        if element["/S"] != "/Table":
            continue
        rows = [row.get_object() for row in element["/K"]]
        header_rows = [
            row
            for row in rows
            if any(
                cell.get_object()["/S"] == "/TH"
                and cell.get_object().get("/A", {}).get("/Scope") == "/Column"
                for cell in row["/K"]
            )
        ]
        assert len(header_rows) <= 1
    details = info(files.report)
    assert details["Tagged"] == "yes"
    assert "2000" not in details["CreationDate"]
    qpdf_check(files.report)


def test_every_contents_link_is_a_link_in_the_structure_and_says_where_it_goes(
    files: Files,
) -> None:
    reader = pypdf.PdfReader(files.report)
    root = reader.trailer["/Root"]["/StructTreeRoot"]
    parents = root["/ParentTree"]["/Nums"]
    parent_of = {int(parents[i]): parents[i + 1] for i in range(0, len(parents), 2)}
    assert int(root["/ParentTreeNextKey"]) == max(parent_of) + 1
    links = [
        annotation.get_object()
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object()["/Subtype"] == "/Link"
    ]
    assert links, "the contents page links to the chapters"
    titles = []
    for link in links:
        # The parent tree leads from the annotation to a Link element in a contents entry...
        element = parent_of[int(link["/StructParent"])].get_object()
        assert element["/S"] == "/Link"
        assert element["/P"].get_object()["/S"] == "/TOCI"
        # ... which holds the annotation itself, besides the entry's text.
        kids = [kid.get_object() if hasattr(kid, "get_object") else kid for kid in element["/K"]]
        objects = [kid["/Obj"].get_object() for kid in kids if isinstance(kid, DictionaryObject)]
        assert any(obj is link or obj == link for obj in objects)
        assert any(isinstance(kid, int) for kid in kids), "the entry's text is in the link"
        assert str(link["/Contents"]).startswith("Go to ")
        titles.append(str(link["/Contents"]))
    assert "Go to 8. Evidence index" in titles
    # No frame is drawn around an entry.
    assert all(list(link["/Border"]) == [0, 0, 0] for link in links)
    qpdf_check(files.report)


def test_same_letter_and_date_give_the_same_bytes(files: Files) -> None:
    composed = letters.composed_letter(files.store, files.world.response_id, today=date(2026, 3, 2))
    when = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    first = render_letter(composed, created=when).content
    second = render_letter(composed, created=when).content
    assert first == second
    reader = pypdf.PdfReader(io.BytesIO(first))
    assert reader.metadata is not None
    assert reader.metadata.creation_date == when
    assert reader.metadata.modification_date == when
