"""Reading exchange files: the same document json.loads gives, or the same error, at less memory."""

from __future__ import annotations

import base64
import json
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.jsonfiles import no_duplicate_members
from app.services.exchange import reading
from app.services.exchange.reading import Base64Text, parse
from app.services.exchange.results import ExchangeError

# Small enough that the examples below exercise content kept in the file's bytes.
SMALL_BLOB = 8


@pytest.fixture(autouse=True)
def small_blobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reading, "_TOKENS", reading.token_pattern(SMALL_BLOB))


def _plain(value: Any) -> Any:
    """The document with base64 content left in the file written out as text, for comparison."""
    if isinstance(value, Base64Text):
        return bytes(value.source[value.start : value.end]).decode("ascii")
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {name: _plain(item) for name, item in value.items()}
    return value


def _refuse(name: str) -> Any:
    raise ValueError(name)


def _finite(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(text)
    return number


def _short(text: str) -> int:
    if len(text.lstrip("-")) > 100:
        raise ValueError(text)
    return int(text)


def _reference(data: bytes) -> Any:
    """What json.loads makes of the text, with the reader's rules on members and numbers."""
    return json.loads(
        data.decode("utf-8"),
        object_pairs_hook=no_duplicate_members,
        parse_constant=_refuse,
        parse_float=_finite,
        parse_int=_short,
    )


texts = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["content_base64", "{[", "]}", '"', "\\", "aGVsbG8gd29ybGQ=", "QUJDREVGR0hJSktM"]
)
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts
)
documents = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(texts, children, max_size=4)
        | st.fixed_dictionaries({"content_base64": st.sampled_from(["aGVsbG8gd29ybGQ=", "QUJD"])})
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(document=documents, indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_reads_what_json_reads(document: Any, indent: int | None, ascii_only: bool) -> None:
    data = json.dumps(document, indent=indent, ensure_ascii=ascii_only).encode(
        "utf-8", "surrogatepass"
    )
    try:
        expected = _reference(data)
    except UnicodeDecodeError:
        return  # a lone surrogate written raw: not UTF-8, refused by both (tested below)
    assert _plain(parse(data, "test.json", "test.json")) == expected


MUTATION_CHARACTERS = [*'{}[]",:\\ 0123456789eE.-aftnrulsNI\n', "content_base64"]


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    document=documents,
    edits=st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(["delete", "insert", "replace"]),
            st.sampled_from(MUTATION_CHARACTERS),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_damaged_text_is_refused_exactly_when_json_refuses_it(
    document: Any, edits: list[tuple[int, str, str]]
) -> None:
    """Whatever the damage, the reader agrees with json.loads on whether it is JSON and what."""
    text = json.dumps({"records": [document, {"content_base64": "QUJDREVGR0g="}]}, indent=1)
    for position, action, piece in edits:
        at = position % (len(text) + 1)
        if action == "delete":
            text = text[:at] + text[at + 1 :]
        elif action == "insert":
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + piece + text[at + 1 :]
    data = text.encode("utf-8", "surrogatepass")
    refusal: Exception | None = None
    try:
        expected = _reference(data)
    except (ValueError, RecursionError) as exc:
        refusal = exc
    if refusal is None:
        assert _plain(parse(data, "damaged.json", "damaged.json")) == expected
        return
    with pytest.raises(ExchangeError) as caught:
        parse(data, "damaged.json", "damaged.json")
    if isinstance(refusal, json.JSONDecodeError) and text.strip():
        # The same complaint at the same place.
        said = f"{refusal.msg.removesuffix(' at')} at line {refusal.lineno}, "
        assert said + f"column {refusal.colno}." in caught.value.problems[0]


def test_base64_content_stays_in_the_file_bytes() -> None:
    content = bytes(range(256)) * 3
    encoded = base64.b64encode(content).decode("ascii")
    data = json.dumps({"evidence": [{"content_base64": encoded, "name": "x"}]}).encode()

    document = parse(data, "evidence.json", "evidence.json")

    kept = document["evidence"][0]["content_base64"]
    assert isinstance(kept, Base64Text)
    assert kept.source is data
    assert len(kept) == len(encoded)
    assert kept.decode() == content


def test_base64_with_escapes_is_read_as_text() -> None:
    """Some JSON writers escape "/" as "\\/": still base64, just not kept in the bytes."""
    data = b'{"content_base64": "QUJD\\/0RFRkdI"}'
    assert parse(data, "x.json", "x.json") == {"content_base64": "QUJD/0RFRkdI"}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"a": [1, 2}', "Expecting ',' delimiter at line 1, column 12"),
        ('{"a": [{"b": 1}\n {"c": 2}]}', "Expecting ',' delimiter at line 2, column 2"),
        ('{"a": [{"b": 1]]}', "Expecting ',' delimiter at line 1, column 15"),
        ('{"a": [{"b": "unterminated', "Unterminated string starting at line 1, column 14"),
        ('{"records": [{"content_base64": "QUJDREVGR0hJ"]}', "line 1, column 47"),
        ('{"a": {{"b": 1}: 2}}', "Expecting property name enclosed in double quotes"),
        ('{"a": [{"b": NaN}]}', "NaN is not allowed at line 1, column 14"),
        ('{"a": [{"b": 1e999}]}', "the number 1e999 at line 1, column 14"),
        ('{"a": [{"b": 1, "b": 2}]}', "the member “b” twice"),
        ("[" * 21 + "]" * 21, "more than 20 deep (at line 1, column 21)"),
        ("[" * 100_000 + "]" * 100_000, "more than 20 deep"),
        ("\ufeff  ", "is empty"),
    ],
)
def test_errors_say_where(text: str, words: str) -> None:
    with pytest.raises(ExchangeError) as caught:
        parse(text.encode(), "x.json", "x.json")
    assert words in caught.value.problems[0]
