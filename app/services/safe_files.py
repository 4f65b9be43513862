"""Which stored files may be handed to the system's viewer, and names that are safe on disk.

Evidence arrives from anyone: a file that "opens" by running a program must never be opened
by Jurisdesk, whatever its name claims, and a name must not hide what the file really is.
Both rules are pure functions so they can be tested without a database or a screen.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Enough of a file's start for every signature below; lists read only this much per file.
HEAD_BYTES = 4096

# ext4, APFS and most others stop at 255 bytes; NTFS stops at 255 UTF-16 units, which a name
# of at most 255 UTF-8 bytes never exceeds.
NAME_LIMIT = 255
# The copy opened from the temporary folder is kept shorter: many Windows programs still fail
# on paths longer than 260 characters, and the temporary folder takes up to about 100 of them.
OPEN_NAME_LIMIT = 150
# An "extension" longer than this is not one any program is registered for; keeping it whole
# would leave no room for the name itself.
_EXTENSION_LIMIT = 32

FALLBACK_STEM = "evidence"

# Characters that reorder or hide text: a right-to-left override turns "report<RLO>fdp.exe"
# into what reads as "reportexe.pdf". All are Unicode format characters (category Cf), which
# is the class removed; the named ones are listed for the tests and the reader.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings and overrides
    "\u2066\u2067\u2068\u2069"  # isolates
    "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks
)
WINDOWS_FORBIDDEN = frozenset('<>:"/\\|?*')
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{port}{n}" for port in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]]
)

# What opening a file with each extension does, in the words the user reads after “It is”.
_PROGRAM = "a Windows program"
_SCRIPT = "a script, which runs commands"
_SHORTCUT = "a shortcut, which starts a program or connects to another computer"
_INSTALLER = "an installer or app package"
_MACROS = "an Office file made to carry macros (programs inside the document)"
_DISK_IMAGE = "a disk image, which can carry programs past Windows' safety warnings"
_JAVA = "a Java program"
_REGISTRY = "a change to Windows' settings (the registry)"


def _each(extensions: str, kind: str) -> dict[str, str]:
    return dict.fromkeys(extensions.split(), kind)


RISKY_EXTENSIONS: dict[str, str] = {
    **_each(
        "exe com scr pif cpl dll ocx sys drv msc gadget xll xbap application appref-ms "
        "diagcab chm hlp",
        _PROGRAM,
    ),
    **_each(
        "bat cmd ps1 psm1 psd1 ps1xml ps2 ps2xml psc1 psc2 vbs vbe vb js jse wsf wsh ws wsc sct "
        "hta sh bash zsh csh ksh command tool py pyw pyc pyo pyz pl rb",
        _SCRIPT,
    ),
    **_each("jar jnlp", _JAVA),
    **_each("reg", _REGISTRY),
    **_each(
        "lnk url website desktop scf settingcontent-ms library-ms searchconnector-ms rdp",
        _SHORTCUT,
    ),
    **_each(
        "msi msp mst inf msix msixbundle appx appxbundle app appimage deb rpm snap "
        "flatpakref pkg dmg",
        _INSTALLER,
    ),
    # Office opens these with one "Enable content" click between the reader and the macros,
    # and a copy written by Jurisdesk carries no "downloaded" mark that would block them.
    # Access databases run their start-up macros on opening.
    **_each(
        "docm dotm xlsm xltm xlam xla pptm potm ppsm ppam ppa sldm "
        "accdb accde accda mdb mde ade adp",
        _MACROS,
    ),
    **_each("iso img vhd vhdx", _DISK_IMAGE),
}

_LNK = b"L\x00\x00\x00\x01\x14\x02\x00"
_MACH_O = (b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")
# Also the start of a compiled Java class: code either way.
_MACH_O_UNIVERSAL = b"\xca\xfe\xba\xbe"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DESKTOP_ENTRY = re.compile(rb"^[ \t]*\[Desktop Entry\]", re.MULTILINE)
_INTERNET_SHORTCUT = re.compile(rb"^[ \t]*\[InternetShortcut\]", re.MULTILINE | re.IGNORECASE)
# The macro project's part name in a .docx-style (zip) file, and the stream name in the
# directory of an older .doc/.xls/.ppt (stored in UTF-16).
_ZIP_MACROS = re.compile(rb"vbaProject\.bin|/macrosheets/", re.IGNORECASE)
_OLE_MACROS = "_VBA_PROJECT".encode("utf-16-le")


@dataclass(frozen=True)
class Verdict:
    """Whether Jurisdesk may hand a file to the system's viewer, and why in plain words."""

    allowed: bool
    reason: str
    extension: str  # the extension the system would go by, e.g. ".exe"; "" when there is none
    hidden_characters: bool  # the name holds characters that hide or reorder what it shows


