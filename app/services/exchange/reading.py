"""Reading an exchange file into memory once: bounded in size, nesting and copies of the text.

A big exchange file is mostly evidence content in base64. json.loads would hold the file's
bytes, its text (up to four bytes per character once one emoji is in it) and every parsed
string at once: five times the file. Instead the file's bytes are read once and kept; long
`content_base64` members stay in them (Base64Text) until their bytes are needed, and each
record of a top-level list is decoded and parsed on its own, so the text of only one record
is in memory at a time. The result is the same document json.loads would give, or the same
kind of error, with the line and column in the file.
"""

from __future__ import annotations

import binascii
import json
import math
import os
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from app.jsonfiles import DuplicateMemberError
from app.services.exchange.format import MAX_FILE_BYTES, MAX_NESTING, describe_size
from app.services.exchange.results import ExchangeError


def token_pattern(blob_min_chars: int) -> re.Pattern[bytes]:
    """One token: a bracket; a `content_base64` member of at least `blob_min_chars` base64
    characters (the value in group "blob"); or a run of everything else, strings whole so that
    brackets inside them are skipped. A run stops before a "content_base64" member name, which
    is then matched alone if its value is short or not plain base64. A string that never ends
    runs to the end of the file, so even a damaged file is split where json.loads sees it."""
    return re.compile(
        rb"(?P<open>[\[{])|(?P<close>[\]}])"
        rb'|"content_base64"[ \t\r\n]*:[ \t\r\n]*(?P<blob>"[A-Za-z0-9+/=]{%d,}+")'
        rb'|(?:[^"\[\]{}]++|"(?!content_base64")(?:[^"\\]++|\\.)*+")++'
        rb'|"(?:[^"\\]++|\\.)*+"'
        rb'|"(?:[^"\\]++|\\.)*+\\?\Z' % blob_min_chars,
        re.DOTALL,
    )


# Shorter content is parsed like any other text: keeping it apart would save nothing.
_TOKENS = token_pattern(64 * 1024)
_EMPTY = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\r\n]*")
# Lists and objects opened at this depth (the records of the top-level lists) parse apart.
_RECORD_DEPTH = 3


@dataclass(frozen=True, eq=False)
class Base64Text:
    """A `content_base64` member still in the file's bytes (only base64 characters, no escapes)."""

    source: bytes
    start: int
    end: int

    def __len__(self) -> int:
        return self.end - self.start

    def decode(self) -> bytes:
        """The content; binascii.Error as base64.b64decode(..., validate=True) raises it."""
        return binascii.a2b_base64(memoryview(self.source)[self.start : self.end], strict_mode=True)


@dataclass
class _Unit:
    """A stretch of the file parsed on its own, with some values cut out and replaced by
    placeholders (records parsed apart, base64 content kept in the file's bytes)."""

    begin: int
    end: int = -1
    cuts: list[tuple[int, int, bytes]] = field(default_factory=list)

    def text(self, data: bytes) -> bytes:
        if not self.cuts:
            return data[self.begin : self.end]
        pieces: list[bytes] = []
        at = self.begin
        for start, stop, placeholder in self.cuts:
            pieces += (data[at:start], placeholder)
            at = stop
        pieces.append(data[at : self.end])
        return b"".join(pieces)

    def file_offset(self, offset: int) -> int:
        """The file offset of a byte offset in text(); inside a placeholder, where its cut began."""
        in_file, in_text = self.begin, 0
        for start, stop, placeholder in self.cuts:
            if offset < in_text + (start - in_file):
                break
            in_text += start - in_file
            if offset < in_text + len(placeholder):
                return start
            in_text += len(placeholder)
            in_file = stop
        return in_file + (offset - in_text)


