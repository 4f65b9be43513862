"""Helpers for reading JSON files that people edit by hand."""

from __future__ import annotations

from typing import Any


class DuplicateMemberError(ValueError):
    """An object has the same member twice; the exception's text is the member's name."""


def no_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object_pairs_hook for json.loads that refuses a member given twice in one object.

    json.loads silently keeps the last of two equal members; in a hand-edited file that hides
    a typo or an edit."""
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:
            raise DuplicateMemberError(name)
        result[name] = value
    return result