def may_open(filename: str, content: bytes) -> Verdict:
    """Judges a file by every name Jurisdesk may write it under and by what its bytes are.

    content is the file, or at least its first HEAD_BYTES; macros inside Office files are found
    only in the part given. Blocked: the extensions in RISKY_EXTENSIONS, and whatever the
    content shows to be a program (Windows, Linux or Mac), a "#!" script, a Windows shortcut,
    a desktop launcher, an Internet shortcut or an Office file with macros — even under an
    innocent or missing extension, since a system may go by content rather than name.
    """
    hidden = any(_is_hidden(char) for char in filename)
    # The name as written to disk decides which program the system picks, so each such name is
    # judged; so is the name without its hidden characters, as the user reads it.
    names = [
        _without_hidden(filename).rstrip(" ."),
        safe_file_name(filename),
        safe_file_name(filename, limit=OPEN_NAME_LIMIT),
    ]
    written = extension_of(names[1])
    for name in names:
        extension = extension_of(name)
        kind = RISKY_EXTENSIONS.get(_comparable(extension))
        if kind is not None:
            return Verdict(False, f"Its name ends in {extension}: it is {kind}.", extension, hidden)
    kind = content_kind(content)
    if kind is not None:
        if written:
            reason = f"Its name ends in {written}, but the file itself is {kind}."
        else:
            reason = f"The file is {kind}."
        return Verdict(False, reason, written, hidden)
    return Verdict(True, "Nothing in its name or content runs a program.", written, hidden)


def content_kind(content: bytes) -> str | None:
    """What the bytes are when they are something that runs; None for anything else."""
    head = content[:HEAD_BYTES]
    text_head = head.removeprefix(b"\xef\xbb\xbf")
    if head.startswith(b"MZ"):
        return "a Windows program"
    if head.startswith(b"\x7fELF"):
        return "a Linux program"
    if head.startswith(_MACH_O):
        return "a Mac program"
    if head.startswith(_MACH_O_UNIVERSAL):
        return "a Mac or Java program"
    if text_head.startswith(b"#!"):
        return "a script (it starts with “#!”)"
    if head.startswith(_LNK):
        return "a Windows shortcut"
    if _DESKTOP_ENTRY.search(text_head):
        return "a desktop launcher"
    if _INTERNET_SHORTCUT.search(text_head):
        return "an Internet shortcut"
    if (head.startswith(_ZIP) and _ZIP_MACROS.search(content)) or (
        head.startswith(_OLE) and _OLE_MACROS in content
    ):
        return "an Office document with macros (programs inside the document)"
    return None


def extension_of(name: str) -> str:
    """The extension with its dot, as a system sees it: after the last dot, even a leading one."""
    _stem, dot, extension = name.rpartition(".")
    return dot + extension if dot and extension else ""


def _comparable(extension: str) -> str:
    # Compatibility forms (full-width ｅｘｅ) and case are folded: blocking a look-alike costs
    # the user one "Save a copy", missing a real one could run a program.
    return unicodedata.normalize("NFKC", extension).strip().lstrip(".").casefold()


def _is_hidden(char: str) -> bool:
    return char in BIDI_CONTROLS or unicodedata.category(char) == "Cf"


def _without_hidden(text: str) -> str:
    return "".join(char for char in text if not _is_hidden(char))


def shown_name(filename: str) -> str:
    """The name as the user should read it: no hidden or reordering characters, one line."""
    visible = []
    for char in filename:
        category = unicodedata.category(char)
        if _is_hidden(char):
            continue
        if category in ("Cc", "Zl", "Zp"):
            visible.append(" " if char.isspace() else "\N{REPLACEMENT CHARACTER}")
        else:
            visible.append(char)
    return "".join(visible)


def safe_file_name(filename: str, *, limit: int = NAME_LIMIT, fallback: str = FALLBACK_STEM) -> str:
    """A name any common file system accepts and that reads as what it is; the extension kept.

    Hidden and control characters go, characters Windows forbids become "_", leading and
    trailing dots and spaces go, a Windows device name (CON, NUL, COM1…) gets a "_" in front,
    and the name is shortened to limit bytes of UTF-8, cutting the stem rather than the
    extension. An empty result becomes fallback with the extension.
    """
    cleaned = []
    for char in filename:
        category = unicodedata.category(char)
        if _is_hidden(char):
            continue
        if category in ("Cc", "Zl", "Zp"):
            if char.isspace():
                cleaned.append(" ")
            continue
        cleaned.append("_" if char in WINDOWS_FORBIDDEN else char)
    # Windows drops trailing dots and spaces itself, so "x.exe." would be x.exe on disk.
    name = "".join(cleaned).rstrip(" .")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    # A leading dot hides a file on Linux and Mac; ".." must never be a name.
    stem = stem.lstrip(" .")
    extension = _cut(extension, _EXTENSION_LIMIT).rstrip(" ")
    tail = f".{extension}" if extension else ""
    room = max(limit - len(tail.encode()), 1)
    stem = _cut(stem or fallback, room)
    if not tail:
        stem = stem.rstrip(" .") or fallback
    if _is_device(stem):
        stem = "_" + _cut(stem, room - 1)
    return stem + tail


def _is_device(stem: str) -> bool:
    # "NUL.tar.gz" and "CON .txt" are the device too: Windows reads up to the first dot.
    return stem.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES


def _cut(text: str, limit: int) -> str:
    """At most limit bytes of UTF-8, never splitting a character."""
    encoded = text.encode()
    if len(encoded) <= limit:
        return text
    return encoded[:limit].decode(errors="ignore")