class _Reader:
    def __init__(self, data: bytes, begin: int, name: str, source: str) -> None:
        self.data = data
        self.begin = begin
        self.name = name
        self.source = source
        # What was cut out is replaced by a number with a random part, which no file can
        # guess: valid JSON wherever the value was, and refused where a value cannot be (as
        # a member name), just as the value itself would have been.
        self.nonce = f"0.{secrets.randbelow(10**16):016d}"
        self.cut: dict[str, _Unit | Base64Text] = {}
        self.records: list[_Unit] = []
        self.replaced = 0
        self.loaded = 0

    # == errors ===========================================================================

    def where(self, offset: int) -> str:
        data = self.data
        line = data.count(b"\n", self.begin, offset) + 1
        line_start = max(data.rfind(b"\n", self.begin, offset) + 1, self.begin)
        column = len(data[line_start:offset].decode("utf-8", "replace")) + 1
        return f"line {line}, column {column}"

    def error(self, problem: str) -> ExchangeError:
        return ExchangeError(self.source, [f"$: {self.name} {problem}"])

    # == splitting ========================================================================

    def _placeholder(self, piece: _Unit | Base64Text) -> bytes:
        literal = f"{self.nonce}{len(self.cut):09d}e0"
        self.cut[literal] = piece
        # Spaced, so that a digit or letter next to it in a damaged file stays apart from it.
        return f" {literal} ".encode("ascii")

    def split(self) -> _Unit:
        """The outline of the file (records and long base64 cut out) and the pieces cut."""
        data = self.data
        outline = _Unit(self.begin, len(data))
        current = outline
        depth = 0
        placeholder = b""
        for token in _TOKENS.finditer(data, self.begin):
            kind = token.lastgroup
            if kind is None:
                continue
            if kind == "blob":
                start, stop = token.span("blob")
                blob = self._placeholder(Base64Text(data, start + 1, stop - 1))
                current.cuts.append((start, stop, blob))
            elif kind == "open":
                depth += 1
                if depth > MAX_NESTING:
                    raise self.error(
                        f"nests lists and objects more than {MAX_NESTING} deep (at "
                        f"{self.where(token.start())}); an exchange file never does. It is not "
                        "an exchange file, or it was damaged."
                    )
                if depth == _RECORD_DEPTH:
                    current = _Unit(token.start())
                    placeholder = self._placeholder(current)
                    self.records.append(current)
            else:
                if depth == _RECORD_DEPTH and current is not outline:
                    current.end = token.end()
                    outline.cuts.append((current.begin, current.end, placeholder))
                    current = outline
                depth -= 1
        if current is not outline:
            # Never closed (a truncated file): left in the outline, whose parse says where.
            del self.cut[placeholder.decode("ascii").strip()]
            self.records.pop()
            outline.cuts += current.cuts
        return outline

    # == parsing ==========================================================================

    def load(self, unit: _Unit) -> Any:
        raw = unit.text(self.data)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            offset = unit.file_offset(exc.start)
            self.fail_earlier(unit, offset)
            raise self.error(
                f"is not UTF-8 text: byte {offset - self.begin + 1:,} ({self.where(offset)}) is "
                "not valid. It may have been saved as Latin-1 or Windows-1252; save it as "
                "UTF-8 and import it again."
            ) from None
        del raw
        try:
            return json.loads(
                text,
                object_pairs_hook=self._object,
                parse_constant=_no_constants,
                parse_int=_integer,
                parse_float=self._number,
            )
        except json.JSONDecodeError as exc:
            offset = unit.file_offset(len(text[: exc.pos].encode("utf-8", "surrogatepass")))
            self.fail_earlier(unit, offset)
            message = exc.msg.removesuffix(" at")  # "Invalid control character at"
            raise self.error(f"is not valid JSON: {message} at {self.where(offset)}.") from None
        except DuplicateMemberError as exc:
            raise self.error(
                f"has the member “{_shortened(str(exc))}” twice in one object."
            ) from None
        except _ConstantError as exc:
            offset = unit.file_offset(_offset_outside_strings(text, _CONSTANT))
            raise self.error(
                f"is not valid JSON: {exc} is not allowed at {self.where(offset)}."
            ) from None
        except _HugeNumberError as exc:
            offset = unit.file_offset(_offset_outside_strings(text, _NUMBER, _too_large))
            raise self.error(
                f"has {exc} at {self.where(offset)}; nothing in an exchange file is that large."
            ) from None

    def _object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for name, value in pairs:
            if name in result:
                raise DuplicateMemberError(name)
            result[name] = self._resolve(value)
        return result

    def fail_earlier(self, unit: _Unit, offset: int) -> None:
        """Raises the error of a record before `offset` that is not parsed yet, if any: the
        outline is parsed before the records in its lists, but the error to report is the
        first in the file, as json.loads would."""
        for record in self.records:
            if record.begin >= offset:
                return
            if record is not unit and record.end <= offset:
                self.load(record)

    def _number(self, text: str) -> Any:
        piece = self.cut.pop(text, None)
        if piece is None:
            return _finite_float(text)
        self.replaced += 1
        return piece

    def _resolve(self, value: Any) -> Any:
        # A record cut out is parsed when its place is found, one record at a time.
        if type(value) is not _Unit:
            return value
        self.loaded += 1
        return self.load(value)

    def document(self) -> Any:
        outline = self.split()
        expected = len(self.cut)
        records = sum(type(piece) is _Unit for piece in self.cut.values())
        document = self.load(outline)
        # Records sit in lists, which have no parse hook: put them in place here.
        for items in _lists(document):
            for index, item in enumerate(items):
                items[index] = self._resolve(item)
        if (self.replaced, self.loaded) != (expected, records):
            # Cannot happen for a file json.loads reads; should a case be missed, it is refused.
            raise self.error("is not valid JSON: a list or object is out of place.")
        return document


class _ConstantError(ValueError):
    """NaN, Infinity or -Infinity: Python's json reads them, JSON has no such numbers."""


def _no_constants(name: str) -> Any:
    raise _ConstantError(name)


class _HugeNumberError(ValueError):
    """A number larger than any member holds; its text says which, for the message."""


# Python refuses to read numbers over 4,300 digits; none of the format's comes near 20.
_MOST_DIGITS = 100


def _integer(digits: str) -> int:
    if len(digits.lstrip("-")) > _MOST_DIGITS:
        raise _HugeNumberError(f"a number of {len(digits.lstrip('-')):,} digits")
    return int(digits)


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        # 1e400 reads as infinity, which no member holds and JSON cannot write back.
        raise _HugeNumberError(f"the number {_shortened(text)}")
    return number


