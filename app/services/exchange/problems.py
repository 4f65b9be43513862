"""Problems found in a file: collected with their JSON paths, sorted and worded for people."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Sequence
from typing import Any

from jsonschema.exceptions import ValidationError

from app.services.exchange.format import PATTERN_WORDS, SURROGATE, JsonPath
from app.services.exchange.schema import build_schema


def json_path(parts: Sequence[str | int]) -> str:
    path = "$"
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,59}", part):
            path += f".{part}"
        else:
            # ASCII, so an odd member name prints anywhere; shortened, so a name of a million
            # characters does not become a message of a million characters.
            quoted = json.dumps(part)
            path += f"[{quoted}]" if len(quoted) <= 62 else f'[{quoted[:60]}…"]'
    return path


@functools.cache
def _member_ranks() -> dict[str, int]:
    """Every member name, numbered in the order the schema (and an export) first lists it."""
    ranks: dict[str, int] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for name in node.get("properties", {}):
                ranks.setdefault(name, len(ranks))
            for value in node.values():
                walk(value)

    schema = build_schema()
    walk({"properties": schema["properties"]})
    walk(schema["$defs"])
    return ranks


def _order(parts: JsonPath) -> list[tuple[int, int, str]]:
    # Document order: facilities before responses, [2] before [10], known members by position.
    ranks = _member_ranks()
    return [(0, p, "") if isinstance(p, int) else (1, ranks.get(p, len(ranks)), p) for p in parts]


class Problems:
    def __init__(self) -> None:
        self.found: list[tuple[JsonPath, str]] = []

    def add(self, parts: Sequence[str | int], message: str) -> None:
        self.found.append((tuple(parts), message))

    def __bool__(self) -> bool:
        return bool(self.found)

    def texts(self) -> list[str]:
        ordered = sorted(self.found, key=lambda item: _order(item[0]))
        # A lone surrogate quoted from the file would make the message itself unprintable.
        return [
            SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", f"{json_path(parts)}: {message}")
            for parts, message in ordered
        ]


def short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=_unquotable)
    return text if len(text) <= 60 else text[:57] + "…"


def _unquotable(value: Any) -> str:
    # Base64 content left in the file (reading.Base64Text): described, never quoted.
    return f"{len(value):,} characters of base64"


_JSON_TYPES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return repr(value) if value.is_integer() else "a number"
    if isinstance(value, str):
        return "text"
    return "a list" if isinstance(value, list) else "an object"


def schema_problem(error: ValidationError) -> list[tuple[JsonPath, str]]:
    """jsonschema's error as (path, message), worded for a person fixing the file by hand."""
    parts: JsonPath = tuple(error.absolute_path)
    validator, expected, instance = error.validator, error.validator_value, error.instance
    if validator == "required":
        match = re.match(r"^'(.+)' is a required property$", str(error.message))
        if match:
            return [((*parts, match.group(1)), "is missing; it is required.")]
    if validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        return [
            ((*parts, name), "is not a member of this part of the format (check the spelling).")
            for name in instance
            if name not in known
        ]
    message: str
    if validator == "type":
        kinds = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_JSON_TYPES.get(str(k), str(k)) for k in kinds)
        message = f"must be {wanted}, not {_json_type(instance)}."
    elif validator == "enum":
        allowed = ", ".join("null" if v is None else str(v) for v in expected)
        message = f"{short(instance)} is not one of: {allowed}."
    elif validator == "const":
        message = f"must be {short(expected)}, not {short(instance)}."
    elif validator == "maxLength":
        message = f"is {len(instance):,} characters long; the limit is {expected:,}."
    elif validator == "minLength":
        message = "must not be empty."
    elif validator == "pattern":
        message = f"{short(instance)} is not {PATTERN_WORDS.get(expected, 'in the expected form')}."
    elif validator == "minimum":
        message = f"must be at least {expected:,}."
    elif validator == "maximum":
        message = f"must be at most {expected:,}."
    elif validator == "uniqueItems":
        message = "lists the same UUID more than once."
    else:
        message = str(error.message)[:200]
    return [(parts, message)]
