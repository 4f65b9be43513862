"""Errors a user can fix. Anything else that escapes a service is a bug in Jurisdesk."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A problem the user can fix; the message says what to do, without a traceback."""


class NotFound(UserError):
    pass


@dataclass(frozen=True)
class FieldProblem:
    field: str  # the field's name in the record, e.g. "state"
    label: str  # the name the user sees, e.g. "State"
    message: str

    def __str__(self) -> str:
        return f"{self.label}: {self.message}"


class InvalidInput(UserError):
    """One or more fields are wrong; nothing was saved."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class Conflict(UserError):
    """The record changed in another window or on another PC since it was read."""


class Locked(UserError):
    """The response is approved or submitted; reopen it before changing it."""


class WorkflowError(UserError):
    """A status change the rules do not allow (e.g. approval with required answers missing)."""