# A string (skipped whole), or what an error may be about outside strings (group 1).
_CONSTANT = re.compile(r'"(?:[^"\\]++|\\.)*+"|(-?Infinity|NaN)', re.DOTALL)
_NUMBER = re.compile(r'"(?:[^"\\]++|\\.)*+"|(-?[0-9][0-9.eE+-]*)', re.DOTALL)


def _too_large(number: str) -> bool:
    try:
        (_finite_float if any(c in number for c in ".eE") else _integer)(number)
    except (_HugeNumberError, ValueError):
        return True
    return False


def _offset_outside_strings(
    text: str, pattern: re.Pattern[str], wrong: Callable[[str], bool] = bool
) -> int:
    """The byte offset in `text` of the first group 1 of the pattern that is wrong."""
    for match in pattern.finditer(text):
        if match.group(1) and wrong(match.group(1)):
            return len(text[: match.start()].encode("utf-8", "surrogatepass"))
    return 0


def _shortened(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "…"


def _lists(document: Any) -> Iterator[list[Any]]:
    """The lists among the document and its members: where records were cut out."""
    children = document.values() if isinstance(document, dict) else document
    for node in (document, *children) if isinstance(document, list | dict) else ():
        if isinstance(node, list):
            yield node


def _read_bytes(path: Path) -> bytes:
    """The file's bytes, or ExchangeError saying why it cannot be read."""
    name = str(path)
    try:
        with path.open("rb") as handle:
            # Refused by its size before a byte is read; a pipe has none, so reading stops
            # one byte past the limit.
            if os.fstat(handle.fileno()).st_size > MAX_FILE_BYTES:
                _too_big(path)
            data = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        problem = "does not exist. Check the folder and the file name."
    except (IsADirectoryError, PermissionError) as exc:
        # Windows says "permission denied" for a folder too.
        if isinstance(exc, IsADirectoryError) or path.is_dir():
            problem = "is a folder, not a file. Choose the exchange file inside it."
        else:
            problem = (
                "cannot be read: you do not have permission to open it. Copy it somewhere you "
                "can read, or ask whoever manages the folder."
            )
    except OSError as exc:
        problem = f"cannot be read: {exc.strerror or exc}."
    else:
        if len(data) > MAX_FILE_BYTES:
            _too_big(path)
        return data
    raise ExchangeError(name, [f"$: {path.name or name} {problem}"])


def _too_big(path: Path) -> NoReturn:
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # a pipe, or gone: its size is unknown
    limit = describe_size(MAX_FILE_BYTES)
    said = f"is {describe_size(size)}" if size > MAX_FILE_BYTES else f"is larger than {limit}"
    raise ExchangeError(
        str(path),
        [
            f"$: {path.name} {said}; Jurisdesk imports exchange files of up to {limit}, and "
            "writes none larger. Check that it is the right file."
        ],
    )


def _begin(data: bytes, name: str, source: str) -> int:
    """Where the JSON text starts: after a UTF-8 byte-order mark; other encodings refused."""
    marks = {
        b"\xff\xfe\x00\x00": "UTF-32",
        b"\x00\x00\xfe\xff": "UTF-32",
        b"\xff\xfe": "UTF-16",
        b"\xfe\xff": "UTF-16",
    }
    encoding = next((marks[mark] for mark in marks if data.startswith(mark)), "")
    # No mark, but every other byte zero: ASCII text written as UTF-16.
    if not encoding and len(data) >= 4 and (data[1] == data[3] == 0 or data[0] == data[2] == 0):
        encoding = "UTF-16"
    if encoding:
        raise ExchangeError(
            source,
            [
                f"$: {name} is {encoding} text; Jurisdesk reads exchange files in UTF-8. Save "
                "it as UTF-8 (in Notepad: Save as ▸ Encoding ▸ UTF-8) and import it again."
            ],
        )
    begin = 3 if data.startswith(b"\xef\xbb\xbf") else 0  # Windows editors add a BOM
    nul = data.find(b"\x00", begin)
    if nul >= 0:
        reader = _Reader(data, begin, name, source)
        raise reader.error(
            f"contains a NUL byte at {reader.where(nul)} (byte {nul - begin + 1:,}); JSON text "
            "never does. It is not an exchange file, or it was damaged."
        )
    return begin


def parse(data: bytes, name: str, source: str) -> Any:
    """The JSON document in `data` (a file's bytes), or ExchangeError naming what is wrong."""
    if _EMPTY.fullmatch(data):
        raise ExchangeError(
            source, [f"$: {name} is empty; an exchange file holds one JSON object."]
        )
    begin = _begin(data, name, source)
    try:
        return _Reader(data, begin, name, source).document()
    except RecursionError:
        # The nesting check above keeps this from happening; a stack smaller than usual might not.
        raise ExchangeError(
            source, [f"$: {name} nests lists and objects too deeply to be read."]
        ) from None


def read_file(path: Path) -> Any:
    """The JSON document in a file, or ExchangeError saying where the file stops being JSON."""
    return parse(_read_bytes(path), path.name, str(path))
