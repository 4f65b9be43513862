"""Use cases: the only API the GUI and the command line call. Each call is one transaction.

Modules are named for what the user does: ``records`` (jurisdictions, facilities, instruments,
requests, grants, statistics, contacts), ``evidence``, ``responses`` (answering and sign-off),
``approved_record`` (what an approved letter prints, kept at approval), ``audit`` (history),
``jurisdictions`` (the navigator list), ``exchange`` (JSON files), ``demo`` and ``integrity``,
``staff`` (the staff list and the office's approval rule), ``review_notes`` (why a response
was sent back), ``open_requests`` (what a new response starts from), ``backup`` (copies of the
database) and ``restore`` (putting a copy back).
"""

from typing import TYPE_CHECKING, Any

from app.services.errors import (
    Conflict,
    FieldProblem,
    InvalidInput,
    Locked,
    NotFound,
    UserError,
    WorkflowError,
)

if TYPE_CHECKING:
    from app.services.store import Store, open_store


__all__ = [
    "Conflict",
    "FieldProblem",
    "InvalidInput",
    "Locked",
    "NotFound",
    "Store",
    "UserError",
    "WorkflowError",
    "open_store",
]


def __getattr__(name: str) -> Any:
    # The store brings SQLAlchemy (about half a second of a start): the window shows first,
    # and only what opens the database imports it.
    if name in ("Store", "open_store"):
        from app.services import store

        return getattr(store, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
