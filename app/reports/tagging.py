"""Tagged PDF: the structure tree and marked content of the letter and the report.

reportlab draws but does not tag. Here the drawing of each flowable is enclosed in a
marked-content sequence with its own MCID (``/P <</MCID 3>> BDC … EMC``), and what is not
content (running headers, footers, the DRAFT mark, rules, table backgrounds and lines, a
table's header row repeated on a continuation page) in ``/Artifact BMC … EMC``. Each MCID is
recorded against a structure element (Document → H1/H2/H3/P/BlockQuote/L/LI/LBody,
Table/TR/TH/TD, TOC/TOCI);
when the canvas saves, the elements, the parent tree, the pages' /StructParents and the
catalog's /StructTreeRoot, /MarkInfo, /Lang, /ViewerPreferences and XMP metadata are written
as reportlab objects, in the same single pass (no second reading of the file).

A paragraph that breaks across pages stays one element: its pieces share the element
(TaggingFrame.split, continue_element), with one marked-content sequence per page; a table's
pieces share its TableTags, so it stays one Table, and the header row it repeats on each
continuation page is an artifact there.

Only layout code calls this module: TaggingFrame is the body frame, TaggingCanvas (the base of
the footer canvas) holds the Tagger, a TableTags is a table's render callback, and list_item()
makes paragraphs an item of a list (new_list()).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase.pdfdoc import (
    LinkAnnotation,
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFPage,
    PDFStream,
    PDFString,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable, Frame, Paragraph, Spacer
from reportlab.platypus.tableofcontents import TableOfContents

LANGUAGE = "en-US"

# Paragraph style (by base name: "body-cont" is "body") → structure type; the rest are P. A
# question quoted as issued is a block quotation.
_ROLES = {"h1": "H1", "cover_title": "H1", "h2": "H2", "h3": "H3", "quote": "BlockQuote"}

ARTIFACT = "Artifact"


@dataclass(eq=False, slots=True)
class Annotated:
    """A link annotation of a page that belongs to an element (an OBJR kid)."""

    annotation: Any
    name: str  # the annotation object's name in the PDF
    page: int
    key: int = -1  # its /StructParent, once the structure is written


@dataclass(eq=False, slots=True)
class Element:
    """One structure element; kids are elements, (page index, MCID) pairs and annotations, in
    order."""

    role: str
    parent: Element | None = None
    kids: list[Element | tuple[int, int] | Annotated] = field(default_factory=list)
    attributes: dict[str, str] | None = None
    # What its content reads as, where that is drawn in another order (right-to-left lines).
    actual_text: str | None = None
    attached: bool = False
    name: str = ""  # its object's name in the PDF, once written


def role_of(flowable: Flowable) -> str | None:
    """The structure type of a flowable the frame draws; None when it draws nothing."""
    if isinstance(flowable, Spacer):
        return None
    if isinstance(flowable, TableOfContents):
        return "TOC"
    if isinstance(flowable, Paragraph):
        base = flowable.style.name.split("-", 1)[0]
        return _ROLES.get(base, "P")
    if getattr(flowable, "is_artifact", False):
        return ARTIFACT
    return "Div"


def reading_text(content: object) -> str | None:
    """The text a paragraph (or a table cell's paragraphs) reads as, when it is drawn in another
    order (app.reports.paragraph); None when what is drawn reads as it is."""
    pieces = content if isinstance(content, list | tuple) else [content]
    texts = [getattr(piece, "reading_text", None) for piece in pieces]
    if all(text is None for text in texts):
        return None
    # The others read as drawn: their text without its markup (a Paragraph's .text is markup).
    return " ".join(
        text if text is not None else " ".join(plain_text(str(getattr(piece, "text", ""))).split())
        for piece, text in zip(pieces, texts, strict=True)
    )


def tags_itself(flowable: Flowable) -> bool:
    """A table with a TableTags callback, or a flowable drawn by one (the contents)."""
    return bool(
        isinstance(getattr(flowable, "_renderCB", None), TableTags)
        or getattr(flowable, "tags_itself", False)
    )


def element_of(flowable: Flowable) -> Element | None:
    return getattr(flowable, "_jd_element", None)


def element_for(flowable: Flowable, role: str) -> Element:
    """The flowable's element: the one it was given (as a list item's line, or a piece of a
    split paragraph) or a new one, with what it reads as if drawn in another order."""
    element = element_of(flowable)
    if element is None:
        element = Element(role, actual_text=reading_text(flowable))
        flowable._jd_element = element
    return element


def continue_element(original: Flowable, pieces: list[Flowable]) -> None:
    """Pieces of a paragraph split across pages (or frames) stay one element."""
    if not isinstance(original, Paragraph):
        return
    role = role_of(original)
    if role is None or role == ARTIFACT:
        return
    element = element_for(original, role)
    for piece in pieces:
        if isinstance(piece, Paragraph):
            piece._jd_element = element


def list_item(paragraphs: list[Flowable], in_list: Element) -> list[Flowable]:
    """Makes paragraphs (one item's lines) the body of one item of `in_list` (an L element)."""
    item = Element("LI", parent=in_list)
    body = Element("LBody", parent=item)
    for flowable in paragraphs:
        if isinstance(flowable, Paragraph):
            # Each line its own paragraph inside the item's body.
            flowable._jd_element = Element("P", parent=body, actual_text=reading_text(flowable))
    return paragraphs


def new_list() -> Element:
    return Element("L")


class Tagger:
    """The marked content of the pages drawn so far and the elements it belongs to."""

    def __init__(self) -> None:
        self.root = Element("Document", attached=True)
        # Per page: the element of each MCID, in MCID order (the parent tree's entries).
        self.pages: list[list[Element]] = [[]]
        # The element whose marked content was opened last: a link drawn in it belongs to it.
        self.current: Element | None = None
        self.links: list[tuple[Element, Annotated]] = []

    @property
    def page(self) -> int:
        return len(self.pages) - 1

    def next_page(self) -> None:
        self.pages.append([])

    def attach(self, element: Element) -> None:
        """Puts the element (and its ancestors) in the tree, after what is there already."""
        chain = []
        node: Element | None = element
        while node is not None and not node.attached:
            chain.append(node)
            node = node.parent
        for node in reversed(chain):
            parent = node.parent or self.root
            node.parent = parent
            parent.kids.append(node)
            node.attached = True

    def begin(self, element: Element) -> str:
        """The BDC operator of a new marked-content sequence of the element on this page."""
        self.attach(element)
        mcid = len(self.pages[-1])
        self.pages[-1].append(element)
        element.kids.append((self.page, mcid))
        self.current = element
        return f"/{element.role} <</MCID {mcid}>> BDC"


def begin_artifact(canvas: Canvas, kind: str = "") -> None:
    """Opens an artifact; `kind` is its properties (PAGINATION, FOOTER), none by default."""
    canvas._code.append(f"/Artifact {kind} BDC" if kind else "/Artifact BMC")


# Page furniture: running headers and the DRAFT mark, and the page footers.
PAGINATION = "<</Type /Pagination>>"
FOOTER = "<</Type /Pagination /Subtype /Footer>>"


def end_marked(canvas: Canvas) -> None:
    canvas._code.append("EMC")


def describe_links(canvas: Canvas, titles: dict[str, str]) -> None:
    """Names what links to each destination lead to (a heading's text): a link must say where
    it goes to whoever cannot see the page."""
    if isinstance(canvas, TaggingCanvas):
        canvas.link_titles.update(titles)


def plain_text(markup: str) -> str:
    """The text of Paragraph markup, without its tags and entities."""
    return html.unescape(_TAG.sub("", markup))


_TAG = re.compile(r"<[^>]*>")


def tagger_of(canvas: Canvas) -> Tagger | None:
    return getattr(canvas, "tagger", None)


def as_artifact(
    draw: Callable[[Canvas, Any], None] | None,
) -> Callable[[Canvas, Any], None] | None:
    """A page callback (running header, DRAFT mark) whose drawing is an artifact."""
    if draw is None:
        return None

    def drawn(canvas: Canvas, doc: Any) -> None:
        begin_artifact(canvas, PAGINATION)
        try:
            draw(canvas, doc)
        finally:
            end_marked(canvas)

    return drawn


class TaggingFrame(Frame):  # type: ignore[misc]  # reportlab ships no type information
    """The body frame: encloses what each flowable draws in marked content of its element."""

    def add(self, flowable: Flowable, canv: Canvas, trySplit: int = 0) -> int:  # noqa: N803
        tagger = tagger_of(canv)
        if tagger is None or tags_itself(flowable):
            # A table tags itself, cell by cell (TableTags).
            return int(super().add(flowable, canv, trySplit))
        code = canv._code
        start = len(code)
        placed = super().add(flowable, canv, trySplit)
        if placed and len(code) > start:
            role = role_of(flowable)
            if role is None:
                # Draws nothing visible (a spacer): no content to mark.
                return int(placed)
            if role == ARTIFACT:
                code.insert(start, "/Artifact BMC")
            else:
                code.insert(start, tagger.begin(element_for(flowable, role)))
            code.append("EMC")
        return int(placed)

    def split(self, flowable: Flowable, canv: Canvas) -> list[Flowable]:
        pieces = list(super().split(flowable, canv))
        continue_element(flowable, pieces)
        return pieces


class TableTags:
    """A table's render callback (reportlab's Table renderCB, kept by every piece of a split
    table): one Table element; per row a TR, per cell a TH or TD with the cell's marked
    content. Backgrounds and lines are artifacts, and so is the header row a continuation
    page repeats (it is in the structure once, where it first appears)."""

    def __init__(
        self,
        header_rows: int = 0,
        header_columns: int = 0,
        *,
        role: str = "Table",
        after_cell: Callable[[Canvas], None] | None = None,
    ) -> None:
        # role "TOC": the table of contents, one TOCI per row (its one cell). after_cell
        # draws, in the cell's content, what is to follow its text.
        self.after_cell = after_cell
        self.element = Element(role)
        self.row_role = "TOCI" if role == "TOC" else "TR"
        self.header_rows = header_rows
        self.header_columns = header_columns
        self.rows_done = 0  # rows of the table in the structure so far
        self.drawn_once = False
        self._row: Element | None = None
        self._repeated = 0
        self._artifact_row = False
        self._cell_open = False

    def __call__(self, table: Any, event: str, *args: Any) -> None:
        canvas = table.canv
        if event == "endCell" and self.after_cell is not None:
            self.after_cell(canvas)
        tagger = tagger_of(canvas)
        if tagger is None:
            return
        if event == "startTable":
            # Every piece after the first starts with the repeated header rows.
            self._repeated = int(table.repeatRows or 0) if self.drawn_once else 0
            self.drawn_once = True
            tagger.attach(self.element)
        elif event in ("startBG", "startLines"):
            begin_artifact(canvas)
        elif event in ("endBG", "endLines"):
            end_marked(canvas)
        elif event == "startRow":
            row_number = args[0]
            self._artifact_row = row_number < self._repeated
            if self._artifact_row:
                begin_artifact(canvas)
                self._row = None
            else:
                self._row = Element(self.row_role, parent=self.element)
                tagger.attach(self._row)
        elif event == "startCell":
            if self._row is None:
                return
            column = args[1]
            row_in_table = self.rows_done
            if self.row_role == "TOCI":
                # An entry is a link to its heading (the link's annotation joins it when drawn).
                cell = Element("Link", parent=self._row)
            elif row_in_table < self.header_rows:
                cell = Element("TH", parent=self._row, attributes={"Scope": "Column"})
            elif column < self.header_columns:
                cell = Element("TH", parent=self._row, attributes={"Scope": "Row"})
            else:
                cell = Element("TD", parent=self._row)
            cell.actual_text = reading_text(args[2])
            canvas._code.append(tagger.begin(cell))
            self._cell_open = True
        elif event == "endCell":
            if self._cell_open:
                end_marked(canvas)
                self._cell_open = False
        elif event == "endRow":
            if self._artifact_row:
                end_marked(canvas)
            else:
                self.rows_done += 1
            self._row = None


# ------------------------------------------------------------------------------ the canvas


def _timestamp(when: datetime) -> TimeStamp:
    """reportlab's document time stamp at `when` (UTC): the Info dates and the document id."""
    stamp = TimeStamp(1)
    when = when.astimezone(UTC)
    stamp.t = when.timestamp()
    stamp.lt = when.utctimetuple()
    stamp.YMDhms = tuple(stamp.lt)[:6]
    stamp.dhh = stamp.dmm = 0
    stamp.tzname = "UTC"
    return stamp


@dataclass(frozen=True)
class DocumentFacts:
    title: str
    author: str
    subject: str
    keywords: str
    created: datetime
    language: str = LANGUAGE


class _LinkAnnotation(LinkAnnotation):  # type: ignore[misc]  # reportlab ships no type information
    """A link annotation that names its place in the structure (/StructParent)."""

    permitted = (*LinkAnnotation.permitted, "StructParent")


class _SpacedLines(PDFTextObject):  # type: ignore[misc]  # reportlab ships no type information
    """A paragraph's text whose every line ends in a space. reportlab drops the space where it
    wraps a line, and a reader that follows the structure (a screen reader, a reflow view)
    then runs the last word of one line into the first of the next ("isdesigned"). The space
    draws nothing."""

    def _textOut(self, text: str, TStar: int = 0) -> None:  # noqa: N803 - reportlab's name
        if TStar and not text.endswith((" ", "\u00a0")):
            text += " "
        super()._textOut(text, TStar)


class TaggingCanvas(Canvas):  # type: ignore[misc]  # reportlab ships no type information
    """A canvas that keeps a Tagger and writes the structure tree when it saves. The facts
    (title, dates, language) are a class attribute, set by the layout for each build."""

    facts: DocumentFacts | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tagger = Tagger()
        # Destination name -> what a link to it leads to (describe_links).
        self.link_titles: dict[str, str] = {}
        facts = self.facts
        if facts is not None:
            stamp = self._doc._timeStamp = _timestamp(facts.created)
            # The document id: reportlab's digest of the metadata, here with the date too.
            self._doc.signature.update(repr(stamp.t).encode("ascii"))
            self._doc.Catalog.Lang = PDFString(facts.language)

    def showPage(self) -> None:
        super().showPage()
        self.tagger.next_page()

    def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> PDFTextObject:
        return _SpacedLines(self, x, y, direction=direction)

    def linkRect(
        self,
        contents: str,
        destinationname: str,
        Rect: Any = None,  # noqa: N803 - reportlab's name, passed by keyword
        **kw: Any,
    ) -> None:
        """A link to a place in the document, and in the structure a kid of the Link element
        whose content is being drawn: a screen reader announces it as a link, with contents
        (what it leads to) as its description."""
        element = self.tagger.current
        if element is None or element.role != "Link":
            super().linkRect(contents, destinationname, Rect, **kw)
            return
        if not contents and destinationname in self.link_titles:
            contents = f"Go to {self.link_titles[destinationname]}"
        kw.pop("addtopage", None)
        relative = kw.pop("relative", 1)
        annotation = _LinkAnnotation(
            Rect=self._absRect(Rect, relative),
            Contents=contents,
            Destination=self._bookmarkReference(destinationname),
            Border=PDFArray([0, 0, 0]),  # no frame is drawn around the entry
        )
        name = f"Link{len(self.tagger.links) + 1}"
        self._doc.addAnnotation(name, annotation)
        self._annotatePage(name)
        link = Annotated(annotation, self._doc.annotationName(name), self.tagger.page)
        element.kids.append(link)
        self.tagger.links.append((element, link))

    def write_structure(self) -> None:
        """Adds the structure tree, the parent tree and the document's marks to the PDF."""
        doc = self._doc
        tagger = self.tagger
        pages = doc.Pages.pages
        tree_root = PDFDictionary({"Type": PDFName("StructTreeRoot")})
        tree_name = doc.Reference(tree_root).name
        # Each element is one small object that writes itself when the file is formatted
        # (a report has tens of thousands: no dictionary objects are built for them).
        stack = [tagger.root]
        while stack:
            node = stack.pop()
            node.name = doc.Reference(_StructElement(node, tree_name)).name
            stack.extend(kid for kid in node.kids if isinstance(kid, Element))
        # Keys of the parent tree: one per page, then one per link annotation.
        links = tagger.links
        for number, (_element, link) in enumerate(links):
            link.key = len(pages) + number
            link.annotation.otherkw["StructParent"] = link.key
        tree_root.dict.update(
            {
                "K": PDFArray([PDFObjectReference(tagger.root.name)]),
                "ParentTree": doc.Reference(_ParentTree(tagger.pages[: len(pages)], links)),
                "ParentTreeNextKey": len(pages) + len(links),
            }
        )
        for index, page in enumerate(pages):
            page.StructParents = index
            # Annotations (contents links) in structure order.
            page.Tabs = PDFName("S")
            page.__NoDefault__ = [*PDFPage.__NoDefault__, "StructParents", "Tabs"]

        catalog = doc.Catalog
        catalog.StructTreeRoot = tree_root
        catalog.MarkInfo = PDFDictionary({"Marked": "true"})
        catalog.ViewerPreferences = PDFDictionary({"DisplayDocTitle": "true"})
        if self.facts is not None:
            catalog.Metadata = _xmp(self.facts, doc.info.producer)

    def save(self) -> None:
        self.write_structure()
        super().save()


def _ref(document: Any, name: str) -> str:
    number, generation = document.idToObjectNumberAndVersion[name]
    return f"{number} {generation} R"


def _page_ref(document: Any, page: int) -> str:
    return _ref(document, f"Page{page + 1}")


class _StructElement(PDFObject):  # type: ignore[misc]  # reportlab ships no type information
    """One structure element, formatted from its Element when the file is written."""

    def __init__(self, element: Element, tree_name: str) -> None:
        self.element = element
        self.tree_name = tree_name

    def format(self, document: Any) -> bytes:
        node = self.element
        parent = self.tree_name if node.parent is None else node.parent.name
        parts = [f"<< /Type /StructElem /S /{node.role} /P {_ref(document, parent)}"]
        first_page = next((kid[0] for kid in node.kids if isinstance(kid, tuple)), None)
        if first_page is not None:
            parts.append(f" /Pg {_page_ref(document, first_page)}")
        kids: list[str] = []
        for kid in node.kids:
            if isinstance(kid, Element):
                kids.append(_ref(document, kid.name))
            elif isinstance(kid, Annotated):
                annotation, page = _ref(document, kid.name), _page_ref(document, kid.page)
                kids.append(f"<< /Type /OBJR /Obj {annotation} /Pg {page} >>")
            elif kid[0] == first_page:
                kids.append(str(kid[1]))
            else:
                kids.append(f"<< /Type /MCR /Pg {_page_ref(document, kid[0])} /MCID {kid[1]} >>")
        parts.append(f" /K [{' '.join(kids)}]")
        if node.actual_text is not None:
            text = PDFString(node.actual_text).format(document).decode("latin-1")
            parts.append(f" /ActualText {text}")
        if node.attributes:
            attributes = " ".join(f"/{k} /{v}" for k, v in node.attributes.items())
            parts.append(f" /A << /O /Table {attributes} >>")
        parts.append(" >>")
        return "".join(parts).encode("latin-1")


class _ParentTree(PDFObject):  # type: ignore[misc]  # reportlab ships no type information
    """The parent tree: per page (its /StructParents key), the element of each MCID."""

    def __init__(self, pages: list[list[Element]], links: list[tuple[Element, Annotated]]) -> None:
        self.pages = pages
        self.links = links

    def format(self, document: Any) -> bytes:
        entries = []
        for index, marked in enumerate(self.pages):
            refs = " ".join(_ref(document, element.name) for element in marked)
            entries.append(f"{index} [{refs}]")
        for element, link in self.links:
            entries.append(f"{link.key} {_ref(document, element.name)}")
        return f"<< /Nums [{chr(10).join(entries)}] >>".encode("ascii")


def _xmp_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _xmp(facts: DocumentFacts, producer: str) -> PDFStream:
    """The XMP metadata packet: the Info dictionary's title, author, subject and dates."""
    e = escape
    date = _xmp_date(facts.created)
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{e(facts.title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{e(facts.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt>
    <rdf:li xml:lang="x-default">{e(facts.subject)}</rdf:li>
   </rdf:Alt></dc:description>
   <dc:language><rdf:Bag><rdf:li>{e(facts.language)}</rdf:li></rdf:Bag></dc:language>
   <xmp:CreatorTool>Jurisdesk</xmp:CreatorTool>
   <xmp:CreateDate>{date}</xmp:CreateDate>
   <xmp:ModifyDate>{date}</xmp:ModifyDate>
   <xmp:MetadataDate>{date}</xmp:MetadataDate>
   <pdf:Producer>{e(producer)}</pdf:Producer>
   <pdf:Keywords>{e(facts.keywords)}</pdf:Keywords>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}),
        packet.encode("utf-8"),
        filters=[],
    )
